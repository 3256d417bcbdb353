package nnet.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.UserError;

/** Writes a command's output file atomically; a file that cannot be written is the user's to fix (exit 1), not an internal error. */
final class OutputFiles {
    private OutputFiles() {}

    static void write(Path target, AtomicFiles.IoWriter body) {
        try {
            AtomicFiles.write(target, body);
        } catch (UncheckedIOException e) {
            throw new UserError(e.getMessage()); // "cannot write F: permission denied"
        }
    }
}
