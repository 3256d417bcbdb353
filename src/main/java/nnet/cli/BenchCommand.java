package nnet.cli;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.ir.Node;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.UserError;
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

    @Override
    public Integer call() {
        if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
        if (!(seconds > 0) || seconds > 600) throw new UserError("--seconds must be in (0, 600], got " + seconds);
        Graph g = Sources.graph(file, network);
        int slots = Optimizer.of(g.train().optimizer(), g.train().optimizerArgs()).stateValuesPerWeight();
        Network net = Sources.instantiate(g, g.loss() == null ? MemoryNeeds.Use.FORWARD : MemoryNeeds.Use.TRAINING, slots, "bench");
        net.loadWeights(InitialWeights.of(g, 1));
        SplittableRandom rnd = new SplittableRandom(1);
        float[][][] x = new float[batch][g.inputs().size()][];
        float[][] t = new float[batch][];
        for (int s = 0; s < batch; s++) {
            for (int k = 0; k < g.inputs().size(); k++) x[s][k] = random(g.inputs().get(k).shape().size(), rnd);
            if (g.loss() != null) t[s] = target(g.loss().output(), g.loss().kind(), rnd);
        }
        Runnable forward = batch == 1 ? () -> net.forward(x[0]) : () -> net.forwardBatch(x, java.util.List.of());
        System.out.printf("forward_us_per_sample: %.3f%n", microsPerSample(forward));
        if (g.loss() == null) {
            System.err.println("(no loss statement: nothing to train, so no train_step_us_per_sample)");
            return 0;
        }
        System.out.printf("train_step_us_per_sample: %.3f%n", microsPerSample(() -> net.trainStep(x, t)));
        return 0;
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

    private static float[] random(int n, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextDouble(-1, 1);
        return v;
    }

    /** A target the loss accepts: one-hot class rows for cross_entropy, probabilities for binary_cross_entropy. */
    private static float[] target(Node out, String loss, SplittableRandom rnd) {
        int m = out.shape().last();
        float[] t = new float[out.shape().size()];
        for (int from = 0; from < t.length; from += m)
            for (int j = 0; j < m; j++) t[from + j] = loss.equals("mse") ? (float) rnd.nextDouble(-1, 1) : loss.equals("binary_cross_entropy") ? rnd.nextInt(2) : 0;
        if (loss.equals("cross_entropy")) for (int from = 0; from < t.length; from += m) t[from + rnd.nextInt(m)] = 1;
        return t;
    }
}
