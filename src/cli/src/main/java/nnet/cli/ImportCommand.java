package nnet.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import nnet.interchange.ImportedNetwork;
import nnet.interchange.keras.KerasImport;
import nnet.interchange.onnx.OnnxImport;
import nnet.runtime.io.Safetensors;
import nnet.runtime.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", description = {
        "Translates a saved Keras model (Keras 3 .keras, or a legacy Keras 2 .h5) or an ONNX model (.onnx, as torch.onnx.export",
        "writes it) into an equivalent .nnet network, and writes its weights beside it (NET.safetensors for -o NET.nnet),",
        "so that predict gives the original's outputs."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL.keras|MODEL.h5|MODEL.onnx") Path model;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "NET.nnet") Path output;

    @Override
    public Integer call() {
        String file = output.getFileName().toString();
        if (!file.endsWith(".nnet")) throw new UserError("-o " + output + ": the network's file must end in .nnet (its weights go beside it as .safetensors)");
        Path weights = output.resolveSibling(file.substring(0, file.length() - ".nnet".length()) + ".safetensors");
        ImportedNetwork.Result r = model.getFileName().toString().toLowerCase().endsWith(".onnx") ? OnnxImport.of(model) : KerasImport.of(model);
        OutputFiles.write(weights, out -> out.write(Safetensors.toBytes(r.weights())));
        OutputFiles.write(output, out -> out.write(r.source().getBytes(StandardCharsets.UTF_8)));
        nnet.jar.Cli.wrote(output, "the network, imported from " + model);
        nnet.jar.Cli.wrote(weights, "its weights, " + r.weights().size() + " tensors");
        for (String note : r.notes()) System.out.println("note: " + note);
        System.out.println("run it: nnetc predict " + output + " --weights " + weights + " --input X.npy");
        return 0;
    }
}
