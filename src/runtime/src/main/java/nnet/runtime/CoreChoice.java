package nnet.runtime;

/**
 * Whether a train step's rounds (a split batch's parts, the sums over replicas, the passes over the
 * weights) run on the pool's threads or one after another on the calling thread. The batch is split
 * the same either way, so the gradient and the weights are the same to the bit; only the time differs.
 * Threads are faster on a machine with a core free for each; where the cores are busy with other work,
 * or are two hyperthreads of one core (a 2-vCPU cloud VM, or this project's machines at times: the
 * dense MLP's step at batch 64 took 13-17 µs a sample on two threads against 10.5-14 on one), they
 * are slower. So the train steps measure both: {@link #PROBE_STEPS} steps each way, alternated, and the
 * rounds run the way whose fastest step per sample was faster until the next probe. The first probe
 * starts after {@link #FIRST_PROBE} steps, each next one twice as many steps after the last one's
 * start, then every {@link #PROBE_EVERY} steps but not sooner than {@link #PROBE_NANOS} after the
 * last: the early probes run while the JIT still compiles, and a choice made then is soon made again;
 * later ones cost at most 4 slower steps in 512, and in 10 seconds (an lstm's step at batch 64 took
 * 34 ms, so 4 of them in every 17 s cost some 5% of a 3 s `bench` window that held a probe).
 * {@code -Dnnet.rounds=threads} or {@code caller} decides instead.
 */
final class CoreChoice {
    static final int FIRST_PROBE = 16;
    static final int PROBE_STEPS = 4;
    static final int PROBE_EVERY = 512;
    static final long PROBE_NANOS = 10_000_000_000L;

    enum Mode { ADAPTIVE, THREADS, CALLER }

    private final Mode mode;
    /** Train steps timed so far. */
    private long steps;
    /** Where the next probe starts, and the steps from its start to the one after. */
    private long probeStart = FIRST_PROBE, gap = FIRST_PROBE;
    /** Time the train steps took since the last probe ended. */
    private long sinceProbe;
    /** The choice between probes. */
    private boolean onCaller;
    /** A probe's fastest step on threads and on the caller, in nanoseconds per sample. */
    private double bestThreads = Double.MAX_VALUE, bestCaller = Double.MAX_VALUE;

    CoreChoice(Mode mode) {
        this.mode = mode;
    }

    /** {@code -Dnnet.rounds=adaptive} (the default), {@code threads} or {@code caller}. */
    static CoreChoice fromProperty() {
        String asked = System.getProperty("nnet.rounds", "adaptive");
        return switch (asked) {
            case "adaptive" -> new CoreChoice(Mode.ADAPTIVE);
            case "threads" -> new CoreChoice(Mode.THREADS);
            case "caller" -> new CoreChoice(Mode.CALLER);
            default -> throw new UserError("-Dnnet.rounds=" + asked + ": expected adaptive, threads or caller");
        };
    }

    /** Whether the next train step's rounds run on the calling thread. */
    boolean onCaller() {
        return switch (mode) {
            case THREADS -> false;
            case CALLER -> true;
            case ADAPTIVE -> probing() ? probeStep() % 2 == 1 : onCaller;
        };
    }

    /** A train step ran its rounds on the caller or not, in {@code nanos} for {@code samples}. */
    void took(boolean caller, long nanos, int samples) {
        sinceProbe += nanos;
        if (mode == Mode.ADAPTIVE && probing()) {
            double perSample = (double) nanos / Math.max(1, samples);
            if (caller) bestCaller = Math.min(bestCaller, perSample);
            else bestThreads = Math.min(bestThreads, perSample);
            if (probeStep() == 2 * PROBE_STEPS - 1) {
                onCaller = bestCaller < bestThreads;
                bestThreads = bestCaller = Double.MAX_VALUE;
                probeStart += gap;
                gap = Math.min(2 * gap, PROBE_EVERY);
                sinceProbe = 0;
            }
        }
        steps++;
        if (mode == Mode.ADAPTIVE && steps == probeStart && gap == PROBE_EVERY && sinceProbe < PROBE_NANOS) probeStart++; // not yet: too soon
    }

    private boolean probing() {
        return steps >= probeStart && probeStep() < 2 * PROBE_STEPS;
    }

    /** The step's place in the current probe. */
    private long probeStep() {
        return steps - probeStart;
    }
}
