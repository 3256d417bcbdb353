package nnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.runtime.AtomicFiles;
import nnet.runtime.LrSchedule;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.PredictOutput;
import nnet.runtime.Safetensors;
import nnet.runtime.SparseWeights;
import nnet.runtime.UserError;

/**
 * {@code nnetc train}'s epochs: shuffled mini-batches (Fisher–Yates from the seed), the learning
 * rate of the schedule before every step, the held-out rows evaluated after each epoch, and a
 * checkpoint: {@code -o} rewritten atomically after each epoch (with early stopping, only when
 * the watched figure improved, so it holds the best epoch's weights). Checkpoints are not synced
 * to disk each epoch (that cost milliseconds an epoch); the file is synced at the end, and on an
 * interrupt by a shutdown hook, so an interrupted run keeps its last full epoch.
 */
final class EpochLoop {
    /** What the run did. {@code kept}: the epoch whose weights the network holds now and {@code -o} got. */
    record Result(int epochsRun, float lastEpochLoss, int kept, Evaluation heldOut, boolean stoppedEarly) {}

    /**
     * One epoch's figures, as the line, the log and the plot show them: the training rows' (the mean
     * loss and penalty of the epoch's steps, and the figures of the predictions the steps made, as
     * Keras shows them) and the held-out rows' after the epoch (null without held-out rows).
     */
    record Report(int epoch, int epochs, long step, Evaluation training, Evaluation heldOut, double lr, double samplesPerSecond, double seconds) {}

    private final Network net;
    private final TrainingData data, heldOut;
    private final int epochs, batchSize, patience;
    private final long seed;
    private final LrSchedule schedule;
    private final Optimizer optimizer;
    private final Path output;
    /** How sparse kernels are written (--sparse-weights). */
    private final SparseWeights layout;
    private final TrainLog log;
    private final Progress progress;
    /** What the losses' outputs are (probabilities for the figures); what early stopping watches. */
    private final PredictOutput.LossOutputs outputs;
    private final Monitor monitor;
    /** Every epoch's report, for the plot. */
    final List<Report> history = new ArrayList<>();

    EpochLoop(Network net, TrainingData data, TrainingData heldOut, int epochs, int batchSize, int patience,
              long seed, LrSchedule schedule, Optimizer optimizer, Path output, SparseWeights layout, TrainLog log, Progress progress,
              PredictOutput.LossOutputs outputs, Monitor monitor) {
        this.net = net;
        this.data = data;
        this.heldOut = heldOut;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.patience = patience;
        this.seed = seed;
        this.schedule = schedule;
        this.optimizer = optimizer;
        this.output = output;
        this.layout = layout;
        this.log = log;
        this.progress = progress;
        this.outputs = outputs;
        this.monitor = monitor;
    }

