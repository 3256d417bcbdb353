package nnet.jar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.jar.Manifest;
import nnet.runtime.jar.Launcher;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.jar.Predict;
import nnet.runtime.jar.PredictOutput;
import nnet.runtime.jar.SourceFacts;
import nnet.runtime.Vectors;
import nnet.runtime.io.WeightsFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code Main-Class} of a compiled network jar: {@code java -jar NET.jar predict --input X.csv}
 * runs the packed network with its packed weights ({@link PackedNetworks}). It lives beside the
 * compiler, not in the runtime, because it parses its arguments with picocli, which the runtime
 * does not carry; the packager copies it and picocli into every jar.
 */
@Command(name = "java -jar NET.jar", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, subcommands = {JarMain.PredictCommand.class, JarMain.InfoCommand.class},
        description = "A network compiled by nnetc.")
public final class JarMain implements Runnable {
    public static void main(String[] args) {
        Launcher.withVectorModule(JarMain.class, args);
        System.exit(Cli.execute(new CommandLine(new JarMain()), args, t -> null));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "predict", description = "Runs the network on every row of the input CSV; prints one CSV row per input row.")
    static final class PredictCommand implements Callable<Integer> {
        @Option(names = "--input", required = true, description = "X.csv or X.npy, or name=X.csv for each input of a network with several (an .npz gives each input its array of that name)") List<String> inputs;
        @Option(names = "--weights", description = "weights to use instead of the packed ones (safetensors)") Path weights;
        @Option(names = "--allow-nonfinite", description = "load a weights file that holds NaN or infinite values (an error otherwise, naming the first)") boolean allowNonFinite;
        @Option(names = "--probe", description = "print this node's values instead of the outputs (repeatable)") List<String> probes = new ArrayList<>();
        @Option(names = "--network", description = "which network, when the jar holds several") String network;
        @Option(names = "--output", paramLabel = "probabilities|classes|raw", description = "what to show of the loss's output: probabilities, the class, or the raw values (default: probabilities under cross_entropy or binary_cross_entropy, else raw; probes are raw). The output file is -o") String outputMode;
        @Option(names = "--no-header", description = "no header line of column names (y[0], y[1], ...) in CSV output") boolean noHeader;
        @Option(names = {"-o"}, description = "write the rows here (atomically; .csv, .npy or .npz by the extension) instead of CSV to standard output (- is standard output)") Path output;

        @Override
        public Integer call() throws IOException {
            PredictOutput.Mode mode = PredictOutput.Mode.parse(outputMode);
            Network net = PackedNetworks.load(network);
            if (weights != null) WeightsFile.load(net, weights, System.err, allowNonFinite);
            int rows = Predict.predict(net, inputs, probes, mode, !noHeader, output, SourceFacts.of(net));
            if (output != null) Cli.wrote(output, Cli.count(rows, "row") + " of " + net.name() + "'s " + (probes.isEmpty() ? "outputs" : "probes"));
            return 0;
        }
    }

    @Command(name = "info", description = "Lists the networks in this jar with their inputs, outputs and nodes, and which kernels batches run through.")
    static final class InfoCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
            for (String c : PackedNetworks.networks()) {
                Network net = PackedNetworks.load(c.substring(c.lastIndexOf('.') + 1));
                out.println(net.name() + ": inputs " + describe(net, net.inputNames()) + "; outputs " + describe(net, net.outputNames()) + "; nodes " + describe(net, net.nodeNames()));
            }
            out.println("batches run through " + (Vectors.enabled() ? "the Vector API" : "plain Java (the JVM lacks --add-modules=" + Vectors.MODULE + ")"));
            return 0;
        }
    }

    static String describe(Network net, List<String> names) {
        List<String> parts = new ArrayList<>();
        for (String n : names) parts.add(n + java.util.Arrays.toString(net.shape(n)));
        return String.join(", ", parts);
    }
}
