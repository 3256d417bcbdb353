package nnet.runtime;

import nnet.runtime.io.InputRows;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Attributions of one output unit's raw value (before the loss) to the units of named nodes, row by
 * row, computed by the network's generated attribution passes ({@code <Network>$Gradient} and
 * {@code <Network>$Rescale}: the backward pass seeded at that unit, emitted beside the network by
 * the compiler and sharing its weight arrays), in chunks of rows through the tiled forward pass over
 * the cores. The methods (LANGUAGE.md §9, {@code explain}), for a node h and target f:
 * <ul>
 * <li>{@code saliency}: ∂f/∂h; {@code gradxinput}: h ⊙ ∂f/∂h;</li>
 * <li>{@code deeplift}: m ⊙ (h − h₀), m the multipliers of DeepLIFT's Rescale rule, h₀ h at the baseline;</li>
 * <li>{@code ig}: integrated gradients along the straight path x₀ + α (x − x₀), α = k / steps, by the
 *     trapezoid rule; for a hidden node, Σₖ ½ (∂f/∂h(αₖ₋₁) + ∂f/∂h(αₖ)) (h(αₖ) − h(αₖ₋₁)) (its
 *     conductance), which for an input is the integrated gradient itself;</li>
 * <li>{@code weights}: GenNet's path products, from the weights alone ({@link DenseChain}).</li>
 * </ul>
 */
public final class Attributions {
    private Attributions() {}

    public enum Method {
        SALIENCY, GRADXINPUT, DEEPLIFT, IG, WEIGHTS;

        /** The name on the command line: {@code saliency}, {@code gradxinput}, ... */
        public String label() {
            return name().toLowerCase();
        }

        /** Whether f(x) − f(baseline) equals the sum of the input attributions (up to the method's error). */
        public boolean complete() {
            return this == DEEPLIFT || this == IG;
        }

        /** The method of a label ({@code explain --method}). */
        public static Method parse(String label) {
            for (Method m : values()) if (m.label().equals(label)) return m;
            throw new UserError("--method " + label + ": expected gradxinput, saliency, deeplift, ig or weights");
        }
    }

    /**
     * The output unit explained, from {@code explain --target}: {@code y} (an output of one unit), {@code y:3}
     * (a unit by index or by name), {@code y:predicted} (each row's largest); null, the first output.
     */
    public record Target(String output, int unit) {
        public static Target parse(Network net, String spec) {
            String out = spec == null ? net.outputNames().get(0) : spec.contains(":") ? spec.substring(0, spec.lastIndexOf(':')) : spec;
            if (!net.outputNames().contains(out))
                throw new UserError("--target " + spec + ": " + net.name() + " has no output " + out + " (its outputs: " + String.join(", ", net.outputNames()) + ")");
            return new Target(out, unit(net, spec, out));
        }

        private static int unit(Network net, String spec, String out) {
            int units = (int) Tensor.size(net.shape(out));
            String unit = spec != null && spec.contains(":") ? spec.substring(spec.lastIndexOf(':') + 1) : null;
            if (unit == null) {
                if (units == 1) return 0;
                throw new UserError("output " + out + " has " + units + " units: choose one (--target " + out + ":0) or each row's largest (--target " + out + ":predicted)");
            }
            if (unit.equals("predicted")) return PREDICTED;
            String[] names = net.unitNames(out);
            if (names != null) for (int i = 0; i < names.length; i++) if (names[i].equals(unit)) return i;
            try {
                int i = Integer.parseInt(unit);
                if (i < 0 || i >= units) throw new UserError("--target " + spec + ": " + out + " has units 0.." + (units - 1));
                return i;
            } catch (NumberFormatException e) {
                throw new UserError("--target " + spec + ": " + unit + " is not a unit of " + out + " (an index 0.." + (units - 1) + (names != null ? ", a unit's name" : "") + " or 'predicted')");
            }
        }
    }

