package nnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import nnet.interchange.onnx.OnnxExport;
import nnet.interchange.onnx.proto.Onnx.ModelProto;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.runtime.DataFormatException;
import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.StoredTensor;
import nnet.runtime.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", description = {
        "Writes the network's forward pass as an ONNX model (opset " + OnnxExport.OPSET + "), inputs and outputs named as in the source,",
        "each with a leading batch axis N. Absent connections are zeros, or edge lists for large sparse layers."})
final class ExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--weights", paramLabel = "W.safetensors", description = "the weights (needed unless every weight is fixed)") Path weights;
    @picocli.CommandLine.Mixin NonFiniteOption nonFinite;
    @Option(names = "--probe", description = "also output this node (repeatable)") List<String> probes = new ArrayList<>();
    @Option(names = "--edge-lists", paramLabel = "auto|always|never", defaultValue = "auto",
            description = "write masked dense kernels as edge lists: auto (large and at most 25%% present), always, never (zeros in a dense kernel); default ${DEFAULT-VALUE}")
    String edgeLists;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "NET.onnx") Path output;

    @Override
    public Integer call() {
        OnnxExport.EdgeLists rule = switch (edgeLists) {
            case "auto" -> OnnxExport.EdgeLists.AUTO;
            case "always" -> OnnxExport.EdgeLists.ALWAYS;
            case "never" -> OnnxExport.EdgeLists.NEVER;
            default -> throw new UserError("--edge-lists takes auto, always or never, not '" + edgeLists + "'");
        };
        Graph g = Sources.graph(file, network);
        if (weights == null && Sources.hasTrainable(g))
            throw new UserError(g.name() + " has trainable weights: give --weights W.safetensors (nnetc init or nnetc train make one)");
        // sparse kernels as the file holds them: a compact one too large to be dense is read by its connections
        Map<String, StoredTensor> stored = weights == null ? InitialWeights.stored(g, 0, SparseWeights.AUTO) : Safetensors.readStored(weights);
        if (weights != null && !nonFinite.allowed) nnet.runtime.io.WeightsFile.requireFinite(weights, stored);
        ModelProto model;
        try {
            model = OnnxExport.export(g, stored, probes, rule);
        } catch (DataFormatException e) {
            throw new DataFormatException(weights + ": " + e.getMessage().replaceFirst("^weights: ", ""), e);
        }
        OutputFiles.write(output, model::writeTo);
        nnet.jar.Cli.wrote(output, g.name() + " as ONNX opset " + OnnxExport.OPSET + ", inputs " + names(g.inputs()) + ", outputs "
                + String.join(", ", model.getGraph().getOutputList().stream().map(v -> v.getName()).toList()));
        return 0;
    }

    private static String names(List<nnet.ir.Node> nodes) {
        return String.join(", ", nodes.stream().map(n -> n.name() + n.shape()).toList());
    }
}
