package nnet.runtime.jar;

import nnet.runtime.Network;
import nnet.runtime.Suggest;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;
import nnet.runtime.math.LossFunction;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code predict --output} shows of the outputs losses are on: {@code raw} values,
 * {@code probabilities} or {@code classes}, and the default the losses imply. What an output's
 * values are follows from its loss statement ({@link Kind}); a compiled jar carries them as the
 * resource {@code nnet/outputs/<Name>.txt}, a line per loss ("y logits"), written by {@code nnetc compile}.
 */
public final class PredictOutput {
    private PredictOutput() {}

    public enum Mode {
        RAW, PROBABILITIES, CLASSES;

        /**
         * The mode {@code --output s} names; null when not given. Any other word is an error, never
         * a file name: {@code --output class} must not write a file called {@code class} (before the
         * modes, {@code --output} was {@code -o}'s long name; a value that looks like a file says to
         * use {@code -o}).
         */
        public static Mode parse(String s) {
            if (s == null) return null;
            List<String> words = new ArrayList<>();
            for (Mode m : values()) {
                words.add(m.name().toLowerCase(Locale.ROOT));
                if (words.get(words.size() - 1).equals(s)) return m;
            }
            String start = s.isEmpty() ? null : words.stream().filter(w -> w.startsWith(s.toLowerCase(Locale.ROOT))).findFirst().orElse(null);
            String hint = s.contains(".") || s.contains("/") || s.equals("-") ? "; to write the rows to a file, use -o " + s
                    : start != null ? "; did you mean '" + start + "'?" : Suggest.didYouMean(s.toLowerCase(Locale.ROOT), words);
            throw new UserError("--output " + s + ": expected probabilities, classes or raw" + hint);
        }
    }

    /** What the values of the output a loss is on are. */
    public enum Kind {
        /** cross_entropy on an output that is not a softmax: class rows of logits (probabilities by softmax, the class by argmax). */
        LOGITS,
        /** cross_entropy on a softmax: class rows that already are probabilities. */
        CLASS_PROBABILITIES,
        /** binary_cross_entropy: each value is a probability (the class by the side of 0.5). */
        PROBABILITIES;

        public static Kind of(LossFunction loss, boolean outputIsSoftmax) {
            return switch (loss) {
                case CROSS_ENTROPY -> outputIsSoftmax ? CLASS_PROBABILITIES : LOGITS;
                case BINARY_CROSS_ENTROPY, BINARY_CROSS_ENTROPY_ON_LOGITS -> PROBABILITIES;
                default -> null;
            };
        }
    }

    /** An output a loss is on and what its values are. */
    public record LossOutput(String output, Kind kind) {}

    /**
     * Every output a cross-entropy is on, with what its values are (mse's outputs are not among
     * them: their values are shown raw); empty without such a loss.
     */
    public record LossOutputs(List<LossOutput> all) {
        public static final LossOutputs NONE = new LossOutputs(List.of());

        /** What the values of {@code node} are, or null when no such loss is on it. */
        public Kind kindOf(String node) {
            for (LossOutput o : all) if (o.output().equals(node)) return o.kind();
            return null;
        }

        public boolean isEmpty() {
            return all.isEmpty();
        }

        /** A line per output: "y logits". */
        public String toText() {
            StringBuilder sb = new StringBuilder();
            for (LossOutput o : all) sb.append(o.output()).append(' ').append(o.kind().name().toLowerCase(Locale.ROOT)).append('\n');
            return sb.toString();
        }

        public static String resourceOf(String simpleName) {
            return "nnet/outputs/" + simpleName + ".txt";
        }

