package nnet.runtime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives {@code java -jar NET.jar} the fast path without flags. No manifest attribute adds a
 * module, so a JVM started without {@code jdk.incubator.vector} starts the same program again
 * with {@code --add-modules jdk.incubator.vector} and {@link Vectors#JIT_OPTIONS} (about a quarter of a second) and exits with
 * its code; the module's one-line warning goes to standard error, never to standard output.
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
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put(RELAUNCHED, "1");
        try {
            Process child = pb.start();
            // a signal to this JVM (kill PID, a supervisor's stop) reaches the program: it runs its own shutdown hooks (train syncs its checkpoint)
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(child), "nnet-launcher-forward"));
            System.exit(child.waitFor());
        } catch (IOException e) {
            // this JVM runs it, with the plain kernels
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(130);
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
