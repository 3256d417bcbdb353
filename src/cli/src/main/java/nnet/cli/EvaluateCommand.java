package nnet.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.runtime.Network;
import nnet.runtime.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "evaluate", description = {
        "Prints the mean loss of the network over labelled rows and the figures that fit each loss: for labels accuracy, AUC, precision, recall, F1 and a confusion matrix; for mse, MSE, MAE and R².",
        "Targets as for train: one-hot rows, probabilities, or class indices under cross_entropy."})
final class EvaluateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--weights", description = "safetensors weights (needed unless every weight is fixed)") Path weights;
    @picocli.CommandLine.Mixin NonFiniteOption nonFinite;
    @Option(names = "--input", required = true, description = "X.csv or X.npy, or name=X.csv for each input (an .npz gives each input its array of that name)") List<String> inputs;
    @Option(names = "--target", required = true, paramLabel = "T.csv", description = "one row per input row: shaped like the loss's output, or class indices under cross_entropy; with several losses, name=T.csv for each loss's output, or one file for every loss not named") List<String> targets;
    @Option(names = "--sample-weights", paramLabel = "W.csv", description = "a weight per input row (per --rows row), multiplying its loss (Keras' sample_weight; the mean stays over the rows); a table's column as TABLE:COLUMN") String sampleWeights;
    @Option(names = "--json", description = "one JSON object: rows, loss, penalty, accuracy, right, confusion, the other figures (auc, precision, recall, f1, mse, mae, r2), and each output's with several losses") boolean json;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;
    @picocli.CommandLine.Mixin RowOptions rowOptions;
    @Option(names = "--part", paramLabel = "train|val|test", description = "only the rows of this part of --split (GenNet's test rows: --split subjects.csv:set --part test)") String part;

    @Override
    public Integer call() {
        Graph g = Sources.trainable(file, network);
        if (weights == null && Sources.hasTrainable(g))
            throw new UserError(g.name() + " has trainable weights: give --weights W.safetensors (nnetc init or nnetc train make one)");
        Network net = Sources.instantiate(g, MemoryNeeds.Use.GRADIENTS, 0, "evaluate");
        Sources.loadWeights(net, g, weights, 0, nonFinite);
        TrainingData data = TrainingData.read(net, g.inputLayouts(), inputs, targets, sampleWeights, rowOptions);
        Evaluation e;
        try (nnet.runtime.io.InputRows opened = data.inputs()) {
            int[] rows = rowOptions.part(part, data.rows());
            e = Evaluation.of(net, (rows != null ? data.rows(rows) : data).inFileOrder(), nnet.pack.JarPackager.facts(g).lossOutputs());
        }
        System.out.print(json ? e.json() + "\n" : e.text());
        return 0;
    }
}
