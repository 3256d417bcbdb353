package nnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import nnet.Compiler;
import nnet.emit.GeneratedNetwork;
import nnet.ir.Graph;
import nnet.pack.NetworkClassLoader;
import nnet.runtime.Attributions;
import nnet.runtime.io.InputRows;
import nnet.runtime.jar.SourceFacts;
import nnet.runtime.Network;
import nnet.runtime.jar.Predict;
import nnet.runtime.UserError;
import nnet.runtime.io.WeightsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "explain", description = "Attributes an output unit's raw value (before the loss) to the units of named nodes, by the network's generated backward pass; writes DIR/<node>.csv (unit,name,score,abs_score by abs_score), DIR/summary.csv, DIR/report.html and, as the method has them, DIR/check.csv and DIR/paths.csv.")
final class ExplainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|JAR") Path source;
    @picocli.CommandLine.Mixin NonFiniteOption nonFinite;
    @Option(names = "--weights", description = "safetensors weights (needed unless every weight is fixed; a jar has its own)") Path weights;
    @Option(names = "--input", required = true, description = "X.csv or X.npy, or name=X.csv for each input (an .npz gives each input its array of that name)") List<String> inputs;
    @Option(names = "--target", paramLabel = "OUTPUT[:UNIT]", description = "the output unit explained: y (an output of one unit), y:3 (a unit by index or name), y:predicted (each row's largest); default: the first output") String target;
    @Option(names = "--method", defaultValue = "gradxinput", paramLabel = "gradxinput|saliency|deeplift|ig|weights", description = "default ${DEFAULT-VALUE}") String method;
    @Option(names = "--baseline", defaultValue = "zero", paramLabel = "zero|mean|B.csv", description = "x0 of deeplift and ig: zeros, the mean of the input rows, or a file of one row (or a row per input row); default ${DEFAULT-VALUE}") String baseline;
    @Option(names = "--steps", defaultValue = "50", description = "steps of ig's path (default ${DEFAULT-VALUE})") int steps;
    @Option(names = "--nodes", split = ",", paramLabel = "a,b", description = "the nodes explained (default: the inputs)") List<String> nodes;
    @Option(names = "--all", description = "explain every readable node") boolean all;
    @Option(names = "--per-sample", description = "also DIR/<node>.samples.csv: a row per input row, a column per unit") boolean perSample;
    @Option(names = "--network", description = "which network, when the file declares several") String network;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "the directory written (made if missing)") Path output;
    @picocli.CommandLine.Mixin RowOptions rowOptions;
    @Option(names = "--part", paramLabel = "train|val|test", description = "only the rows of this part of --split") String part;

    @Override
    public Integer call() throws IOException {
        try (InputRows opened = Predict.openInputs(net(), inputs, SourceFacts.NONE)) {
            InputRows in = rowOptions.select(opened);
            int[] rows = rowOptions.part(part, in.rows());
            return explain(rows != null ? in.select(rows) : in);
        }
    }

    /** The network, loaded once: {@link #call} opens its inputs before explaining. */
    private Network net;

    private Network net() throws IOException {
        if (net == null) net = load();
        return net;
    }

    private int explain(InputRows in) throws IOException {
        Attributions.Method m = method();
        if (nodes != null && all) throw new UserError("--nodes and --all: give one of them");
        List<String> explained = all ? net.nodeNames() : nodes != null ? nodes : net.inputNames();
        for (String n : explained)
            if (!net.nodeNames().contains(n)) throw new UserError("network " + net.name() + " has no node '" + n + "'; it has " + String.join(", ", net.nodeNames()));
        int rows = in.rows();
        if (rows == 0) throw new UserError("no input rows to explain");
        String out = targetOutput(net);
        Attributions.Request request = new Attributions.Request(m, out, targetUnit(net, out), baseline(net, in), steps, List.copyOf(explained));
        if (nnet.runtime.io.AtomicFiles.isStandardOutput(output)) throw new UserError("explain writes a directory of files: -o - (standard output) is not one");
        if (Files.exists(output) && !Files.isDirectory(output)) throw new UserError(output + " is not a directory");
        Files.createDirectories(output);
        ExplainFiles files = new ExplainFiles(net, request, output, perSample, rows);
        long start = System.nanoTime();
        try {
            Attributions.run(net, in, request, files::add);
            files.finish();
        } finally {
            files.close();
        }
        System.err.printf(java.util.Locale.ROOT, "explained %d row(s) of %s (%s, %s) in %.2f s into %s%n", rows, net.name(), m.label(), out, (System.nanoTime() - start) / 1e9, output);
        return 0;
    }

    private Attributions.Method method() {
        return Attributions.Method.parse(method);
    }

    /** The network with its attribution passes, from a jar (packed by nnetc compile) or compiled from the source. */
    private Network load() throws IOException {
        if (source.toString().endsWith(".jar")) {
            Network net = JarNetworks.load(source, network);
            if (weights != null) WeightsFile.load(net, weights, System.err, nonFinite.allowed);
            return net;
        }
        Graph g = Sources.graph(source, network);
        if (weights == null && Sources.hasTrainable(g))
            throw new UserError(g.name() + " has trainable weights: give --weights W.safetensors (nnetc init or nnetc train make one)");
        MemoryNeeds.check(g, MemoryNeeds.Use.FORWARD, 0, "explain");
        Compiler.Stages s = Compiler.stages(g);
        GeneratedNetwork main = Compiler.compile(s);
        NetworkClassLoader loader = new NetworkClassLoader();
        loader.add(main.className(), Compiler.explainers(s));
        Network net = loader.instantiate(main);
        Sources.loadWeights(net, g, weights, 0, nonFinite);
        return net;
    }

    private static float[][][] rows(Network net, Map<String, float[][]> in) {
        int n = in.values().iterator().next().length;
        float[][][] rows = new float[n][net.inputNames().size()][];
        for (int s = 0; s < n; s++)
            for (int k = 0; k < rows[s].length; k++) rows[s][k] = in.get(net.inputNames().get(k))[s];
        return rows;
    }

    private String targetOutput(Network net) {
        return Attributions.Target.parse(net, target).output();
    }

    /** The unit of {@code --target}: an index, a unit's name, {@code predicted}, or the only unit. */
    private int targetUnit(Network net, String out) {
        return Attributions.Target.parse(net, target).unit();
    }

    /** x0 as {@code [1 or rows][input][values]}: zeros, the rows' mean (a pass over them), or a file's row(s). */
    private float[][][] baseline(Network net, InputRows in) {
        List<String> names = net.inputNames();
        int rows = in.rows();
        if (baseline.equals("zero")) return null;
        if (baseline.equals("mean")) {
            double[][] sum = new double[names.size()][];
            for (int r : in.inFileOrder()) {
                float[][] x = in.sample(r);
                for (int k = 0; k < x.length; k++) {
                    if (sum[k] == null) sum[k] = new double[x[k].length];
                    for (int i = 0; i < x[k].length; i++) sum[k][i] += x[k][i];
                }
            }
            float[][][] mean = new float[1][names.size()][];
            for (int k = 0; k < names.size(); k++) {
                mean[0][k] = new float[sum[k].length];
                for (int i = 0; i < sum[k].length; i++) mean[0][k][i] = (float) (sum[k][i] / rows);
            }
            return mean;
        }
        List<String> specs = new ArrayList<>();
        if (names.size() == 1) specs.add(baseline);
        else for (String part : baseline.split(",")) specs.add(part);
        Map<String, float[][]> b = Predict.readInputs(net, specs);
        int n = b.values().iterator().next().length;
        if (n != 1 && n != rows) throw new UserError("--baseline " + baseline + " has " + n + " rows: give one row, or one per input row (" + rows + ")");
        return rows(net, b);
    }
}
