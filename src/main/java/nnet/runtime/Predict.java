package nnet.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CSV in, forward pass per row, CSV out: the {@code predict} command of both {@code nnetc} and compiled jars. */
public final class Predict {
    private Predict() {}

    /**
     * Reads {@code --input} values: {@code X.csv} when the network has one input, else
     * {@code name=X.csv} for each input. Every row must fit the input's size.
     */
    public static Map<String, float[][]> readInputs(Network net, List<String> specs) {
        Map<String, float[][]> out = new LinkedHashMap<>();
        List<String> names = net.inputNames();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : null;
            String file = eq > 0 ? spec.substring(eq + 1) : spec;
            if (name == null) {
                if (names.size() != 1)
                    throw new UserError("network " + net.name() + " has inputs " + String.join(", ", names) + ": give each as --input name=FILE.csv");
                name = names.get(0);
            }
            if (!names.contains(name)) throw new UserError("network " + net.name() + " has no input '" + name + "'; its inputs are " + String.join(", ", names));
            if (out.containsKey(name)) throw new UserError("input '" + name + "' is given twice");
            Path p = Path.of(file);
            if (!Files.isRegularFile(p)) throw new UserError(file + ": no such file");
            int[] shape = net.shape(name);
            out.put(name, Csv.read(p, (int) Tensor.size(shape), "input " + name + Arrays.toString(shape)));
        }
        List<String> missing = new ArrayList<>(names);
        missing.removeAll(out.keySet());
        if (!missing.isEmpty()) throw new UserError("missing --input for " + String.join(", ", missing));
        int rows = -1;
        for (var e : out.entrySet()) {
            if (rows >= 0 && e.getValue().length != rows)
                throw new UserError("inputs have different row counts: " + e.getKey() + " has " + e.getValue().length + ", another has " + rows);
            rows = e.getValue().length;
        }
        return out;
    }

    /** One output row per input row: the named nodes ({@code probes}, or the outputs when empty) flattened and concatenated. */
    public static float[][] run(Network net, Map<String, float[][]> inputs, List<String> probes) {
        List<String> shown = probes.isEmpty() ? net.outputNames() : probes;
        for (String p : shown)
            if (!net.nodeNames().contains(p)) throw new UserError("network " + net.name() + " has no node '" + p + "'; it has " + String.join(", ", net.nodeNames()));
        int rows = inputs.values().iterator().next().length;
        float[][] out = new float[rows][];
        float[][] sample = new float[net.inputNames().size()][];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < sample.length; k++) sample[k] = inputs.get(net.inputNames().get(k))[r];
            net.forward(sample);
            int width = 0;
            for (String p : shown) width += net.activation(p).length;
            float[] row = new float[width];
            int at = 0;
            for (String p : shown) {
                float[] v = net.activation(p);
                System.arraycopy(v, 0, row, at, v.length);
                at += v.length;
            }
            out[r] = row;
        }
        return out;
    }
}