    /** The unit of {@link Request#unit}: each row's largest output value (its predicted class). */
    public static final int PREDICTED = -1;

    /**
     * What to attribute.
     *
     * @param output   the output whose raw value is the target
     * @param unit     its unit (row-major index), or {@link #PREDICTED}
     * @param baseline x₀ of deeplift and ig: {@code [1][input][values]} for every row, or a row per input row; null: zeros
     * @param steps    the steps of ig's path
     * @param nodes    the nodes attributed (any readable node)
     */
    public record Request(Method method, String output, int unit, float[][][] baseline, int steps, List<String> nodes) implements java.io.Serializable {}

    /**
     * One row's attributions.
     *
     * @param scores        per node of the request, its units' attributions
     * @param unit          the output unit attributed
     * @param value         f(x), the target's raw value
     * @param baselineValue f(x₀) for deeplift and ig, else NaN
     * @param inputSum      the sum of the attributions of every input's units (completeness: f(x) − f(x₀))
     */
    public record Row(float[][] scores, int unit, float value, float baselineValue, double inputSum) {}

    /** Receives rows in order, a chunk at a time: the rows of {@code [first, first + rows.size())}. */
    public interface Sink {
        void accept(int first, List<Row> rows);
    }

    /** Every row's attributions (the Java API: {@link Network#attributions}). */
    public static List<Row> of(Network net, float[][][] inputs, Request r) {
        List<Row> all = new ArrayList<>();
        run(net, inputs, r, (first, rows) -> all.addAll(rows));
        return all;
    }

    /** Rows per forward batch of a pass: a tile on each of two cores, twice; ig's path points count as rows. */
    static final int CHUNK = 128;

    /** Computes the rows' attributions chunk by chunk into {@code sink}: memory stays that of a chunk whatever the rows. */
    public static void run(Network net, float[][][] inputs, Request r, Sink sink) {
        if (r.method() == Method.WEIGHTS) {
            DenseChain.attribute(net, inputs.length, r, sink);
            return;
        }
        if (!(net instanceof CompiledNetwork compiled)) throw new UnsupportedOperationException(net.name() + " is not a generated network: it has no attribution pass");
        Pass pass = new Pass(compiled.attributionPass(r.method() == Method.DEEPLIFT ? "Rescale" : "Gradient"), net, r);
        int per = r.method() == Method.IG ? Math.max(1, CHUNK / (r.steps() + 1)) : CHUNK;
        for (int first = 0; first < inputs.length; first += per) {
            int count = Math.min(per, inputs.length - first);
            sink.accept(first, pass.rows(inputs, first, count));
        }
    }

    /** Rows read from the files at a time by {@link #run(Network, InputRows, Request, Sink)}. */
    static final int READ = 4096;

    /**
     * The same over rows read from their files {@link #READ} at a time, fewer if they are wide ({@link InputRows}: HDF5,
     * {@code .npy}, a selection of rows): memory for those rows, whatever the files hold.
     */
    public static void run(Network net, InputRows inputs, Request r, Sink sink) {
        if (r.method() == Method.WEIGHTS) {
            DenseChain.attribute(net, inputs.rows(), r, sink);
            return;
        }
        int read = inputs.batchRows(READ);
        for (int from = 0; from < inputs.rows(); from += read) {
            int to = Math.min(inputs.rows(), from + read), at = from;
            float[][][] b = r.baseline();
            Request part = b == null || b.length == 1 ? r : new Request(r.method(), r.output(), r.unit(), java.util.Arrays.copyOfRange(b, from, to), r.steps(), r.nodes());
            run(net, inputs.range(from, to), part, (first, rows) -> sink.accept(at + first, rows));
        }
    }

    /** A request on one attribution pass: what it is fed and what is read of it. */
    private static final class Pass {
        private final Network pass, net;
        private final Request r;
        /** The nodes whose scores are computed: the request's, then the inputs not among them (for the input sum). */
        private final List<String> nodes;
        private final int requested;
        private final String raw;
        private final int units;
        private final Set<String> passNodes;

