package nnet.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A train step whose samples depend on each other: a batchnorm normalizes each sample by the
 * statistics of the whole batch, and its gradient reads the batch's sums of its output gradients.
 * The generated train step is cut into stages after each kernel that writes such partial sums
 * ({@link BatchNorm}); the batch is held in units (a tile of samples, or one sample when the batch
 * is too small for tiles), each a network instance of its own (its buffers and gradient storage,
 * the main network's weights), so all of them are alive at once. Each stage runs over every unit,
 * the units shared among the cores; then the units' sums are combined over the batch, in double and
 * in unit order (so a given batch always rounds the same way, whatever the core count), and written
 * back into every unit before the next stage reads them. At the end each unit's gradients are added
 * into the main network's. The moving statistics follow each train step (Keras' momentum) with the
 * batch's mean and unbiased variance, as PyTorch's {@code BatchNorm} updates them.
 */
final class StagedTraining {
    /**
     * The partial sums a stage ends with and what they become: a batchnorm's moments (mean and squared
     * deviations of each channel in a unit) become the batch's mean and {@code 1 / sqrt(variance +
     * epsilon)}; its gradient's sums (of dy and dy * xhat) become their means over the batch.
     * {@code movingMean} is null for a gradient's sums.
     */
    record Sums(float[] sums, float[] result, int positions, float epsilon, String movingMean, String movingVariance, float momentum) {
        boolean moments() {
            return movingMean != null;
        }

        int channels() {
            return sums.length / 2;
        }
    }

    private final Training main;
    private final CompiledNetwork net;
    private final int stages;
    /** The units' training states; unit 0 is the main network. */
    private final List<Training> units = new ArrayList<>();
    private final Runnable[] jobs;
    private Workers workers;
    /** Per moments' sums (by stage), the last batch's mean and unbiased variance of each channel, for the moving statistics. */
    private final double[][] batchMean, batchVariance;
    private boolean movingDue;

    // the step under way
    private float[][][] inputs;
    private float[][] targets;
    private float[] weights;
    private float[][] kept;
    private int batch, unitCount, used, stage;
    private boolean tiled;
    private long key;

    StagedTraining(Training main) {
        this.main = main;
        this.net = main.network();
        List<Sums> sums = main.stageSums();
        this.stages = sums.size() + 1;
        this.batchMean = new double[sums.size()][];
        this.batchVariance = new double[sums.size()][];
        for (int k = 0; k < sums.size(); k++) {
            batchMean[k] = new double[sums.get(k).channels()];
            batchVariance[k] = new double[sums.get(k).channels()];
        }
        int cores = Math.max(1, Integer.getInteger("nnet.threads", Runtime.getRuntime().availableProcessors()));
        this.jobs = new Runnable[cores];
        for (int w = 0; w < cores; w++) {
            int id = w;
            jobs[w] = () -> runShare(id);
        }
        units.add(main);
    }

    /**
     * A batch's gradient's mean into the main network's storage, the sums of its losses' and activity
     * penalties' values (summed in unit order) into the main network's {@link LossTerms#sums}, each
     * sample's losses' outputs into {@code keptOutputs} when it is not null.
     */
    void computeGradients(float[][][] batchInputs, float[][] batchTargets, float[] sampleWeights, float[][] keptOutputs, long dropoutKey) {
        batch = batchInputs.length;
        if (batch < 2)
            throw new UserError("network " + net.name() + " has a batchnorm, which normalizes each value by the statistics of its batch while training: "
                    + "a batch of 1 sample would normalize every value against itself (its variance over the batch is 0); train with batches of 2 or more");
        inputs = batchInputs;
        targets = batchTargets;
        weights = sampleWeights;
        kept = keptOutputs;
        key = dropoutKey;
        int lanes = net.tileSize();
        tiled = lanes > 0 && batch >= CompiledNetwork.MIN_TILED;
        unitCount = tiled ? (batch + lanes - 1) / lanes : batch;
        while (units.size() < unitCount) units.add(net.replica().trainingState());
        used = Math.min(Math.min(jobs.length, unitCount), main.workers(batch));
        if (used > 1 && workers == null) workers = new Workers("nnet-train-" + net.name() + "-stages", jobs);
        for (stage = 0; stage < stages; stage++) {
            if (used == 1) runShare(0);
            else workers.run(used);
            if (stage < stages - 1) combine(stage);
        }
        inputs = null;
        targets = null;
        weights = null;
        kept = null;
        for (int u = 1; u < unitCount; u++) main.terms().addSums(units.get(u).terms());
        List<ParamStorage> params = main.trainable();
        for (int k = 0; k < params.size(); k++) {
            for (int u = 1; u < unitCount; u++) params.get(k).addGrads(units.get(u).trainable().get(k));
            params.get(k).finishGrads(batch);
        }
        movingDue = true;
    }

