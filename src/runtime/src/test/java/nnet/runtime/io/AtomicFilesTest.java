package nnet.runtime.io;

import nnet.runtime.io.AtomicFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path target = dir.resolve("a/b/out.txt");
        AtomicFiles.write(target, out -> out.write(bytes("hello")));
        assertEquals("hello", Files.readString(target));
    }

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("out.txt");
        Files.writeString(target, "old content that is longer");
        AtomicFiles.write(target, out -> out.write(bytes("new")));
        assertEquals("new", Files.readString(target));
        assertEquals(List.of(target), filesIn(dir));
    }

    @Test
    void theBodyMayCloseItsStream() throws IOException {
        Path target = dir.resolve("out.txt");
        AtomicFiles.write(target, out -> {
            try (out) {
                out.write(bytes("closed early"));
            }
        });
        assertEquals("closed early", Files.readString(target));
    }

    @Test
    void aBodyThrowingAnUncheckedExceptionLeavesTheOldFile() throws IOException {
        Path target = dir.resolve("out.txt");
        Files.writeString(target, "old");
        IllegalStateException thrown = new IllegalStateException("boom");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]); // past the buffer, so part of it reached the temporary file
            throw thrown;
        }));

        assertSame(thrown, e);
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), filesIn(dir));
    }

    @Test
    void aBodyThrowingAnIoExceptionGivesAnUncheckedOneNamingTheTarget() throws IOException {
        Path target = dir.resolve("out.txt");
        Files.writeString(target, "old");
        IOException cause = new IOException("disk full");

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(bytes("partial"));
            throw cause;
        }));

        assertEquals("cannot write " + target + ": disk full", e.getMessage());
        assertSame(cause, e.getCause());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), filesIn(dir));
    }

    @Test
    void aTargetThatCannotBeReplacedIsReportedAndCleanedUp() throws IOException {
        Path target = dir.resolve("taken");
        Files.createDirectories(target.resolve("child"));

        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> AtomicFiles.write(target, out -> out.write(bytes("x"))));

        assertTrue(e.getMessage().startsWith("cannot write " + target + ": "), e.getMessage());
        assertEquals(List.of(target), filesIn(dir));
    }

    @Test
    void theNewFileHasTheUsualPermissionsOfANewFile() throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX permissions");
        Path ordinary = Files.createFile(dir.resolve("ordinary"));
        Path target = dir.resolve("atomic");

        AtomicFiles.write(target, out -> out.write(bytes("x")));

        assertEquals(Files.getPosixFilePermissions(ordinary), Files.getPosixFilePermissions(target));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
