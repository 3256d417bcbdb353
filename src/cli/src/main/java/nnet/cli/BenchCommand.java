package nnet.cli;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.ir.Op;
import java.util.List;
import java.util.Map;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.TrainDefaults;
import nnet.runtime.UserError;
import nnet.runtime.Vectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", description = {
        "Measures what a network costs: runs train steps until they allocate nothing (the JIT has compiled every kernel),",
        "warms up, then prints forward_us_per_sample and train_step_us_per_sample (one step of the file's optimizer",
        "over a batch, per sample) on random inputs, the bytes a warm step allocated and the seconds the steady state took.",
        "For numbers to compare, see BENCHMARKS.md."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--batch", defaultValue = "1", description = "samples per train step (default ${DEFAULT-VALUE})") int batch;
    @Option(names = "--seconds", defaultValue = "2", description = "time to measure each figure, after as long a warm-up (default ${DEFAULT-VALUE})") double seconds;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;
    @Option(names = "--optimizer", description = "sgd, adam or adamw instead of the file's train { } optimizer") String optimizer;
    @Option(names = "--lr", description = "the optimizer's learning rate (default: the file's, else the optimizer's)") Double lr;
    @Option(names = "--kernels", defaultValue = "auto", description = "vector, plain or auto (default: vector when the JVM has jdk.incubator.vector): which kernels run a batch's tiles")
    String kernels;

    @Override
    public Integer call() {
        if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
        if (!(seconds > 0) || seconds > 600) throw new UserError("--seconds must be in (0, 600], got " + seconds);
        Graph g = Sources.graph(file, network);
        if (g.hasLoss() && batch < 2 && g.nodes().stream().anyMatch(n -> Op.BATCH_COUPLED.contains(n.op())))
            throw new UserError("network " + g.name() + " has a batchnorm, which normalizes by its batch's statistics in a train step: a batch of 1 cannot be"
                    + " normalized, so bench measures its train step with --batch 2 or more (e.g. --batch 32)");
        Network net = instantiate(g);
        net.loadWeights(InitialWeights.stored(g, 1, nnet.runtime.io.SparseWeights.ALWAYS));
        if (g.hasLoss() && (optimizer != null || lr != null)) { // the file's settings, but what the flags say
            TrainDefaults file = net.trainDefaults();
            String kind = optimizer != null ? optimizer : file.optimizer();
            Map<String, Double> args = new java.util.HashMap<>(kind.equals(file.optimizer()) ? file.optimizerArgs() : Map.of());
            if (lr != null) args.put("lr", lr);
            net.setOptimizer(Optimizer.of(kind, args));
        }
        SplittableRandom rnd = new SplittableRandom(1);
        float[][][] x = new float[batch][g.inputs().size()][];
        float[][] t = new float[batch][];
        for (int s = 0; s < batch; s++) {
            for (int k = 0; k < g.inputs().size(); k++) x[s][k] = random(g.inputs().get(k).shape().size(), net.tokenInputs().get(g.inputs().get(k).name()), rnd);
            if (g.hasLoss()) t[s] = Network.Loss.sampleTarget(net.losses(), rnd);
        }
        Runnable forward = batch == 1 ? () -> net.forward(x[0]) : () -> net.forwardBatch(x, java.util.List.of());
        Runnable train = () -> net.trainStep(x, t);
        double steady = steadyState(g.hasLoss() ? train : forward);
        Timing f = microsPerSample(forward);
        System.out.printf("forward_us_per_sample: %.3f%n", f.wall());
        if (!g.hasLoss()) {
            System.err.println("(no loss statement: nothing to train, so no train_step_us_per_sample)");
            System.out.printf("steady_state_seconds: %.1f%n", steady);
            System.out.printf("forward_cpu_us_per_sample: %.3f%n", f.cpu());
            return 0;
        }
        Timing step = microsPerSample(train);
        System.out.printf("train_step_us_per_sample: %.3f%n", step.wall());
        // a warm step allocates nothing; bytes here mean the JIT runs some kernel's vectors boxed (slow)
        System.out.printf("train_step_bytes_allocated: %d%n", allocatedBy(train));
        System.out.printf("steady_state_seconds: %.1f%n", steady);
        System.out.printf("forward_cpu_us_per_sample: %.3f%n", f.cpu());
        System.out.printf("train_step_cpu_us_per_sample: %.3f%n", step.cpu());
        return 0;
    }

    /** Steps in a row that must allocate nothing before the JIT is taken to have compiled every kernel. */
    private static final int STEADY_STEPS = 3;
    /** How long {@link #steadyState} waits at most: this many times {@code --seconds}, and never more than 120 s. */
    private static final double STEADY_LIMIT = 40;

    /**
     * Runs {@code step} until {@link #STEADY_STEPS} runs in a row allocate nothing (at most
     * {@link #STEADY_LIMIT} times {@code --seconds}) and returns the seconds that took. Until C2 has compiled a
     * kernel, its Vector API operations run as calls on boxed vectors (10-45 times slower), and a
     * kernel called once a step (a bias, a head's product) reaches C2 only after hundreds of calls:
     * a fixed warm-up measured a mix of the two on slow networks and busy machines.
     */
    private double steadyState(Runnable step) {
        long start = System.nanoTime(), limit = (long) (Math.min(120, STEADY_LIMIT * seconds) * 1e9);
        for (int clean = 0; clean < STEADY_STEPS && System.nanoTime() - start < limit; )
            clean = allocatedBy(step) == 0 ? clean + 1 : 0;
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Bytes that every thread of the process allocated while {@code step} ran once. The counters are read
     * one thread at a time into an array made before the step: that allocates nothing, compiled or
     * interpreted, so the figure is the step's alone. (Summing the counters with a stream allocated 120 bytes
     * a read unless C2 had scalar-replaced the stream at that call site, and "what reading allocates" was
     * measured at other call sites than the step's: the figure depended on how C2 had compiled this method.)
     */
    private static long allocatedBy(Runnable step) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream().mapToLong(Thread::getId).toArray();
        long[] before = new long[ids.length];
        for (int k = 0; k < ids.length; k++) before[k] = threads.getThreadAllocatedBytes(ids[k]);
        step.run();
        long bytes = 0;
        for (int k = 0; k < ids.length; k++) {
            long after = threads.getThreadAllocatedBytes(ids[k]); // -1 for a thread that has ended
            if (after >= 0 && before[k] >= 0) bytes += after - before[k];
        }
        return bytes;
    }

    /** The network with the tile kernels asked for: a generated class reads {@code nnet.vector} as it is initialised. */
    private Network instantiate(Graph g) {
        if (!List.of("auto", "vector", "plain").contains(kernels)) throw new UserError("--kernels takes vector, plain or auto, got " + kernels);
        if (kernels.equals("vector") && !Vectors.available())
            throw new UserError("--kernels vector needs the JVM started with --add-modules=" + Vectors.MODULE + " (./nnetc does that)");
        if (!kernels.equals("auto")) System.setProperty("nnet.vector", Boolean.toString(kernels.equals("vector")));
        int slots = Optimizer.of(optimizer != null ? optimizer : g.train().optimizer(), g.train().optimizerArgs()).stateValuesPerWeight();
        MemoryNeeds.Use use = !g.hasLoss() ? MemoryNeeds.Use.FORWARD : MemoryNeeds.Use.TRAINING;
        MemoryNeeds.check(g, use, slots, batch, "bench");
        return Sources.instantiate(g, use, slots, "bench");
    }

    /**
     * Microseconds per sample: elapsed, and the CPU time the process's threads spent (all cores
     * together; on a machine shared with other work it moves less than the elapsed time).
     */
    record Timing(double wall, double cpu) {}

    /** Runs {@code batchOfWork} (one batch) for {@code seconds} to warm up, then as long again timed. */
    private Timing microsPerSample(Runnable batchOfWork) {
        long budget = (long) (seconds * 1e9);
        for (long start = System.nanoTime(); System.nanoTime() - start < budget; ) batchOfWork.run();
        long runs = 0, cpu = cpuNanos(), start = System.nanoTime(), elapsed;
        do {
            batchOfWork.run();
            runs++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        cpu = cpuNanos() - cpu;
        return new Timing(elapsed / 1e3 / (runs * batch), cpu / 1e3 / (runs * batch));
    }

    /** CPU time of every thread of the process that runs Java code, in nanoseconds. */
    private static long cpuNanos() {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
        return sum;
    }

    /** Uniform in [-1, 1), or token ids below {@code vocabulary} for an input of them (else null). */
    private static float[] random(int n, Integer vocabulary, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = vocabulary != null ? rnd.nextInt(vocabulary) : (float) rnd.nextDouble(-1, 1);
        return v;
    }
}
