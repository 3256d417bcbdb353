package nnet.runtime.jar;

import nnet.runtime.Vectors;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives {@code java -jar NET.jar} the fast path without flags. No manifest attribute adds a
 * module, so a JVM started without {@code jdk.incubator.vector} starts the same program again
 * with {@code --add-modules jdk.incubator.vector} and {@link Vectors#JIT_OPTIONS} (about a quarter of a second) and exits with
 * its code. The started JVM's standard error passes through this one, without the module's
 * one-line warning ({@link IncubatorWarningFilter}): standard error is kept for what the user must read.
 * {@code -Dnnet.vector=false} or {@code NNET_VECTOR=false} keeps the plain kernels and this JVM.
 */
public final class Launcher {
    private Launcher() {}

    /** Set in the started JVM: it never starts another. */
    static final String RELAUNCHED = "NNET_RELAUNCHED";

    /** Returns when this JVM should run the program itself; otherwise exits with the exit code of the JVM it started. */
    public static void withVectorModule(Class<?> main, String[] args) {
        if (Vectors.available() || System.getenv(RELAUNCHED) != null || Vectors.plainAsked()) return;
        String java = ProcessHandle.current().info().command().orElse(null);
        if (java == null) return;
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("--add-modules=" + Vectors.MODULE);
        command.addAll(Vectors.JIT_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        // standard input and output stay this JVM's own (a terminal stays a terminal: System.console() reads those two)
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.PIPE);
        pb.environment().put(RELAUNCHED, "1");
        try {
            Process child = pb.start();
            Thread errors = new Thread(() -> copyErrors(child), "nnet-launcher-stderr");
            errors.setDaemon(true);
            errors.start();
            // a signal to this JVM (kill PID, a supervisor's stop) reaches the program: it runs its own shutdown hooks (train syncs its checkpoint)
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(child), "nnet-launcher-forward"));
            int code = child.waitFor();
            errors.join(); // every byte the program wrote to standard error is out before this JVM exits
            System.exit(code);
        } catch (IOException e) {
            // this JVM runs it, with the plain kernels
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(130);
        }
    }

    private static void copyErrors(Process child) {
        try (var in = child.getErrorStream()) {
            IncubatorWarningFilter.copy(in, new FileOutputStream(FileDescriptor.err));
        } catch (IOException e) {
            // the pipe broke: the child has gone, and its exit code says how
        }
    }

    /** Asks the started JVM to stop as this one does (SIGTERM), and gives its shutdown hooks time to finish. */
    private static void stop(Process child) {
        if (!child.isAlive()) return;
        child.destroy();
        try {
            child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
