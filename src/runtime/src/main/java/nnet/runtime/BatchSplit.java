package nnet.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A train step over several cores. The batch is split in contiguous parts, one per replica of the
 * network (its own buffers and gradient storage, the same weight arrays); then each core sums a
 * share of the gradient entries over the replicas (in replica order, so a given core count always
 * rounds the same way), and the optimizer updates a share of the weights on each core. A batch too
 * small to split still shares the passes over every weight: the gradient's zeroing and the update,
 * which at batch 1 are most of a large dense network's step and each as fast as memory gives one
 * core. Every phase is a round of {@link Workers}, so nothing is allocated once the replicas exist;
 * replicas are made when a batch is first split over them. A train step's rounds may run on the
 * calling thread alone ({@link CoreChoice}): the same parts, sums and shares in the same order.
 * When a step follows, the sums wait for it: each core sums a segment (a dense kernel's row) and
 * steps it while it is in cache, one pass over the gradient instead of two (a dense MLP's step at
 * batch 64 spent 6% of its time in the sums' pass alone).
 */
final class BatchSplit {
    private enum Phase { FORWARD, GRADIENTS, SUM, ZERO, OPTIMIZER, SUM_AND_STEP }

    private final CompiledNetwork net;
    private final Training main;
    private final List<Training> parts = new ArrayList<>();
    private final Workers workers;
    private Phase phase;
    /** Replicas the current batch is split over. */
    private int used;
    private float[][][] inputs;
    private float[][] targets;
    private float[] weights;
    /** Where each sample's losses' outputs go, or null. */
    private float[][] kept;
    /** The batch's dropout key. */
    private long key;
    /** The forward pass's nodes to show, where they go, and the batch's tiles. */
    private List<String> shown;
    private float[][][] out;
    private int tiles;
    private Optimizer optimizer;
    /** Every (param, segment) of the storage in order, and where each core's share of them starts (about equal entries each). */
    private final int[] segmentParam, segmentIndex, shareStart;

    BatchSplit(CompiledNetwork net, Training main, int cores) {
        this.net = net;
        this.main = main;
        Runnable[] jobs = new Runnable[cores];
        for (int w = 0; w < cores; w++) {
            int id = w;
            jobs[w] = () -> run(id);
        }
        parts.add(main);
        List<ParamStorage> params = main.trainable();
        int segments = 0;
        long total = 0;
        for (ParamStorage p : params) {
            segments += p.values.length;
            for (float[] v : p.values) total += v.length;
        }
        segmentParam = new int[segments];
        segmentIndex = new int[segments];
        shareStart = new int[cores + 1];
        int k = 0, share = 1;
        long seen = 0;
        for (int p = 0; p < params.size(); p++)
            for (int s = 0; s < params.get(p).values.length; s++, k++) {
                segmentParam[k] = p;
                segmentIndex[k] = s;
                while (share < cores && seen >= total * share / cores) shareStart[share++] = k;
                seen += params.get(p).values[s].length;
            }
        while (share <= cores) shareStart[share++] = segments;
        this.workers = new Workers("nnet-train-" + net.name(), jobs);
    }

    int cores() {
        return workers.size();
    }

    /** The network's replicas up to {@code count} (the main one first), made the first time a batch is split over that many. */
    private void replicas(int count) {
        while (parts.size() < count) parts.add(net.replica().trainingState());
    }

    Thread[] threads() {
        return workers.threads();
    }

    /**
     * A batch split over {@code replicas} cores: the gradient sums end in the main network's storage
     * (or, unless {@code sum}, in the replicas' until {@link #step} sums them), and the losses' sums
     * in its {@link LossTerms#sums}.
     */
    void gradients(float[][][] batchInputs, float[][] batchTargets, float[] sampleWeights, float[][] keptOutputs, int replicas, long dropoutKey,
                   boolean sum) {
        key = dropoutKey;
        inputs = batchInputs;
        targets = batchTargets;
        weights = sampleWeights;
        kept = keptOutputs;
        used = replicas;
        replicas(replicas);
        phase = Phase.GRADIENTS;
        round(replicas);
        if (replicas > 1 && sum) {
            phase = Phase.SUM;
            round(workers.size());
        }
        inputs = null;
        targets = null;
        weights = null;
        kept = null;
        for (int w = 1; w < replicas; w++) main.terms().addSums(parts.get(w).terms()); // the main network's own share is in its sums already
    }

    /** The forward pass of a batch's tiles, a contiguous share of them per core. */
    void forward(float[][][] batch, List<String> nodes, float[][][] results, int batchTiles, int replicas) {
        inputs = batch;
        shown = nodes;
        out = results;
        tiles = batchTiles;
        used = replicas;
        replicas(replicas);
        phase = Phase.FORWARD;
        workers.run(replicas);
        inputs = null;
        shown = null;
        out = null;
    }

    /** The main network's gradient storage zeroed for a batch it takes alone, a share of the entries per core. */
    void zeroGrads() {
        phase = Phase.ZERO;
        round(workers.size());
        List<ParamStorage> params = main.trainable();
        for (int k = 0; k < params.size(); k++) params.get(k).gradsZeroed(); // indexed: an iterator allocates when this runs interpreted
    }

    /**
     * The optimizer's update of every trainable entry, a share of the weights per core; {@code sumFirst}: the
     * last split batch's replicas' gradients, which {@link #gradients} left unsummed, summed a segment before its update.
     */
    void step(Optimizer o, boolean sumFirst) {
        optimizer = o;
        phase = sumFirst ? Phase.SUM_AND_STEP : Phase.OPTIMIZER;
        round(workers.size());
    }

    /** A train step's round of jobs {@code [0, count)}: on the pool's threads, or on this one when the main network's {@link CoreChoice} says so. */
    private void round(int count) {
        if (main.roundsOnCaller()) workers.runOnCaller(count);
        else workers.run(count);
    }

    private void run(int w) {
        List<ParamStorage> mine = main.trainable();
        switch (phase) {
            case FORWARD -> parts.get(w).network().forwardTiles(inputs, shown, out, tiles * w / used, tiles * (w + 1) / used);
            case GRADIENTS -> {
                int n = inputs.length;
                parts.get(w).accumulate(inputs, targets, weights, kept, n * w / used, n * (w + 1) / used, key);
            }
            case SUM -> {
                for (int k = shareStart[w]; k < shareStart[w + 1]; k++) sumReplicas(mine, k);
            }
            case SUM_AND_STEP -> {
                for (int k = shareStart[w]; k < shareStart[w + 1]; k++) {
                    sumReplicas(mine, k);
                    mine.get(segmentParam[k]).clearHeld(segmentIndex[k]);
                    optimizer.update(mine.get(segmentParam[k]), segmentIndex[k]);
                }
            }
            case ZERO -> {
                for (int k = shareStart[w]; k < shareStart[w + 1]; k++) mine.get(segmentParam[k]).zeroGrads(segmentIndex[k]);
            }
            case OPTIMIZER -> {
                for (int k = shareStart[w]; k < shareStart[w + 1]; k++) optimizer.update(mine.get(segmentParam[k]), segmentIndex[k]);
            }
        }
    }

    /** Segment k of the main network's gradient sums plus the other replicas', in replica order. */
    private void sumReplicas(List<ParamStorage> mine, int k) {
        for (int r = 1; r < used; r++) mine.get(segmentParam[k]).addGrads(parts.get(r).trainable().get(segmentParam[k]), segmentIndex[k]);
    }
}
