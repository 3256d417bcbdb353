package nnet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.pack.JarPackager;
import nnet.runtime.Network;
import nnet.runtime.io.InputRows;
import nnet.runtime.jar.Predict;
import nnet.runtime.jar.SourceFacts;
import nnet.runtime.jar.PredictOutput;
import nnet.runtime.UserError;
import nnet.runtime.io.WeightsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", description = "Runs a network (a .nnet file or a compiled jar) on every row of the input CSV; one CSV row out per row in.")
final class PredictCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|JAR") Path source;
    @Option(names = "--weights", description = "safetensors weights (needed unless every weight is fixed; a jar has its own)") Path weights;
    @picocli.CommandLine.Mixin NonFiniteOption nonFinite;
    @Option(names = "--input", required = true, description = "X.csv or X.npy, or name=X.csv for each input (an .npz gives each input its array of that name)") List<String> inputs;
    @Option(names = "--probe", description = "print this node's values instead of the outputs (repeatable)") List<String> probes = new ArrayList<>();
    @Option(names = "--network", description = "which network, when the file declares several") String network;
    @Option(names = "--output", paramLabel = "probabilities|classes|raw", description = "what to show of the loss's output: softmax probabilities (cross_entropy), probabilities (binary_cross_entropy), the class (argmax, or 0/1), or the raw values (default: probabilities when the loss is one of those, else raw; probes are raw). The output file is -o") String outputMode;
    @Option(names = "--no-header", description = "no header line of column names (y[0], y[1], ...) in CSV output") boolean noHeader;
    @picocli.CommandLine.Mixin RowOptions rowOptions;
    @Option(names = "--part", paramLabel = "train|val|test", description = "only the rows of this part of --split, in its order") String part;
    @Option(names = {"-o"}, description = "write the rows here (atomically; .csv, .npy or .npz by the extension) instead of CSV to standard output (- is standard output)") Path output;

    @Override
    public Integer call() throws IOException {
        PredictOutput.Mode mode = PredictOutput.Mode.parse(outputMode);
        Network net;
        SourceFacts facts;
        if (source.toString().endsWith(".jar")) {
            net = JarNetworks.load(source, network);
            if (weights != null) WeightsFile.load(net, weights, System.err, nonFinite.allowed);
            facts = SourceFacts.of(net);
        } else {
            Graph g = Sources.graph(source, network);
            net = fromSource(g);
            facts = JarPackager.facts(g);
        }
        int count;
        try (InputRows opened = Predict.openInputs(net, inputs, Predict.facts(facts, probes))) {
            InputRows in = rowOptions.select(opened);
            int[] rows = rowOptions.part(part, in.rows());
            count = Predict.predict(net, rows != null ? in.select(rows) : in, probes, mode, !noHeader, output, facts.lossOutputs());
        }
        if (output != null) nnet.jar.Cli.wrote(output, nnet.jar.Cli.count(count, "row") + " of " + net.name() + "'s " + (probes.isEmpty() ? "outputs" : "probes"));
        return 0;
    }

    private Network fromSource(Graph g) {
        if (weights == null && Sources.hasTrainable(g))
            throw new UserError(g.name() + " has trainable weights: give --weights W.safetensors (nnetc init or nnetc train make one)");
        Network net = Sources.instantiate(g, MemoryNeeds.Use.FORWARD, 0, "predict");
        Sources.loadWeights(net, g, weights, 0, nonFinite);
        return net;
    }
}