        /** The resource beside a compiled network's class; none when there is no such resource (an older jar, or not a jar). */
        public static LossOutputs of(Network net) {
            String simple = net.getClass().getSimpleName();
            ClassLoader loader = net.getClass().getClassLoader();
            if (loader == null) return NONE;
            try (InputStream in = loader.getResourceAsStream(resourceOf(simple))) {
                if (in == null) return NONE;
                List<LossOutput> all = new ArrayList<>();
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n")) {
                    String[] parts = line.strip().split(" ");
                    all.add(new LossOutput(parts[0], Kind.valueOf(parts[1].toUpperCase(Locale.ROOT))));
                }
                return new LossOutputs(List.copyOf(all));
            } catch (IOException | RuntimeException e) {
                return NONE; // an older jar, or none: raw values
            }
        }
    }

    /** The default: probabilities when a loss says what they are, else raw values. */
    public static Mode defaultMode(LossOutputs lossOutputs) {
        return lossOutputs.isEmpty() ? Mode.RAW : Mode.PROBABILITIES;
    }

    /**
     * The shown nodes' values of each row with the losses' outputs turned into probabilities or
     * classes (one column per class row: the index of its largest value, or 0/1 for independent
     * probabilities). Other nodes (probes, other outputs) stay raw.
     */
    public static float[][] apply(Network net, List<String> shown, float[][] rows, Mode mode, LossOutputs lossOutputs) {
        if (mode == Mode.RAW) return rows;
        if (shown.stream().noneMatch(node -> lossOutputs.kindOf(node) != null))
            throw new UserError("--output " + mode.name().toLowerCase(Locale.ROOT) + " needs the output of a cross_entropy or binary_cross_entropy loss"
                    + (lossOutputs.isEmpty() ? "; network " + net.name() + " has none (use --output raw)"
                    : " among the shown nodes (" + String.join(", ", lossOutputs.all().stream().map(LossOutput::output).toList()) + ")"));
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            List<float[]> parts = new ArrayList<>();
            int at = 0;
            for (String node : shown) {
                int size = (int) Tensor.size(net.shape(node));
                float[] v = java.util.Arrays.copyOfRange(rows[r], at, at + size);
                at += size;
                Kind kind = lossOutputs.kindOf(node);
                parts.add(kind != null ? convert(v, net.shape(node), mode, kind) : v);
            }
            int width = 0;
            for (float[] p : parts) width += p.length;
            out[r] = new float[width];
            int to = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, out[r], to, p.length);
                to += p.length;
            }
        }
        return out;
    }

    private static float[] convert(float[] v, int[] shape, Mode mode, Kind kind) {
        if (kind == Kind.PROBABILITIES) {
            if (mode == Mode.PROBABILITIES) return v;
            float[] c = new float[v.length];
            for (int k = 0; k < v.length; k++) c[k] = v[k] > 0.5f ? 1 : 0;
            return c;
        }
        int classes = shape[shape.length - 1];
        if (mode == Mode.CLASSES) {
            float[] c = new float[v.length / classes];
            for (int p = 0; p < c.length; p++) {
                int best = 0;
                for (int j = 1; j < classes; j++) if (v[p * classes + j] > v[p * classes + best]) best = j;
                c[p] = best;
            }
            return c;
        }
        return kind == Kind.CLASS_PROBABILITIES ? v : softmax(v, classes);
    }

    /** The softmax of each class row of {@code classes} logits. */
    public static float[] softmax(float[] v, int classes) {
        float[] p = new float[v.length];
        for (int from = 0; from < v.length; from += classes) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = from; j < from + classes; j++) max = Math.max(max, v[j]);
            for (int j = from; j < from + classes; j++) sum += Math.exp(v[j] - max);
            for (int j = from; j < from + classes; j++) p[j] = (float) (Math.exp(v[j] - max) / sum);
        }
        return p;
    }

    /**
     * Column names: {@code y[0]}, {@code y[1]}, ... for each shown node (flat indices), or its units'
     * names, {@code genes[HERC2]}, when it has them; {@code y} for one class column, {@code y[t]} for class rows.
     */
    public static String[] header(Network net, List<String> shown, Mode mode, LossOutputs lossOutputs) {
        List<String> names = new ArrayList<>();
        for (String node : shown) {
            int[] shape = net.shape(node);
            int size = (int) Tensor.size(shape);
            if (classColumns(mode, lossOutputs, node)) {
                int positions = size / shape[shape.length - 1];
                if (positions == 1) names.add(node);
                else for (int p = 0; p < positions; p++) names.add(node + "[" + p + "]");
            } else {
                String[] units = net.unitNames(node);
                for (int k = 0; k < size; k++) names.add(node + "[" + (units != null ? units[k] : Integer.toString(k)) + "]");
            }
        }
        return names.toArray(new String[0]);
    }

    /** Whether {@code node} is shown as one class per class row (argmax of a cross-entropy's output). */
    static boolean classColumns(Mode mode, LossOutputs lossOutputs, String node) {
        Kind kind = lossOutputs.kindOf(node);
        return mode == Mode.CLASSES && kind != null && kind != Kind.PROBABILITIES;
    }
}
