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
    public static synchronized CliRunner run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new CliRunner(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
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
