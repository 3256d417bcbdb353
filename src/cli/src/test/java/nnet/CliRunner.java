package nnet;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import nnet.cli.Main;

/** Runs {@code nnetc} in process and captures what it prints. */
public record CliRunner(int exit, String out, String err) {
    public static CliRunner run(String... args) {
        Captured c = capture(args);
        return new CliRunner(c.exit, c.out.toString(StandardCharsets.UTF_8), c.err.toString(StandardCharsets.UTF_8));
    }

    /** Standard output as bytes, for commands that write a binary file there ({@code -o -}); fails unless the command succeeds. */
    public static byte[] runBytes(String... args) {
        Captured c = capture(args);
        if (c.exit != 0) throw new AssertionError("exit " + c.exit + ": " + c.err.toString(StandardCharsets.UTF_8));
        return c.out.toByteArray();
    }

    private record Captured(int exit, ByteArrayOutputStream out, ByteArrayOutputStream err) {}

    private static synchronized Captured capture(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Captured(Main.run(args), out, err);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A user error: exit 1, {@code expected} on stderr, and no stack trace. */
    public void assertUserError(String expected) {
        assertEquals(1, exit, out + err);
        assertTrue(err.contains(expected), "stderr lacks '" + expected + "':\n" + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "a user error printed a stack trace:\n" + err);
    }
}
