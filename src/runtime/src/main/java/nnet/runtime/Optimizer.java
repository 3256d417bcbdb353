package nnet.runtime;

import nnet.runtime.math.Penalty;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Updates trainable entries from their gradients. State (momentum, Adam's moments) is kept per
 * trainable entry only: an entry that is absent, fixed or frozen has no state, so momentum and
 * weight decay can never move it.
 */
public abstract class Optimizer {
    /** The learning rate of the next step: a schedule ({@link LrSchedule}) sets it before each. */
    protected double lr;
    private final Map<ParamStorage, float[][][]> state = new IdentityHashMap<>();
    /** Steps taken (Adam's bias correction). */
    protected long t;

    protected Optimizer(double lr) {
        if (!(lr > 0)) throw new UserError("the learning rate must be positive, got " + lr);
        this.lr = lr;
    }

    public double learningRate() {
        return lr;
    }

    /** Sets the rate of the steps from now on (a schedule's rate; the optimizer's state is kept). */
    public void learningRate(double rate) {
        if (!(rate > 0)) throw new IllegalArgumentException("the learning rate must be positive, got " + rate);
        lr = rate;
    }

    /** The arguments each optimizer takes; any other is an error, not silently ignored (a momentum given to adam would do nothing). */
    private static final Map<String, List<String>> ARGUMENTS = Map.of("sgd", List.of("lr", "momentum"), "adam", List.of("lr", "beta1", "beta2", "eps"),
            "adamw", List.of("lr", "beta1", "beta2", "eps", "weight_decay"));

    /** {@code sgd}, {@code adam} or {@code adamw} with the arguments of LANGUAGE.md §2 ({@code lr}, {@code momentum}, …). */
    public static Optimizer of(String kind, Map<String, Double> args) {
        List<String> takes = ARGUMENTS.get(kind.toLowerCase(Locale.ROOT));
        if (takes != null)
            for (String key : args.keySet())
                if (!takes.contains(key))
                    throw new UserError(kind + " has no argument '" + key + "'" + Suggest.didYouMean(key, takes) + " (it takes " + String.join(", ", takes) + ")");
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "sgd" -> new Sgd(args.getOrDefault("lr", 0.01), args.getOrDefault("momentum", 0.0));
            case "adam" -> new Adam(args.getOrDefault("lr", 0.001), args.getOrDefault("beta1", 0.9), args.getOrDefault("beta2", 0.999),
                    args.getOrDefault("eps", 1e-8), 0);
            case "adamw" -> new Adam(args.getOrDefault("lr", 0.001), args.getOrDefault("beta1", 0.9), args.getOrDefault("beta2", 0.999),
                    args.getOrDefault("eps", 1e-8), args.getOrDefault("weight_decay", 0.01));
            default -> throw new UserError("unknown optimizer '" + kind + "': expected sgd, adam or adamw");
        };
    }

    /** Per-step constants, computed before the updates. */
    protected void constants() {}

    /** How many state values each trainable entry has. */
    protected abstract int stateSlots();

    /** The name of a state slot in a saved state: SGD's {@code momentum}, Adam's {@code m} and {@code v}. */
    protected abstract String slotName(int slot);

    /** Steps taken so far. */
    public long steps() {
        return t;
    }

    /**
     * The state of every param that has stepped, each slot as a weights file holds the param
     * ({@link ParamStorage#stored}), named {@code <param>/<slot>} ({@code h.kernel/m}): with
     * {@link #steps()}, what a run needs to go on exactly where it stopped.
     */
    Map<String, Tensor> saveState(List<ParamStorage> params) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (ParamStorage p : params) {
            float[][][] st = state.get(p);
            if (st == null) continue;
            for (int slot = 0; slot < stateSlots(); slot++) {
                float[][] full = new float[p.values.length][];
                for (int seg = 0; seg < full.length; seg++) {
                    full[seg] = new float[p.values[seg].length];
                    if (st[seg] == null) continue; // an embedding's row no batch touched: zeros, the state its first touch starts from
                    int[] keep = p.trainable[seg];
                    float[] s = st[seg][slot];
                    for (int e = 0; e < s.length; e++) full[seg][keep == null ? e : keep[e]] = s[e];
                }
                out.put(p.name + "/" + slotName(slot), p.stored(full));
            }
        }
        return out;
    }

    /** Takes the state {@link #saveState} gave (of the same network) and its step count. */
    void loadState(List<ParamStorage> params, Map<String, ? extends StoredTensor> saved, long steps) {
        t = steps;
        state.clear();
        if (steps == 0) return;
        for (ParamStorage p : params) {
            float[][][] st = allocate(p);
            float[][][] full = new float[stateSlots()][][];
            for (int slot = 0; slot < full.length; slot++) {
                String name = p.name + "/" + slotName(slot);
                if (!(saved.get(name) instanceof Tensor s)) throw new DataFormatException("the optimizer's state has no F32 tensor '" + name + "'");
                full[slot] = p.fromStored(s, name);
            }
            for (int seg = 0; seg < st.length; seg++) {
                if (st[seg] == null) { // an embedding's row: state again only where the run had some (zeros are what a first touch makes)
                    if (zeros(full, seg)) continue;
                    st[seg] = segmentState(p, seg);
                }
                int[] keep = p.trainable[seg];
                for (int slot = 0; slot < full.length; slot++)
                    for (int e = 0; e < st[seg][slot].length; e++) st[seg][slot][e] = full[slot][seg][keep == null ? e : keep[e]];
            }
            state.put(p, st);
        }
    }

    private static boolean zeros(float[][][] slots, int seg) {
        for (float[][] slot : slots) for (float v : slot[seg]) if (Float.floatToRawIntBits(v) != 0) return false; // -0 is state too, bit for bit
        return true;
    }

    /** The same, for estimating memory before a network is built. */
    public final int stateValuesPerWeight() {
        return stateSlots();
    }

    /**
     * Updates {@code w[k]} from the gradient {@code g[k] * scale} for each k in {@code keep}, or
     * every k when keep is null (a loop of its own, so the common case has no indirection);
     * {@code s[slot][e]} is the e-th kept entry's state.
     */
    protected abstract void update(float[] w, float[] g, float scale, int[] keep, float[][] s);

    /**
     * {@link #update} of entries with a penalty ({@code regularize:}): the gradient of {@code w[k]} is
     * {@code g[k] * scale + penalty'(w[k])}, taken in the same pass (no pass of its own over the weights);
     * returns the penalty of the entries before the update.
     */
    protected abstract double update(float[] w, float[] g, float scale, int[] keep, float[][] s, Penalty penalty);

    /** One step over every param, on this thread. */
    void step(List<ParamStorage> params) {
        beginStep(params);
        for (int k = 0; k < params.size(); k++)
            for (int seg = 0; seg < params.get(k).values.length; seg++) update(params.get(k), seg);
    }

    /** Starts a step: its count, its constants, state for params seen the first time. Then {@link #update} each segment, on any thread. */
    void beginStep(List<ParamStorage> params) {
        t++;
        constants();
        for (int k = 0; k < params.size(); k++) if (state.get(params.get(k)) == null) state.put(params.get(k), allocate(params.get(k)));
    }

    /**
     * Updates one segment of a param (a row of a dense kernel, or all of another): segments are independent,
     * so cores can share a step. An embedding's rows that the batch did not touch are not stepped, and a
     * row's state is made when it is first touched (a sparse step, as PyTorch's SparseAdam and Keras' LazyAdam).
     */
    void update(ParamStorage p, int seg) {
        if (!p.steps(seg)) { // an untouched row keeps its value, and its penalty counts as it is
            if (p.penalty != null) p.penaltyOfSegment[seg] = p.segmentPenalty(seg);
            return;
        }
        float[][][] st = state.get(p);
        if (st[seg] == null) st[seg] = segmentState(p, seg);
        if (p.penalty == null || p.penaltyInGrads) update(p.values[seg], p.grads[seg], p.gradScale, p.trainable[seg], st[seg]);
        else p.penaltyOfSegment[seg] = update(p.values[seg], p.grads[seg], p.gradScale, p.trainable[seg], st[seg], p.penalty);
    }

    /** State for every segment, but an embedding's rows, which get theirs when first touched. */
    private float[][][] allocate(ParamStorage p) {
        float[][][] st = new float[p.values.length][][];
        if (p.touched == null) for (int seg = 0; seg < p.values.length; seg++) st[seg] = segmentState(p, seg);
        return st;
    }

    private float[][] segmentState(ParamStorage p, int seg) {
        int n = p.trainable[seg] == null ? p.values[seg].length : p.trainable[seg].length;
        float[][] st = new float[stateSlots()][];
        for (int slot = 0; slot < stateSlots(); slot++) st[slot] = new float[n];
        return st;
    }

    /** Plain SGD, or with momentum: {@code v = momentum * v + g; w -= lr * v}. */
    static final class Sgd extends Optimizer {
        private final float momentum;

        Sgd(double lr, double momentum) {
            super(lr);
            this.momentum = (float) momentum;
        }

        @Override
        protected int stateSlots() {
            return momentum == 0 ? 0 : 1;
        }

        @Override
        protected String slotName(int slot) {
            return "momentum";
        }

        @Override
        protected void update(float[] w, float[] g, float scale, int[] keep, float[][] s) {
            float rate = (float) lr;
            if (momentum == 0) {
                float step = rate * scale;
                if (keep == null) for (int k = 0; k < w.length; k++) w[k] -= step * g[k];
                else for (int k : keep) w[k] -= step * g[k];
                return;
            }
            float[] v = s[0];
            if (keep == null)
                for (int k = 0; k < w.length; k++) w[k] -= rate * (v[k] = momentum * v[k] + scale * g[k]);
            else
                for (int e = 0; e < keep.length; e++) w[keep[e]] -= rate * (v[e] = momentum * v[e] + scale * g[keep[e]]);
        }

        @Override
        protected double update(float[] w, float[] g, float scale, int[] keep, float[][] s, Penalty penalty) {
            float rate = (float) lr;
            double value = 0;
            for (int e = 0, n = keep == null ? w.length : keep.length; e < n; e++) {
                int k = keep == null ? e : keep[e];
                value += penalty.value(w[k]);
                float gk = scale * g[k] + penalty.derivative(w[k]);
                w[k] -= rate * (momentum == 0 ? gk : (s[0][e] = momentum * s[0][e] + gk));
            }
            return value;
        }
    }

    /** Adam; with {@code weightDecay > 0} AdamW (decay decoupled from the gradient, applied to trainable entries only). */
    static final class Adam extends Optimizer {
        private final double beta1, beta2, eps, weightDecay;

        Adam(double lr, double beta1, double beta2, double eps, double weightDecay) {
            super(lr);
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.weightDecay = weightDecay;
        }

        @Override
        protected int stateSlots() {
            return 2;
        }

        @Override
        protected String slotName(int slot) {
            return slot == 0 ? "m" : "v";
        }

        /** Bias corrections of this step: lr / (1 - beta1^t) and 1 / (1 - beta2^t). */
        private float c1, c2;

        @Override
        protected void constants() {
            c1 = (float) (lr / (1 - Math.pow(beta1, t)));
            c2 = (float) (1 / (1 - Math.pow(beta2, t)));
        }

        @Override
        protected void update(float[] w, float[] g, float scale, int[] keep, float[][] s) {
            float b1 = (float) beta1, b2 = (float) beta2;
            float e = (float) eps, decay = (float) (1 - lr * weightDecay);
            float[] m = s[0], v = s[1];
            if (keep == null) {
                for (int k = 0; k < w.length; k++) {
                    float gk = g[k] * scale;
                    m[k] = b1 * m[k] + (1 - b1) * gk;
                    v[k] = b2 * v[k] + (1 - b2) * gk * gk;
                    w[k] = decay * w[k] - c1 * m[k] / ((float) Math.sqrt(v[k] * c2) + e);
                }
                return;
            }
            for (int i = 0; i < keep.length; i++) {
                int k = keep[i];
                float gk = g[k] * scale;
                m[i] = b1 * m[i] + (1 - b1) * gk;
                v[i] = b2 * v[i] + (1 - b2) * gk * gk;
                w[k] = decay * w[k] - c1 * m[i] / ((float) Math.sqrt(v[i] * c2) + e);
            }
        }

        @Override
        protected double update(float[] w, float[] g, float scale, int[] keep, float[][] s, Penalty penalty) {
            float b1 = (float) beta1, b2 = (float) beta2;
            float e = (float) eps, decay = (float) (1 - lr * weightDecay);
            float[] m = s[0], v = s[1];
            double value = 0;
            for (int i = 0, n = keep == null ? w.length : keep.length; i < n; i++) {
                int k = keep == null ? i : keep[i];
                value += penalty.value(w[k]);
                float gk = g[k] * scale + penalty.derivative(w[k]);
                m[i] = b1 * m[i] + (1 - b1) * gk;
                v[i] = b2 * v[i] + (1 - b2) * gk * gk;
                w[k] = decay * w[k] - c1 * m[i] / ((float) Math.sqrt(v[i] * c2) + e);
            }
            return value;
        }
    }
}
