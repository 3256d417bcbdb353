package nnet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import nnet.ir.Graph;
import nnet.runtime.AtomicFiles;
import nnet.runtime.Csv;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.Safetensors;
import nnet.runtime.SparseWeights;
import nnet.runtime.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "train", description = {
        "Trains a network on CSV rows with its generated backward pass and writes the weights.",
        "Settings default to the file's train { } block; the weights file is rewritten atomically after every epoch (a checkpoint)."})
final class TrainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--input", required = true, description = "X.csv or X.npy, or name=X.csv for each input (an .npz gives each input its array of that name)") List<String> inputs;
    @Option(names = "--target", required = true, paramLabel = "T.csv", description = "one row per input row, shaped like the loss's output (.csv, .npy, or the array 'target' or only array of an .npz)") Path target;
    @Option(names = "--weights", paramLabel = "W0.safetensors", description = "start from these weights (default: initialised with --seed)") Path weights;
    @Option(names = "--epochs", description = "passes over the data (default: the train block's, else 10)") Integer epochs;
    @Option(names = "--batch", description = "samples per step (default: the train block's, else 32)") Integer batch;
    @Option(names = "--optimizer", description = "sgd, adam or adamw (default: the train block's, else adam)") String optimizer;
    @Option(names = "--lr", description = "learning rate (default: the train block's, else the optimizer's)") Double lr;
    @Option(names = "--seed", defaultValue = "1", description = "seed of the initial weights and of the shuffling (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--plot", paramLabel = "loss.png", description = "draw the loss curve (mean loss of each step) to this PNG") Path plot;
    @Option(names = "--quiet", description = "no progress bar") boolean quiet;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;
    @picocli.CommandLine.Mixin SparseWeightsOption sparseWeights;
    /** How the weights are written after each epoch. */
    private SparseWeights layout;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "W.safetensors",
            description = "where to write the weights, after every epoch (- for standard output: once, at the end)") Path output;

    @Override
    public Integer call() {
        Graph g = Sources.trainable(file, network);
        layout = sparseWeights.layoutFor(g); // before any work: a run must not fail at its end
        Graph.TrainSettings d = g.train();
        int nEpochs = positive("--epochs", epochs != null ? epochs : d.epochs());
        int batchLimit = positive("--batch", batch != null ? batch : d.batch());
        Map<String, Double> args = new LinkedHashMap<>(d.optimizerArgs());
        if (lr != null) args.put("lr", lr);
        Optimizer opt = Optimizer.of(optimizer != null ? optimizer : d.optimizer(), args);
        Network net = Sources.instantiate(g, MemoryNeeds.Use.TRAINING, opt.stateValuesPerWeight(), "train");
        Sources.loadWeights(net, g, weights, seed);
        TrainingData data = TrainingData.read(net, inputs, target, g.loss().function());
        int batchSize = Math.min(batchLimit, data.rows());
        net.setOptimizer(opt);

        List<Float> curve = new ArrayList<>();
        float epochLoss = train(net, g.name(), data, nEpochs, batchSize, curve);
        if (AtomicFiles.isStandardOutput(output)) Safetensors.write(output, net.saveWeights(layout));
        if (plot != null) LossPlot.write(plot, curve, g.name() + ": loss per step (" + g.loss().function() + ")");
        // with -o -, standard output holds the weights file and nothing else
        PrintStream report = AtomicFiles.isStandardOutput(output) ? System.err : System.out;
        report.println("trained " + g.name() + ": " + nEpochs + " epochs of " + data.rows() + " rows, batch " + batchSize
                + "; mean loss of the last epoch " + Csv.format(epochLoss));
        Accuracy.of(net, Sources.nameOf(g, g.loss().output()), g.loss().function(), data).ifPresent(a -> report.println("accuracy on the training rows: " + a));
        report.println("weights: " + (AtomicFiles.isStandardOutput(output) ? "standard output" : output));
        return 0;
    }

    private static int positive(String flag, int v) {
        if (v < 1) throw new UserError(flag + " must be at least 1, got " + v);
        return v;
    }

    /** Epochs of shuffled mini-batches; after each, the weights file is rewritten atomically. Returns the last epoch's mean loss. */
    private float train(Network net, String name, TrainingData data, int nEpochs, int batchSize, List<Float> curve) {
        int rows = data.rows(), steps = (rows + batchSize - 1) / batchSize;
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        SplittableRandom shuffle = new SplittableRandom(seed);
        float epochLoss = Float.NaN;
        long start = System.nanoTime(), seen = 0;
        try (ProgressBar bar = progressBar(name, (long) nEpochs * steps)) {
            for (int epoch = 1; epoch <= nEpochs; epoch++) {
                for (int i = rows - 1; i > 0; i--) { // Fisher–Yates, reproducible from --seed
                    int j = shuffle.nextInt(i + 1), t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                double sum = 0;
                for (int from = 0; from < rows; from += batchSize) {
                    int n = Math.min(batchSize, rows - from);
                    float[][][] in = new float[n][][];
                    float[][] t = new float[n][];
                    for (int k = 0; k < n; k++) {
                        in[k] = data.inputs()[order[from + k]];
                        t[k] = data.targets()[order[from + k]];
                    }
                    float loss = net.trainStep(in, t);
                    if (!Float.isFinite(loss))
                        throw new UserError("training diverged in epoch " + epoch + " (loss " + loss + "); " + output
                                + (epoch > 1 ? " holds the weights of epoch " + (epoch - 1) : " was not written") + ". Try a smaller --lr.");
                    curve.add(loss);
                    sum += (double) loss * n;
                    seen += n;
                    if (bar != null) {
                        double seconds = (System.nanoTime() - start) / 1e9;
                        bar.step();
                        bar.setExtraMessage(String.format(" epoch %d loss %.4g %,.0f samples/s", epoch, loss, seen / Math.max(seconds, 1e-9)));
                    }
                }
                epochLoss = (float) (sum / rows);
                // a checkpoint: an interrupted run keeps the last full epoch (a stream gets the weights once, at the end)
                if (!AtomicFiles.isStandardOutput(output)) Safetensors.write(output, net.saveWeights(layout));
            }
        }
        return epochLoss;
    }

    private ProgressBar progressBar(String name, long steps) {
        if (quiet) return null;
        return new ProgressBarBuilder().setTaskName("train " + name).setInitialMax(steps).setUnit(" steps", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err, 110)).build();
    }
}
