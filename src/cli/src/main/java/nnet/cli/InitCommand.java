package nnet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "init", description = "Writes initial weights and connectivity masks (safetensors, names as LANGUAGE.md §6).")
final class InitCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})") long seed;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "W.safetensors", description = "where to write the weights (- for standard output)") Path output;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;
    @picocli.CommandLine.Mixin SparseWeightsOption sparseWeights;

    @Override
    public Integer call() {
        Graph g = Sources.graph(file, network);
        SparseWeights layout = sparseWeights.layoutFor(g); // before any work: a run must not fail at its end
        MemoryNeeds.check(g, MemoryNeeds.Use.INITIAL_WEIGHTS, 0, "init");
        Safetensors.write(output, InitialWeights.stored(g, seed, layout));
        nnet.jar.Cli.wrote(output, "initial weights of " + g.name() + " (--seed " + seed + ")");
        return 0;
    }
}
