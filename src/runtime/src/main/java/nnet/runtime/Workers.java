package nnet.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run one round of jobs at a time, handed over without allocating:
 * job 0 runs on the calling thread, job w on thread w, and the caller waits for all of them. A
 * train step's parts and the optimizer's shares of the weights run this way, so a warmed train
 * step allocates nothing (tested). Threads are daemons; a job's exception is rethrown by
 * {@link #run} on the caller.
 */
final class Workers {
    /**
     * How long a thread spins for the next round, or the caller for the round's end, before it parks:
     * a parked thread took some 40 µs to wake on these machines, which at batch 1 cost more than the
     * share of work it was woken for (as OpenMP's and OpenBLAS's threads, these spin a while first).
     */
    private static final long SPIN_NANOS = 100_000;

    private final Runnable[] jobs;
    private final Thread[] threads;
    private final Throwable[] failures;
    private final AtomicInteger remaining = new AtomicInteger();
    /** Bumped for each round; a thread runs its job when it sees a new one. */
    private volatile int round;
    /** Jobs in the current round. */
    private volatile int active;
    private volatile Thread caller;

    /** @param jobs job w of every round; the array is read at each round, so callers may set its entries before calling {@link #run} */
    Workers(String name, Runnable[] jobs) {
        this.jobs = jobs;
        this.failures = new Throwable[jobs.length];
        this.threads = new Thread[jobs.length];
        for (int w = 1; w < jobs.length; w++) {
            int id = w;
            threads[w] = new Thread(() -> serve(id), name + "-" + w);
            threads[w].setDaemon(true);
            threads[w].start();
        }
    }

    int size() {
        return jobs.length;
    }

    /** The threads of this pool (for tests that count what they allocate). */
    Thread[] threads() {
        return threads.clone();
    }

    /** Runs jobs {@code [0, count)}: 0 here, the others on their threads; returns when all are done. */
    void run(int count) {
        if (count > jobs.length) throw new IllegalArgumentException(count + " jobs for " + jobs.length + " workers");
        caller = Thread.currentThread();
        active = count;
        remaining.set(count - 1);
        round++;
        for (int w = 1; w < count; w++) LockSupport.unpark(threads[w]);
        try {
            jobs[0].run();
        } finally {
            long since = System.nanoTime();
            while (remaining.get() > 0)
                if (System.nanoTime() - since < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.park(this);
        }
        for (int w = 1; w < count; w++) {
            Throwable t = failures[w];
            if (t == null) continue;
            failures[w] = null;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new IllegalStateException(t);
        }
    }

    /** Runs jobs {@code [0, count)} one after another on the calling thread: what {@link #run} computes, without the threads ({@link CoreChoice}). */
    void runOnCaller(int count) {
        if (count > jobs.length) throw new IllegalArgumentException(count + " jobs for " + jobs.length + " workers");
        for (int w = 0; w < count; w++) jobs[w].run();
    }

    private void serve(int id) {
        int seen = 0;
        while (true) {
            long since = System.nanoTime();
            while (round == seen)
                if (System.nanoTime() - since < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.park(this);
            seen = round;
            if (id >= active) continue;
            try {
                jobs[id].run();
            } catch (Throwable t) {
                failures[id] = t;
            }
            if (remaining.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }
}