        Pass(Network pass, Network net, Request r) {
            this.pass = pass;
            this.net = net;
            this.r = r;
            Set<String> all = new LinkedHashSet<>(r.nodes());
            all.addAll(net.inputNames());
            for (String n : all) net.shape(n); // an unknown node fails here, naming the network's
            this.nodes = List.copyOf(all);
            this.requested = r.nodes().size();
            if (!net.outputNames().contains(r.output()))
                throw new UserError(net.name() + " has no output " + r.output() + " (its outputs: " + String.join(", ", net.outputNames()) + ")");
            this.passNodes = new java.util.HashSet<>(pass.nodeNames());
            this.raw = r.output() + "@raw";
            this.units = (int) Tensor.size(pass.shape(raw));
            if (r.unit() != PREDICTED && (r.unit() < 0 || r.unit() >= units))
                throw new UserError("output " + r.output() + " has " + units + " unit(s): unit " + r.unit() + " is not one of them");
            if (r.method() == Method.IG && r.steps() < 1) throw new UserError("ig needs at least 1 step, got " + r.steps());
            // a path from a baseline runs through values between the rows' and the baseline's: token ids have none between them
            if ((r.method() == Method.IG || r.method() == Method.DEEPLIFT) && !net.tokenInputs().isEmpty())
                throw new UserError(r.method().name().toLowerCase(java.util.Locale.ROOT) + " compares each row with a baseline, which token ids (input "
                        + String.join(", ", net.tokenInputs().keySet()) + ") have no path to; use saliency or gradxinput, which score the embeddings' vectors too");
        }

        List<Row> rows(float[][][] inputs, int first, int count) {
            int[] unit = units(inputs, first, count);
            boolean ig = r.method() == Method.IG, rescale = r.method() == Method.DEEPLIFT;
            int points = ig ? r.steps() + 1 : 1;
            float[][][] batch = new float[count * points][][];
            for (int s = 0; s < count; s++) {
                float[][] x = inputs[first + s], x0 = baseline(first + s);
                for (int k = 0; k < points; k++) batch[s * points + k] = feed(ig && k < r.steps() ? along(x0, x, (float) k / r.steps()) : x, x0, unit[s], rescale);
            }
            List<String> read = new ArrayList<>();
            for (String n : nodes) {
                read.add(has(n + "@grad") ? n + "@grad" : n);
                read.add(n);
                if (rescale) read.add(n + "@baseline");
            }
            read.add(raw);
            if (rescale) read.add(raw + "@baseline");
            float[][][] out = pass.forwardBatch(batch, read);
            List<Row> rows = new ArrayList<>(count);
            int per = rescale ? 3 : 2;
            for (int s = 0; s < count; s++) {
                float[][] scores = new float[nodes.size()][];
                for (int k = 0; k < nodes.size(); k++) {
                    boolean reaches = has(nodes.get(k) + "@grad");
                    scores[k] = score(out, s * points, points, k * per, reaches);
                }
                float value = out[s * points + points - 1][nodes.size() * per][unit[s]];
                float base = rescale ? out[s * points][nodes.size() * per + 1][unit[s]] : ig ? out[s * points][nodes.size() * per][unit[s]] : Float.NaN;
                double inputSum = 0;
                for (int k = 0; k < nodes.size(); k++) if (net.inputNames().contains(nodes.get(k))) for (float v : scores[k]) inputSum += v;
                rows.add(new Row(java.util.Arrays.copyOf(scores, requested), unit[s], value, base, inputSum));
            }
            return rows;
        }

