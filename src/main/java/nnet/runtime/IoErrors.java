package nnet.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns an IOException into an unchecked one whose message a user can act on. The JDK's
 * FileSystemExceptions often carry only a path as their message ("x.csv"), which says nothing about
 * what went wrong.
 */
final class IoErrors {
    private IoErrors() {}

    /** E.g. {@code cannot read w.safetensors: no such file or directory}. */
    static UncheckedIOException failure(String verb, String fileName, IOException e) {
        return new UncheckedIOException("cannot " + verb + " " + fileName + ": " + describe(e, fileName), e);
    }

    private static String describe(IOException e, String fileName) {
        if (!(e instanceof FileSystemException fse)) return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        String what = fse instanceof NoSuchFileException ? "no such file or directory"
                : fse instanceof AccessDeniedException ? "permission denied"
                : fse instanceof FileAlreadyExistsException ? "file already exists"
                : fse instanceof DirectoryNotEmptyException ? "is a non-empty directory"
                : fse instanceof NotDirectoryException ? "not a directory"
                : fse.getReason() != null ? fse.getReason()
                : fse.getClass().getSimpleName();
        // The failing path may be another one (a parent directory, the temporary file): show it then.
        String where = fse.getFile() == null || fse.getFile().equals(fileName) ? "" : " (" + fse.getFile() + ")";
        return what + where;
    }
}
