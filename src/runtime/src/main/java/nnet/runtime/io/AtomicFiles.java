package nnet.runtime.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes output files all or nothing: a reader of the target sees the old content or the complete
 * new content, never a half-written file, even if the writer fails or the machine stops mid-write.
 * What the user named is never replaced by something else: a symbolic link is written through (its
 * target gets the content, the link stays), a FIFO or a character device ({@code /dev/stdout}) is
 * written into as a stream, a block device or socket is refused, and {@code -} is standard output.
 */
public final class AtomicFiles {
    /** Links followed before giving up, as the kernel does (ELOOP). */
    private static final int MAX_LINKS = 40;
    /** {@code st_mode}'s file type bits, for the kinds Java's attributes do not tell apart. */
    private static final int TYPE_MASK = 0170000, BLOCK_DEVICE = 0060000, SOCKET = 0140000;

    private AtomicFiles() {}

    /** Produces the content of a file. */
    @FunctionalInterface
    public interface IoWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Whether {@code target} is {@code -}, which names standard output. */
    public static boolean isStandardOutput(Path target) {
        return target.toString().equals("-");
    }

    /**
     * Writes the content {@code body} produces to {@code target}. A regular file (new, existing, or
     * at the end of symbolic links) is replaced atomically: {@code body} writes a temporary file in
     * the same directory (created if missing), which is synced to disk and renamed over the file.
     * On failure the temporary file is deleted and the old content is left untouched: an
     * IOException becomes an {@link java.io.UncheckedIOException} naming the target; any other
     * exception thrown by {@code body} propagates unchanged. {@code body} may close the stream it
     * is given, but need not.
     */
    public static void write(Path target, IoWriter body) {
        write(target, body, true);
    }

    /**
     * The same; with {@code durable} false the content is not forced to disk before the rename
     * (still atomic: a reader sees the old content or the new, never a mix), for a file rewritten
     * often, such as {@code train}'s checkpoint after every epoch (a sync costs milliseconds);
     * {@link #sync} it when it matters.
     */
    public static void write(Path target, IoWriter body, boolean durable) {
        if (isStandardOutput(target)) {
            writeToStandardOutput(body);
            return;
        }
        String name = target.toString();
        try {
            BasicFileAttributes existing = attributes(target);
            if (existing == null) replace(linkTarget(target), name, body, durable);
            else if (existing.isDirectory()) throw IoErrors.failure("write", name, "it is a directory");
            else if (existing.isRegularFile()) replace(target.toRealPath(), name, body, durable);
            else writeInto(target, name, body);
        } catch (IOException e) {
            throw IoErrors.failure("write", name, e);
        }
    }

    /**
     * Fails as {@link #write} would, without writing: for a command that writes {@code target} only
     * after long work (training) and must not lose that work to a path it could have checked first.
     * Missing folders are created and a temporary file is made and deleted beside the target (the
     * one test of permission that never lies: access bits do not tell a read-only filesystem).
     */
    public static void checkWritable(Path target) {
        if (isStandardOutput(target)) return;
        String name = target.toString();
        try {
            BasicFileAttributes existing = attributes(target);
            if (existing != null && existing.isDirectory()) throw IoErrors.failure("write", name, "it is a directory");
            if (existing != null && !existing.isRegularFile()) {
                int type = unixFileType(target);
                if (type == BLOCK_DEVICE) throw IoErrors.failure("write", name, "it is a block device; give a file instead");
                if (type == SOCKET) throw IoErrors.failure("write", name, "it is a socket; give a file instead");
                return; // a FIFO or a character device: opening it to try would wait for a reader
            }
            Path file = existing == null ? linkTarget(target) : target.toRealPath();
            Files.createDirectories(file.getParent());
            Files.delete(createTemp(file.getParent(), file.getFileName().toString()));
        } catch (IOException e) {
            throw IoErrors.failure("write", name, e);
        }
    }

    /** What is at the end of {@code p}'s links, or null when nothing is (no file, or a dangling link). */
    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Where a new file must go so that {@code p} names it: {@code p}, or the target of the chain of links it starts. */
    private static Path linkTarget(Path p) throws IOException {
        Path at = p.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(at); hops++) {
            if (hops == MAX_LINKS) throw IoErrors.failure("write", p.toString(), "too many levels of symbolic links");
            at = at.getParent().resolve(Files.readSymbolicLink(at)).normalize();
        }
        return at;
    }

    /** The atomic path: a temporary file beside {@code file}, renamed over it. */
    private static void replace(Path file, String name, IoWriter body, boolean durable) throws IOException {
        Path dir = file.getParent();
        Path tmp = null;
        boolean replaced = false;
        try {
            Files.createDirectories(dir);
            tmp = createTemp(dir, file.getFileName().toString());
            keepPermissions(file, tmp);
            writeAndSync(tmp, body, durable);
            rename(tmp, file);
            replaced = true;
        } finally {
            if (!replaced) deleteQuietly(tmp);
        }
        if (durable) syncDirectory(dir);
    }

    /** Forces a regular file written with {@code durable} false, and its directory, to disk (nothing for standard output or a stream). */
    public static void sync(Path target) {
        if (isStandardOutput(target)) return;
        try {
            BasicFileAttributes existing = attributes(target);
            if (existing == null || !existing.isRegularFile()) return;
            Path file = target.toRealPath();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            syncDirectory(file.getParent());
        } catch (IOException e) {
            throw IoErrors.failure("write", target.toString(), e);
        }
    }

    /**
     * A FIFO or a character device is written into, not replaced: replacing would turn
     * {@code /dev/null} or a named pipe into a regular file. Not atomic: a stream has no old content
     * to keep. Block devices and sockets are refused: no command's output belongs there.
     */
    private static void writeInto(Path target, String name, IoWriter body) throws IOException {
        int type = unixFileType(target);
        if (type == BLOCK_DEVICE) throw IoErrors.failure("write", name, "it is a block device; give a file instead");
        if (type == SOCKET) throw IoErrors.failure("write", name, "it is a socket; give a file instead");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target, StandardOpenOption.WRITE), 1 << 16)) {
            body.write(new KeepOpen(out));
        }
    }

    /** The file type bits of {@code st_mode}, or -1 where the platform does not tell them. */
    private static int unixFileType(Path p) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:mode")) & TYPE_MASK;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return -1;
        }
    }

    /** {@code -o -}: the content goes to standard output, which the caller keeps free of anything else. */
    private static void writeToStandardOutput(IoWriter body) {
        PrintStream out = System.out;
        try {
            body.write(new KeepOpen(out));
        } catch (IOException e) {
            throw IoErrors.failure("write", "standard output", e);
        }
        out.flush();
        if (out.checkError()) throw IoErrors.failure("write", "standard output", "the stream was closed or failed");
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

    /** A file that is replaced keeps its permissions (a group-readable weights file stays so). */
    private static void keepPermissions(Path file, Path tmp) throws IOException {
        PosixFileAttributeView old = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (old == null || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return;
        Files.setPosixFilePermissions(tmp, old.readAttributes().permissions());
    }

    private static void writeAndSync(Path tmp, IoWriter body, boolean durable) throws IOException {
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            body.write(new KeepOpen(buffered));
            buffered.flush();
            // Without this, a crash soon after the rename can leave the target empty on some filesystems.
            if (durable) channel.force(true);
        }
    }

    private static void rename(Path tmp, Path file) throws IOException {
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