        /** A node's scores from the pass's values at one row's points: {@code at} is where the node's values start among what was read. */
        private float[] score(float[][][] out, int row, int points, int at, boolean reaches) {
            float[] v = out[row][at + 1], score = new float[v.length];
            if (!reaches) return score; // the node does not reach the target
            switch (r.method()) {
                case SALIENCY -> System.arraycopy(out[row][at], 0, score, 0, v.length);
                case GRADXINPUT -> {
                    float[] g = out[row][at];
                    for (int i = 0; i < v.length; i++) score[i] = v[i] * g[i];
                }
                case DEEPLIFT -> {
                    float[] m = out[row][at], v0 = out[row][at + 2];
                    for (int i = 0; i < v.length; i++) score[i] = m[i] * (v[i] - v0[i]);
                }
                case IG -> {
                    double[] sum = new double[v.length];
                    for (int k = 1; k < points; k++) {
                        float[] g0 = out[row + k - 1][at], g1 = out[row + k][at], h0 = out[row + k - 1][at + 1], h1 = out[row + k][at + 1];
                        for (int i = 0; i < v.length; i++) sum[i] += 0.5 * ((double) g0[i] + g1[i]) * ((double) h1[i] - h0[i]);
                    }
                    for (int i = 0; i < v.length; i++) score[i] = (float) sum[i];
                }
                case WEIGHTS -> throw new IllegalStateException("weights are not a pass's");
            }
            for (int i = 0; i < score.length; i++) score[i] += 0f; // -0 (a zero multiplier times a negative change) is 0
            return score;
        }

        private boolean has(String node) {
            return passNodes.contains(node);
        }

        /** The unit of each row: the request's, or the row's largest output value. */
        private int[] units(float[][][] inputs, int first, int count) {
            int[] unit = new int[count];
            if (r.unit() != PREDICTED) {
                java.util.Arrays.fill(unit, r.unit());
                return unit;
            }
            float[][][] out = net.forwardBatch(java.util.Arrays.copyOfRange(inputs, first, first + count), List.of(r.output()));
            for (int s = 0; s < count; s++) {
                float[] y = out[s][0];
                for (int i = 1; i < y.length; i++) if (y[i] > y[unit[s]]) unit[s] = i;
            }
            return unit;
        }

        private float[][] baseline(int row) {
            float[][][] b = r.baseline();
            if (b == null) {
                float[][] zero = new float[net.inputNames().size()][];
                for (int k = 0; k < zero.length; k++) zero[k] = new float[(int) Tensor.size(net.shape(net.inputNames().get(k)))];
                return zero;
            }
            return b.length == 1 ? b[0] : b[row];
        }

        /** The pass's inputs for one row: the network's inputs, their baselines (Rescale), a one-hot seed at the target unit. */
        private float[][] feed(float[][] x, float[][] x0, int unit, boolean rescale) {
            List<String> names = pass.inputNames();
            float[][] in = new float[names.size()][];
            for (int k = 0; k < in.length; k++) {
                String name = names.get(k);
                int input = net.inputNames().indexOf(name);
                if (input >= 0) in[k] = x[input];
                else if (name.endsWith("@baseline")) in[k] = x0[net.inputNames().indexOf(name.substring(0, name.length() - "@baseline".length()))];
                else if (name.endsWith("@seed")) {
                    in[k] = new float[(int) Tensor.size(pass.shape(name))];
                    if (name.equals(r.output() + "@seed")) in[k][unit] = 1;
                } else throw new IllegalStateException(pass.name() + " has an input " + name + " that no attribution feeds");
            }
            return in;
        }

        /** {@code x0 + alpha (x - x0)}, input by input. */
        private static float[][] along(float[][] x0, float[][] x, float alpha) {
            float[][] p = new float[x.length][];
            for (int k = 0; k < x.length; k++) {
                p[k] = new float[x[k].length];
                for (int i = 0; i < p[k].length; i++) p[k][i] = x0[k][i] + alpha * (x[k][i] - x0[k][i]);
            }
            return p;
        }
    }
}