    /** The current stage of worker w's share of the units. */
    private void runShare(int w) {
        for (int u = unitCount * w / used; u < unitCount * (w + 1) / used; u++) {
            Training t = units.get(u);
            CompiledNetwork n = t.network();
            int first = tiled ? u * net.tileSize() : u, count = tiled ? Math.min(net.tileSize(), batch - first) : -1;
            if (stage == 0) {
                List<ParamStorage> params = t.trainable();
                for (int k = 0; k < params.size(); k++) params.get(k).zeroGrads(); // indexed: an iterator is 32 bytes a unit when this runs interpreted
                t.terms().clearSums();
                n.dropoutKey = key;
                if (tiled) t.loadTile(inputs, targets, weights, first, count);
                else {
                    n.firstSample = first;
                    t.load(inputs[first], targets[first], weights == null ? 1 : weights[first]);
                }
            }
            if (tiled) n.trainTileStage(stage, count);
            else n.trainStage(stage);
            if (stage == stages - 1) {
                if (tiled) t.terms().addTile(kept, first, count);
                else t.terms().addSample(kept, first);
            }
        }
    }

    /** The units' sums of stage k over the batch, written into every unit's result. */
    private void combine(int k) {
        Sums main0 = main.stageSums().get(k);
        int channels = main0.channels();
        double perSample = main0.positions();
        for (int c = 0; c < channels; c++) {
            double n = 0, a = 0, b = 0; // moments: count, mean, squared deviations (Chan et al.); gradient: the two sums
            for (int u = 0; u < unitCount; u++) {
                float[] s = units.get(u).stageSums().get(k).sums();
                if (!main0.moments()) {
                    a += s[c];
                    b += s[channels + c];
                    continue;
                }
                double nu = perSample * (tiled ? Math.min(net.tileSize(), batch - u * net.tileSize()) : 1), delta = s[c] - a, total = n + nu;
                a += delta * nu / total;
                b += s[channels + c] + delta * delta * n * nu / total;
                n = total;
            }
            float first, second;
            if (main0.moments()) {
                first = (float) a;
                second = (float) (1 / Math.sqrt(b / n + main0.epsilon()));
                batchMean[k][c] = a;
                batchVariance[k][c] = b / (n - 1);
            } else {
                double all = perSample * batch;
                first = (float) (a / all);
                second = (float) (b / all);
            }
            for (int u = 0; u < unitCount; u++) {
                float[] r = units.get(u).stageSums().get(k).result();
                r[c] = first;
                r[channels + c] = second;
            }
        }
    }

    /** After a train step's update: each batchnorm's moving statistics move towards the batch's, {@code moving = m * moving + (1 - m) * batch}. */
    void updateMovingStatistics() {
        if (!movingDue) return;
        movingDue = false;
        List<Sums> sums = main.stageSums();
        for (int k = 0; k < sums.size(); k++) {
            Sums s = sums.get(k);
            if (!s.moments()) continue;
            float[] mean = net.flatValues(s.movingMean()), variance = net.flatValues(s.movingVariance());
            float m = s.momentum();
            for (int c = 0; c < mean.length; c++) {
                mean[c] = (float) (m * mean[c] + (1 - (double) m) * batchMean[k][c]);
                variance[c] = (float) (m * variance[c] + (1 - (double) m) * batchVariance[k][c]);
            }
        }
    }
}
