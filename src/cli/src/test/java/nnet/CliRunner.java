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

    /** {@link #run} with {@code input} as standard input ({@code --input -}). */
    public static CliRunner runWithInput(String input, String... args) {
        java.io.InputStream oldIn = System.in;
        synchronized (CliRunner.class) {
            try {
                System.setIn(new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
                return run(args);
            } finally {
                System.setIn(oldIn);
            }
        }
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

    /**
     * {@code command} as a process, as a user's shell runs it (without the JVM options of the test's
     * environment), with {@code input} on its standard input: its exit code and both streams.
     */
    public static CliRunner process(java.util.Map<String, String> env, String input, java.util.List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the process ended");
        return new CliRunner(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    /** {@code java -jar JAR args} as a user runs it (no JVM flags), with {@code env} added to the environment. */
    public static CliRunner javaJar(java.util.Map<String, String> env, java.nio.file.Path jar, String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(java.util.List.of(args));
        return process(env, "", command);
    }

    /** A user error: exit 1, {@code expected} on stderr, and no stack trace. */
    public void assertUserError(String expected) {
        assertEquals(1, exit, out + err);
        assertTrue(err.contains(expected), "stderr lacks '" + expected + "':\n" + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "a user error printed a stack trace:\n" + err);
    }
}
