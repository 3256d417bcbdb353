package nnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.math.LrSchedule;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.jar.PredictOutput;
import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.UserError;

/**
 * {@code nnetc train}'s epochs: shuffled mini-batches (Fisher–Yates from the seed; with
 * {@code --stream} by blocks and windows, {@link StreamOrder}), the learning
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
    /** {@code train --stream}: each epoch's order by blocks and windows, null: a shuffle of every row. */
    private StreamOrder streamed;
    /** {@code train --no-shuffle}: every epoch in file order. */
    private boolean shuffle = true;
    /** {@code train --resume}: where the run goes on from (null: epoch 1, a fresh optimizer). */
    private TrainState resumed;
    /** Where the state to resume from is written after every epoch, and the settings it records (null: -o is standard output). */
    private Path stateFile;
    private String settings;
    /** The run's optimizer steps so far (a resumed run's included), and the samples seen and the time since this process started. */
    private long step, seen, start;

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

    /** Orders each epoch for inputs read from their files as it goes ({@code train --stream}). */
    EpochLoop streamed(StreamOrder order) {
        streamed = order;
        return this;
    }

    EpochLoop inFileOrder(boolean inOrder) {
        shuffle = !inOrder;
        return this;
    }

    /** Goes on after the epochs {@code state} ran (the network already holds its weights and optimizer state). */
    EpochLoop resumeFrom(TrainState state) {
        resumed = state;
        return this;
    }

    /** Writes {@link TrainState} to {@code file} after every epoch, recording {@code runSettings}. */
    EpochLoop keepState(Path file, String runSettings) {
        stateFile = file;
        settings = runSettings;
        return this;
    }

    Result run() {
        boolean toFile = !AtomicFiles.isStandardOutput(output);
        Thread syncOnInterrupt = new Thread(this::finishQuietly, "nnet-train-checkpoint-sync");
        boolean hook = toFile || log != null;
        if (hook) Runtime.getRuntime().addShutdownHook(syncOnInterrupt);
        try {
            Result r = epochs();
            if (toFile) AtomicFiles.sync(output);
            if (stateFile != null) AtomicFiles.sync(stateFile);
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
            if (stateFile != null) AtomicFiles.sync(stateFile);
            if (log != null) log.finish();
        } catch (RuntimeException e) {
            // nothing to report to during shutdown; each rename has already made its file whole
        }
    }

    /**
     * The next epoch's order, drawn from {@code rng}: Fisher–Yates over every row (reproducible
     * from --seed), by blocks and windows with {@code --stream}, the file's order with {@code --no-shuffle}.
     */
    private int[] next(int[] order, SplittableRandom rng) {
        if (!shuffle) return order;
        if (streamed != null) return streamed.next(rng);
        StreamOrder.shuffle(order, 0, order.length, rng);
        return order;
    }

    private Result epochs() {
        int rows = data.rows();
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        float epochLoss = Float.NaN;
        int written = 0, best = 0;
        double bestValue = Double.NaN;
        Map<String, nnet.runtime.StoredTensor> bestWeights = null;
        Evaluation bestEval = null, eval = null;
        int epoch = 1;
        boolean stopped = false;
        if (resumed != null) {
            epoch = resumed.epochs() + 1;
            step = resumed.steps();
            best = resumed.best();
            bestValue = resumed.bestValue();
            written = resumed.written();
            // the best epoch's weights: kept in the state unless they are the last epoch's, which the network holds now
            if (!resumed.bestWeights().isEmpty()) bestWeights = resumed.bestWeights();
            else if (patience > 0 && best > 0) bestWeights = net.saveWeights(layout);
            // -o holds the best epoch's weights from the start, as it did in the run resumed: later epochs may not improve on it
            if (bestWeights != null && !AtomicFiles.isStandardOutput(output)) Safetensors.write(output, bestWeights, false);
            for (int e = 1; e < epoch; e++) order = next(order, rng); // the generator where the run left it
        }
        net.keepOutputs(true); // the training figures are of the predictions the steps make, as Keras reports them
        start = System.nanoTime();
        for (; epoch <= epochs; epoch++) {
            order = next(order, rng);
            Report report = epoch(epoch, order, written);
            epochLoss = (float) report.training().loss();
            eval = report.heldOut();
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
            if (stateFile != null)
                TrainState.write(stateFile, epoch, step, best, bestValue, written, settings, net.saveWeights(layout), best == epoch ? null : bestWeights, net);
            progress.epoch(report);
            if (log != null) log.epoch(report);
            if (patience > 0 && epoch - best >= patience) {
                stopped = epoch < epochs;
                break;
            }
        }
        net.keepOutputs(false);
        int ran = Math.min(epoch, epochs);
        if (written == 0 && !AtomicFiles.isStandardOutput(output)) Safetensors.write(output, net.saveWeights(layout), false); // no epoch had a finite watched figure
        if (patience > 0 && bestWeights != null && best != ran) {
            net.loadWeights(bestWeights); // the network reports, and -o - writes, the epoch it kept
            if (bestEval == null && heldOut != null) bestEval = Evaluation.of(net, heldOut, outputs); // kept before a resume: evaluated again
            return new Result(ran, epochLoss, best, bestEval, stopped);
        }
        return new Result(ran, epochLoss, patience > 0 && best > 0 ? best : ran, eval, stopped);
    }

    /** One epoch over the rows in {@code order}: its steps, then its report (the held-out rows evaluated after it). */
    private Report epoch(int epoch, int[] order, int written) {
        int rows = data.rows(), heads = net.losses().size();
        long epochStart = System.nanoTime();
        double sum = 0, penalty = 0, rate = optimizer.learningRate();
        double[] headSums = new double[heads];
        float[][] predicted = new float[rows][];
        float[][][] batch = null; // its arrays filled again each step (trainStep copies them)
        for (int from = 0; from < rows; from += batchSize) {
            int n = Math.min(batchSize, rows - from);
            float[][][] in = batch = data.inputs().samples(order, from, n, batch);
            float[][] t = new float[n][];
            for (int k = 0; k < n; k++) t[k] = data.targets()[order[from + k]];
            float[] w = data.weights(order, from, n);
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
            progress.step(epoch, n, (float) (sum / (from + n)), seen / Math.max((System.nanoTime() - start) / 1e9, 1e-9));
        }
        double seconds = Math.max((System.nanoTime() - epochStart) / 1e9, 1e-9);
        for (int h = 0; h < heads; h++) headSums[h] /= rows;
        Evaluation training = Evaluation.of(net, data, predicted, (float) (sum / rows), headSums, penalty / rows, outputs);
        Evaluation held = heldOut == null ? null : Evaluation.of(net, heldOut, outputs);
        return new Report(epoch, epochs, step, training, held, rate, rows / seconds, seconds);
    }
}
