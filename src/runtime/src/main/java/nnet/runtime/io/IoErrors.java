package nnet.runtime.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The one place where a failed read or write becomes a sentence a user can act on. An I/O failure
 * is the user's environment (a missing file, a directory where a file goes, a full disk, no
 * permission), never a bug: {@link Cli} prints {@link #userMessage} and exits 1. The JDK's
 * FileSystemExceptions often carry only a path as their message ("x.csv"), which says nothing
 * about what went wrong.
 */
public final class IoErrors {
    private IoErrors() {}

    /** E.g. {@code cannot read w.safetensors: no such file or directory}. */
    static UncheckedIOException failure(String verb, String fileName, IOException e) {
        return new UncheckedIOException("cannot " + verb + " " + fileName + ": " + describe(e, fileName), e);
    }

    /** A failure found before any I/O was tried (the path is a directory, a block device...). */
    static UncheckedIOException failure(String verb, String fileName, String why) {
        return new UncheckedIOException("cannot " + verb + " " + fileName + ": " + why, new IOException(why));
    }

    /**
     * The message for an I/O failure that reached the command line, naming the path; null when
     * {@code t} is not an I/O failure. Failures made by {@link #failure} already say what was done
     * to which file.
     */
    public static String userMessage(Throwable t) {
        if (t instanceof UncheckedIOException u)
            return u.getMessage() != null && u.getMessage().startsWith("cannot ") ? u.getMessage() : userMessage(u.getCause());
        if (t instanceof FileSystemException fse)
            return "cannot access " + (fse.getFile() != null ? fse.getFile() : "a file") + ": " + describe(fse, fse.getFile());
        if (t instanceof IOException e) return "input or output failed: " + describe(e, null);
        return null;
    }

    /** Why {@code e} happened, in words ("permission denied"), for a message that names the file itself. */
    public static String why(IOException e) {
        return describe(e, e instanceof FileSystemException fse ? fse.getFile() : null);
    }

    /** The system's words as part of the sentence: "not a directory"; EISDIR as every other check says it, "it is a directory". */
    private static String words(String reason) {
        if (reason.equals("Is a directory")) return "it is a directory";
        return reason.isEmpty() || (reason.length() > 1 && Character.isUpperCase(reason.charAt(1))) ? reason : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }

    private static String describe(IOException e, String fileName) {
        if (!(e instanceof FileSystemException fse)) return e.getMessage() != null ? words(e.getMessage()) : e.getClass().getSimpleName();
        String what = fse instanceof NoSuchFileException ? "no such file or directory"
                : fse instanceof AccessDeniedException ? "permission denied"
                : fse instanceof FileAlreadyExistsException ? "file already exists"
                : fse instanceof DirectoryNotEmptyException ? "is a non-empty directory"
                : fse instanceof NotDirectoryException ? "not a directory"
                : fse.getReason() != null ? words(fse.getReason())
                : fse.getClass().getSimpleName();
        // The failing path may be another one (a parent directory, the temporary file): show it then.
        String where = fse.getFile() == null || fse.getFile().equals(fileName) ? "" : " (" + fse.getFile() + ")";
        return what + where;
    }
}
