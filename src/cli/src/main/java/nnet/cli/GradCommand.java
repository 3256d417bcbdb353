package nnet.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.io.Csv;
import nnet.runtime.Network;
import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "grad", description = "Writes the gradient of the mean loss over the CSV rows, named like the weights (0 at absent and frozen entries; fixed weights have none).")
final class GradCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--weights", description = "safetensors weights (needed unless every weight is fixed)") Path weights;
    @picocli.CommandLine.Mixin NonFiniteOption nonFinite;
    @Option(names = "--input", required = true, description = "X.csv or X.npy, or name=X.csv for each input (an .npz gives each input its array of that name)") List<String> inputs;
    @Option(names = "--target", required = true, paramLabel = "T.csv", description = "one row per input row, shaped like the loss's output (.csv, .npy, or the array 'target' or only array of an .npz); with several losses, name=T.csv for each loss's output, or one file for every loss not named") List<String> targets;
    @Option(names = "--sample-weights", paramLabel = "W.csv", description = "a weight per input row (per --rows row), multiplying its loss (Keras' sample_weight; the mean stays over the rows); a table's column as TABLE:COLUMN") String sampleWeights;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;
    @picocli.CommandLine.Mixin SparseWeightsOption sparseWeights;
    @picocli.CommandLine.Mixin RowOptions rowOptions;
    @Option(names = "--part", paramLabel = "train|val|test", description = "only the rows of this part of --split") String part;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "G.safetensors", description = "where to write the gradients (- for standard output)") Path output;

    @Override
    public Integer call() {
        Graph g = Sources.trainable(file, network);
        SparseWeights layout = sparseWeights.layoutFor(g); // before any work: a run must not fail at its end
        if (weights == null && Sources.hasTrainable(g))
            throw new UserError(g.name() + " has trainable weights: give --weights W.safetensors (nnetc init or nnetc train make one)");
        Network net = Sources.instantiate(g, MemoryNeeds.Use.GRADIENTS, 0, "grad");
        Sources.loadWeights(net, g, weights, 0, nonFinite);
        float loss;
        TrainingData data = TrainingData.read(net, g.inputLayouts(), inputs, targets, sampleWeights, rowOptions);
        try (nnet.runtime.io.InputRows opened = data.inputs()) {
            int[] rows = rowOptions.part(part, data.rows());
            if (rows != null) data = data.rows(rows);
            MemoryNeeds.check(g, MemoryNeeds.Use.GRADIENTS, 0, data.rows(), "grad"); // the rows are one batch, which a batchnorm's step holds at once
            loss = net.computeGradients(data.inputs().range(0, data.rows()), data.targets(), data.weights());
        }
        Safetensors.write(output, net.gradients(layout));
        nnet.jar.Cli.wrote(output, "the gradient of " + g.name() + "'s mean loss" + (net.penalty() != 0 ? " plus penalty" : "") + " over " + data.rows() + (data.rows() == 1 ? " row" : " rows"));
        // with -o -, standard output holds the gradients file and nothing else
        java.io.PrintStream report = AtomicFiles.isStandardOutput(output) ? System.err : System.out;
        report.println("loss: " + Csv.format(loss));
        if (net.penalty() != 0) report.println("penalty: " + Csv.format(net.penalty()) + " (the gradients are of loss + penalty)");
        return 0;
    }
}
