package nnet.runtime.jar;

import nnet.runtime.Network;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;
import nnet.runtime.io.ArrayRows;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.io.Csv;
import nnet.runtime.io.DataFiles;
import nnet.runtime.io.FilePart;
import nnet.runtime.io.InputLayouts;
import nnet.runtime.io.InputRows;
import nnet.runtime.io.RowFiles;
import nnet.runtime.io.RowSource;
import nnet.runtime.math.Embedding;

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
        try (InputRows rows = openInputs(net, specs, facts)) {
            return rows.readAll();
        }
    }

    /**
     * The rows of {@code --input} values as {@link #readInputs} takes them, opened rather than read
     * ({@link RowFiles}): a file may name its part ({@code genotype.h5:/X}), and large files are
     * read as their rows are asked for. Every row must fit the input's size, every input have as many rows.
     */
    public static InputRows openInputs(Network net, List<String> specs, SourceFacts facts) {
        InputLayouts layouts = facts.layouts();
        Set<String> unused = facts.unusedInputs();
        Map<String, RowSource> out = new LinkedHashMap<>();
        List<String> names = net.inputNames();
        try {
            for (String spec : specs) {
                int eq = spec.indexOf('=');
                String name = eq > 0 ? spec.substring(0, eq) : null;
                String file = eq > 0 ? spec.substring(eq + 1) : spec;
                if (name == null && DataFiles.isArchive(Path.of(file)) && names.size() > 1) {
                    for (String each : names) open(net, each, file, out, layouts); // every input from the archive's array of its name
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
                open(net, name, file, out, layouts);
            }
            List<String> missing = new ArrayList<>(names);
            missing.removeAll(out.keySet());
            if (!missing.isEmpty() && !unused.containsAll(missing)) {
                missing.removeAll(unused);
                throw new UserError("missing --input for " + String.join(", ", missing));
            }
            if (!missing.isEmpty() && !out.isEmpty()) {
                int rows = out.values().iterator().next().rows();
                for (String m : missing) out.put(m, ArrayRows.of(m, new float[rows][(int) Tensor.size(net.shape(m))]));
            }
            int rows = -1;
            for (var e : out.entrySet()) {
                if (rows >= 0 && e.getValue().rows() != rows)
                    throw new UserError("inputs have different row counts: " + e.getKey() + " has " + e.getValue().rows() + ", another has " + rows);
                rows = e.getValue().rows();
            }
        } catch (RuntimeException e) {
            for (RowSource r : out.values()) r.close();
            throw e;
        }
        return new InputRows(names, names.stream().map(out::get).toList());
    }

    /** The rows of input {@code name} from a file (an .npz's array of that name). */
    private static void open(Network net, String name, String file, Map<String, RowSource> out, InputLayouts layouts) {
        if (out.containsKey(name)) throw new UserError("input '" + name + "' is given twice");
        int[] shape = net.shape(name);
        Integer vocabulary = net.tokenInputs().get(name);
        FilePart spec = FilePart.parse(file);
        String what = "input " + name + Arrays.toString(shape);
        if (vocabulary == null) {
            out.put(name, RowFiles.openInput(spec, name, shape, layouts.isChannelsLast(name), what));
            return;
        }
        // token ids: each a whole number below the vocabulary's size, or an error at its place
        DataFiles.checkReadable(spec.file());
        DataFiles.Table t = DataFiles.readTable(spec, name, what);
        int columns = (int) Tensor.size(shape);
        if (t.width() != columns) throw new UserError(t.place(0) + ": " + t.width() + " values, but " + what + " takes " + columns);
        for (int r = 0; r < t.rows().length; r++)
            for (int c = 0; c < columns; c++) {
                String problem = Embedding.notAToken(t.rows()[r][c], vocabulary);
                if (problem != null) throw new UserError(t.place(r, c) + ": " + problem + " (input " + name + " holds token ids)");
            }
        out.put(name, ArrayRows.of(name, t.rows()));
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
        try (InputRows in = openInputs(net, inputSpecs, facts(facts, probes))) {
            return predict(net, in, probes, mode, header, output, facts.lossOutputs());
        }
    }

    /** What {@code facts} say of the inputs to read for {@code probes}: a probe may read any input, so none is left out as unused. */
    public static SourceFacts facts(SourceFacts facts, List<String> probes) {
        return probes.isEmpty() ? facts : new SourceFacts(facts.lossOutputs(), facts.layouts(), Set.of());
    }

    /** The same over rows already opened (a selection of them: {@code nnetc predict --rows}). */
    public static int predict(Network net, InputRows in, List<String> probes, PredictOutput.Mode mode, boolean header, Path output,
                              PredictOutput.LossOutputs lossOutputs) throws java.io.IOException {
        List<String> shown = probes.isEmpty() ? net.outputNames() : probes;
        PredictOutput.Mode m = mode != null ? mode : probes.isEmpty() ? PredictOutput.defaultMode(lossOutputs) : PredictOutput.Mode.RAW;
        float[][] rows = PredictOutput.apply(net, shown, run(net, in, probes), m, lossOutputs);
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
        List<String> names = net.inputNames();
        return run(net, new InputRows(names, names.stream().map(n -> (RowSource) ArrayRows.of(n, inputs.get(n))).toList()), probes);
    }

    /**
     * The same over rows read as they are run, {@link #CHUNK} at a time (fewer if they are wide): memory for the outputs, not
     * the inputs. Rows are run in the files' order (each block of a file read once, whatever order a
     * selection gives them) and their outputs put in the selection's order.
     */
    public static float[][] run(Network net, InputRows inputs, List<String> probes) {
        List<String> shown = probes.isEmpty() ? net.outputNames() : probes;
        for (String p : shown)
            if (!net.nodeNames().contains(p)) throw new UserError("network " + net.name() + " has no node '" + p + "'; it has " + String.join(", ", net.nodeNames()));
        int rows = inputs.rows();
        int[] order = inputs.inFileOrder();
        float[][] out = new float[rows][];
        int chunk = inputs.batchRows(CHUNK);
        for (int first = 0; first < rows; first += chunk) {
            int count = Math.min(chunk, rows - first);
            float[][][] values = net.forwardBatch(inputs.samples(order, first, count), shown);
            for (int s = 0; s < count; s++) {
                int width = 0;
                for (float[] v : values[s]) width += v.length;
                float[] row = new float[width];
                int at = 0;
                for (float[] v : values[s]) {
                    System.arraycopy(v, 0, row, at, v.length);
                    at += v.length;
                }
                out[order[first + s]] = row;
            }
        }
        return out;
    }
}
