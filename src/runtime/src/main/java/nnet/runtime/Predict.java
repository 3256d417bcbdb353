package nnet.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rows in (CSV or NumPy), forward pass per row, rows out: the {@code predict} command of both {@code nnetc} and compiled jars. */
public final class Predict {
    private Predict() {}

    /**
     * Reads {@code --input} values: {@code X.csv} when the network has one input, else
     * {@code name=X.csv} for each input. Every row must fit the input's size.
     */
    public static Map<String, float[][]> readInputs(Network net, List<String> specs) {
        return readInputs(net, specs, SourceFacts.NONE);
    }

    /**
     * The same, where inputs declared {@code layout: nhwc} read their images as {@code [H, W, C]}
     * ({@link DataFiles#readInputRows}) and an input no output depends on may be left out: it is then
     * zeros, which change nothing. A file without a name goes to the one input in use.
     */
    public static Map<String, float[][]> readInputs(Network net, List<String> specs, SourceFacts facts) {
        InputLayouts layouts = facts.layouts();
        Set<String> unused = facts.unusedInputs();
        Map<String, float[][]> out = new LinkedHashMap<>();
        List<String> names = net.inputNames();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : null;
            String file = eq > 0 ? spec.substring(eq + 1) : spec;
            if (name == null && DataFiles.isArchive(Path.of(file)) && names.size() > 1) {
                for (String each : names) read(net, each, file, out, layouts); // every input from the archive's array of its name
                continue;
            }
            List<String> used = names.stream().filter(n -> !unused.contains(n)).toList();
            if (name == null && used.size() == 1 && names.size() > 1) name = used.get(0);
            if (name == null) {
                if (names.size() != 1)
                    throw new UserError("network " + net.name() + " has inputs " + String.join(", ", names) + ": give each as --input name=FILE.csv");
                name = names.get(0);
            }
            if (!names.contains(name)) throw new UserError("network " + net.name() + " has no input '" + name + "'; its inputs are " + String.join(", ", names));
            read(net, name, file, out, layouts);
        }
        List<String> missing = new ArrayList<>(names);
        missing.removeAll(out.keySet());
        if (!missing.isEmpty() && !unused.containsAll(missing)) {
            missing.removeAll(unused);
            throw new UserError("missing --input for " + String.join(", ", missing));
        }
        if (!missing.isEmpty() && !out.isEmpty()) {
            int rows = out.values().iterator().next().length;
            for (String m : missing) out.put(m, new float[rows][(int) Tensor.size(net.shape(m))]);
        }
        int rows = -1;
        for (var e : out.entrySet()) {
            if (rows >= 0 && e.getValue().length != rows)
                throw new UserError("inputs have different row counts: " + e.getKey() + " has " + e.getValue().length + ", another has " + rows);
            rows = e.getValue().length;
        }
        return out;
    }

    /** The rows of input {@code name} from a CSV or NumPy file (an .npz's array of that name). */
    private static void read(Network net, String name, String file, Map<String, float[][]> out, InputLayouts layouts) {
        if (out.containsKey(name)) throw new UserError("input '" + name + "' is given twice");
        Path p = Path.of(file);
        DataFiles.checkReadable(p);
        int[] shape = net.shape(name);
        Integer vocabulary = net.tokenInputs().get(name);
        if (vocabulary == null) {
            out.put(name, DataFiles.readInputRows(p, name, shape, layouts.isChannelsLast(name), "input " + name + Arrays.toString(shape)));
            return;
        }
        // token ids: each a whole number below the vocabulary's size, or an error at its place
        DataFiles.Table t = DataFiles.readTable(p, name, "input " + name + Arrays.toString(shape));
        int columns = (int) Tensor.size(shape);
        if (t.width() != columns) throw new UserError(t.place(0) + ": " + t.width() + " values, but input " + name + Arrays.toString(shape) + " takes " + columns);
        for (int r = 0; r < t.rows().length; r++)
            for (int c = 0; c < columns; c++) {
                String problem = Embedding.notAToken(t.rows()[r][c], vocabulary);
                if (problem != null) throw new UserError(t.place(r, c) + ": " + problem + " (input " + name + " holds token ids)");
            }
        out.put(name, t.rows());
    }

    /** Writes what {@link #run} returned to {@code output} (CSV, .npy or .npz by its extension), or as CSV to standard output. */
    public static void write(Network net, List<String> probes, float[][] rows, Path output) throws java.io.IOException {
        if (output == null || AtomicFiles.isStandardOutput(output)) {
            Csv.write(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), rows);
            return;
        }
        List<String> shown = probes.isEmpty() ? net.outputNames() : probes;
        DataFiles.writeRows(output, rows, shown, shown.stream().map(net::shape).toList());
    }

    /**
     * The whole {@code predict} command of {@code nnetc} and of jars: reads the inputs, runs them,
     * shows the losses' outputs as {@code mode} (null: what the losses imply, {@link
     * PredictOutput#defaultMode}) and writes the rows, under a header of column names in CSV when
     * {@code header} is set. Returns the number of rows.
     */
    public static int predict(Network net, List<String> inputSpecs, List<String> probes, PredictOutput.Mode mode, boolean header, Path output,
                               SourceFacts facts) throws java.io.IOException {
        PredictOutput.LossOutputs lossOutputs = facts.lossOutputs();
        List<String> shown = probes.isEmpty() ? net.outputNames() : probes;
        PredictOutput.Mode m = mode != null ? mode : probes.isEmpty() ? PredictOutput.defaultMode(lossOutputs) : PredictOutput.Mode.RAW;
        SourceFacts read = probes.isEmpty() ? facts : new SourceFacts(lossOutputs, facts.layouts(), Set.of()); // a probe may read any input
        float[][] rows = PredictOutput.apply(net, shown, run(net, readInputs(net, inputSpecs, read), probes), m, lossOutputs);
        String[] names = header ? PredictOutput.header(net, shown, m, lossOutputs) : null;
        if (output == null || AtomicFiles.isStandardOutput(output)) {
            Csv.write(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), names, rows);
            return rows.length;
        }
        List<int[]> shapes = new ArrayList<>();
        for (String node : shown) {
            int[] shape = net.shape(node);
            shapes.add(PredictOutput.classColumns(m, lossOutputs, node) ? (shape.length == 1 ? new int[0] : Arrays.copyOf(shape, shape.length - 1)) : shape);
        }
        DataFiles.writeRows(output, rows, shown, shapes, names);
        return rows.length;
    }

    /** Rows run as one batch (tiles of samples for sparse networks), a bounded amount of memory at a time. */
    private static final int CHUNK = 1024;

    /** One output row per input row: the named nodes ({@code probes}, or the outputs when empty) flattened and concatenated. */
    public static float[][] run(Network net, Map<String, float[][]> inputs, List<String> probes) {
        List<String> shown = probes.isEmpty() ? net.outputNames() : probes;
        for (String p : shown)
            if (!net.nodeNames().contains(p)) throw new UserError("network " + net.name() + " has no node '" + p + "'; it has " + String.join(", ", net.nodeNames()));
        int rows = inputs.values().iterator().next().length;
        float[][] out = new float[rows][];
        float[][][] batch = new float[Math.min(rows, CHUNK)][net.inputNames().size()][];
        for (int first = 0; first < rows; first += CHUNK) {
            int count = Math.min(CHUNK, rows - first);
            if (count < batch.length) batch = java.util.Arrays.copyOf(batch, count);
            for (int s = 0; s < count; s++)
                for (int k = 0; k < net.inputNames().size(); k++) batch[s][k] = inputs.get(net.inputNames().get(k))[first + s];
            float[][][] values = net.forwardBatch(batch, shown);
            for (int s = 0; s < count; s++) {
                int width = 0;
                for (float[] v : values[s]) width += v.length;
                float[] row = new float[width];
                int at = 0;
                for (float[] v : values[s]) {
                    System.arraycopy(v, 0, row, at, v.length);
                    at += v.length;
                }
                out[first + s] = row;
            }
        }
        return out;
    }
}
