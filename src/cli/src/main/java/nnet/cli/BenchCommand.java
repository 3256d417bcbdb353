package nnet.cli;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
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
        "Measures what a network costs: warms up, then prints forward_us_per_sample and train_step_us_per_sample",
        "(one step of the file's optimizer over a batch, per sample) on random inputs. For numbers to compare, see BENCHMARKS.md (JMH)."})
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
        Network net = instantiate(g);
        net.loadWeights(InitialWeights.stored(g, 1, nnet.runtime.SparseWeights.ALWAYS));
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
        System.out.printf("forward_us_per_sample: %.3f%n", microsPerSample(forward));
        if (!g.hasLoss()) {
            System.err.println("(no loss statement: nothing to train, so no train_step_us_per_sample)");
            return 0;
        }
        System.out.printf("train_step_us_per_sample: %.3f%n", microsPerSample(() -> net.trainStep(x, t)));
        // a warm step allocates nothing; bytes here mean the JIT runs some kernel's vectors boxed (slow)
        System.out.printf("train_step_bytes_allocated: %d%n", allocatedBy(() -> net.trainStep(x, t)));
        return 0;
    }

    /** Bytes that every thread of the process allocated while {@code step} ran once. */
    private static long allocatedBy(Runnable step) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream().mapToLong(Thread::getId).toArray();
        long before = java.util.Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum();
        long empty = java.util.Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum() - before; // what reading the counters allocates
        before = java.util.Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum();
        step.run();
        return Math.max(0, java.util.Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum() - before - empty);
    }

    /** The network with the tile kernels asked for: a generated class reads {@code nnet.vector} as it is initialised. */
    private Network instantiate(Graph g) {
        if (!List.of("auto", "vector", "plain").contains(kernels)) throw new UserError("--kernels takes vector, plain or auto, got " + kernels);
        if (kernels.equals("vector") && !Vectors.available())
            throw new UserError("--kernels vector needs the JVM started with --add-modules=" + Vectors.MODULE + " (./nnetc does that)");
        if (!kernels.equals("auto")) System.setProperty("nnet.vector", Boolean.toString(kernels.equals("vector")));
        int slots = Optimizer.of(optimizer != null ? optimizer : g.train().optimizer(), g.train().optimizerArgs()).stateValuesPerWeight();
        return Sources.instantiate(g, !g.hasLoss() ? MemoryNeeds.Use.FORWARD : MemoryNeeds.Use.TRAINING, slots, "bench");
    }

    /** Runs {@code batchOfWork} (one batch) for {@code seconds} to warm up, then as long again timed; microseconds per sample. */
    private double microsPerSample(Runnable batchOfWork) {
        long budget = (long) (seconds * 1e9);
        for (long start = System.nanoTime(); System.nanoTime() - start < budget; ) batchOfWork.run();
        long runs = 0, start = System.nanoTime(), elapsed;
        do {
            batchOfWork.run();
            runs++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        return elapsed / 1e3 / (runs * batch);
    }

    /** Uniform in [-1, 1), or token ids below {@code vocabulary} for an input of them (else null). */
    private static float[] random(int n, Integer vocabulary, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = vocabulary != null ? rnd.nextInt(vocabulary) : (float) rnd.nextDouble(-1, 1);
        return v;
    }
}