    Result run() {
        boolean toFile = !AtomicFiles.isStandardOutput(output);
        Thread syncOnInterrupt = new Thread(this::finishQuietly, "nnet-train-checkpoint-sync");
        boolean hook = toFile || log != null;
        if (hook) Runtime.getRuntime().addShutdownHook(syncOnInterrupt);
        try {
            Result r = epochs();
            if (toFile) AtomicFiles.sync(output);
            if (log != null) log.finish();
            return r;
        } finally {
            if (hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(syncOnInterrupt);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook runs
                }
            }
        }
    }

    /** On an interrupt: the last checkpoint synced to disk, the log written whole. */
    private void finishQuietly() {
        try {
            if (!AtomicFiles.isStandardOutput(output)) AtomicFiles.sync(output);
            if (log != null) log.finish();
        } catch (RuntimeException e) {
            // nothing to report to during shutdown; each rename has already made its file whole
        }
    }

    private Result epochs() {
        int rows = data.rows();
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        SplittableRandom shuffle = new SplittableRandom(seed);
        int heads = net.losses().size();
        float epochLoss = Float.NaN;
        long step = 0, seen = 0, start = System.nanoTime();
        int written = 0, best = 0;
        double bestValue = Double.NaN;
        Map<String, nnet.runtime.StoredTensor> bestWeights = null;
        Evaluation bestEval = null, eval = null;
        float[][] predicted = new float[rows][];
        net.keepOutputs(true); // the training figures are of the predictions the steps make, as Keras reports them
        int epoch = 1;
        boolean stopped = false;
        for (; epoch <= epochs; epoch++) {
            for (int i = rows - 1; i > 0; i--) { // Fisher–Yates, reproducible from --seed
                int j = shuffle.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            long epochStart = System.nanoTime();
            double sum = 0, penalty = 0, rate = optimizer.learningRate();
            double[] headSums = new double[heads];
            for (int from = 0; from < rows; from += batchSize) {
                int n = Math.min(batchSize, rows - from);
                float[][][] in = new float[n][][];
                float[][] t = new float[n][];
                float[] w = data.weights() == null ? null : new float[n];
                for (int k = 0; k < n; k++) {
                    in[k] = data.inputs()[order[from + k]];
                    t[k] = data.targets()[order[from + k]];
                    if (w != null) w[k] = data.weights()[order[from + k]];
                }
                step++;
                if (schedule != null) optimizer.learningRate(rate = schedule.at(step, epoch, epochs));
                float l = net.trainStep(in, t, w);
                if (!Float.isFinite(l))
                    throw new UserError("training diverged in epoch " + epoch + " (loss " + l + "); " + output
                            + (written > 0 ? " holds the weights of epoch " + written : " was not written") + ". Try a smaller --lr.");
                float[][] outs = net.lastOutputs();
                for (int k = 0; k < n; k++) predicted[order[from + k]] = outs[k];
                float[] headLosses = net.headLosses();
                for (int h = 0; h < heads; h++) headSums[h] += (double) headLosses[h] * n;
                sum += (double) l * n;
                penalty += (double) net.penalty() * n;
                seen += n;
                progress.step(epoch, (float) (sum / (from + n)), seen / Math.max((System.nanoTime() - start) / 1e9, 1e-9));
            }
            epochLoss = (float) (sum / rows);
            double seconds = Math.max((System.nanoTime() - epochStart) / 1e9, 1e-9);
            for (int h = 0; h < heads; h++) headSums[h] /= rows;
            Evaluation training = Evaluation.of(net, data, predicted, epochLoss, headSums, penalty / rows, outputs);
            eval = heldOut == null ? null : Evaluation.of(net, heldOut, outputs);
            Report report = new Report(epoch, epochs, step, training, eval, rate, rows / seconds, seconds);
            history.add(report);
            double value = monitor.valueOf(report);
            boolean improved = patience > 0 && monitor.better(value, bestValue);
            if (improved) {
                bestValue = value;
                best = epoch;
                bestEval = eval;
            }
            if (patience == 0 || improved) {
                // a checkpoint: an interrupted run keeps the last full (with early stopping: the best) epoch
                if (!AtomicFiles.isStandardOutput(output)) Safetensors.write(output, net.saveWeights(layout), false);
                if (patience > 0) bestWeights = net.saveWeights(layout);
                written = epoch;
            }
            progress.epoch(report);
            if (log != null) log.epoch(report);
            if (patience > 0 && epoch - best >= patience) {
                stopped = epoch < epochs;
                break;
            }
        }
        net.keepOutputs(false);
        int ran = Math.min(epoch, epochs);
        if (written == 0 && !AtomicFiles.isStandardOutput(output)) Safetensors.write(output, net.saveWeights(layout), false); // no epoch had a finite held-out figure
        if (patience > 0 && bestWeights != null && best != ran) {
            net.loadWeights(bestWeights); // the network reports, and -o - writes, the epoch it kept
            return new Result(ran, epochLoss, best, bestEval, stopped);
        }
        return new Result(ran, epochLoss, patience > 0 && best > 0 ? best : ran, eval, stopped);
    }
}
