package nnet.fuzz;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * Runs one fuzz input with a deadline: an input that takes longer hangs (an exponential expansion,
 * a quadratic scan), which is a failure like an exception. The work runs on a thread of its own
 * with the JVM's default stack, as the command line's main thread and the language server's
 * worker have, so a recursion too deep for them fails here too; its exceptions and errors are
 * rethrown as they are.
 */
final class Watchdog {
    static final Duration LIMIT = Duration.ofSeconds(Long.getLong("nnet.fuzz.timeout", 20));
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-input");
        t.setDaemon(true);
        return t;
    });

    private Watchdog() {}

    interface Work {
        void run() throws Exception;
    }

    static void run(String what, Work work) throws Exception {
        Future<?> f = WORKER.submit(() -> {
            work.run();
            return null;
        });
        try {
            f.get(LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("hang: " + what + " took longer than " + LIMIT.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) throw ex;
            if (cause instanceof Error err) throw err;
            throw e;
        }
    }
}
