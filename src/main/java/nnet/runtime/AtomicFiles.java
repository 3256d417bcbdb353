package nnet.runtime;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files all or nothing: a reader of the target sees the old content or the complete new
 * content, never a half-written file, even if the writer fails or the machine stops mid-write.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Produces the content of a file. */
    @FunctionalInterface
    public interface IoWriter {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Runs {@code body} on a temporary file in the target's directory (created if missing), syncs it
     * to disk and renames it over {@code target}. On failure the temporary file is deleted and the old
     * target is left untouched: an IOException becomes an {@link java.io.UncheckedIOException} naming
     * the target; any other exception thrown by {@code body} propagates unchanged. {@code body} may
     * close the stream it is given, but need not.
     */
    public static void write(Path target, IoWriter body) {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        Path tmp = null;
        boolean replaced = false;
        try {
            Files.createDirectories(dir);
            tmp = createTemp(dir, file.getFileName().toString());
            writeAndSync(tmp, body);
            replace(tmp, file);
            replaced = true;
        } catch (IOException e) {
            throw IoErrors.failure("write", target.toString(), e);
        } finally {
            if (!replaced) deleteQuietly(tmp);
        }
        syncDirectory(dir);
    }

    /**
     * Not Files.createTempFile: that makes the file readable by its owner only, and the rename would
     * pass those permissions on to the target. A plain create gives the usual umask permissions.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        while (true) {
            String suffix = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path tmp = dir.resolve("." + name + "." + suffix + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                // another writer drew the same name: draw again
            }
        }
    }

    private static void writeAndSync(Path tmp, IoWriter body) throws IOException {
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            body.write(new KeepOpen(buffered));
            buffered.flush();
            // Without this, a crash soon after the rename can leave the target empty on some filesystems.
            channel.force(true);
        }
    }

    private static void replace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Makes the rename itself durable on POSIX systems. Best effort: some systems (Windows) cannot open
     * a directory for syncing, and the new content is already in place either way.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not supported here; the write has succeeded regardless
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) return;
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // the original failure is the one worth reporting
        }
    }

    /** Lets the body close its stream without closing the file before it has been synced. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream would write byte by byte
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
