package nnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import nnet.Compiler;
import nnet.ir.Graph;
import nnet.pack.JarPackager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compile", description = "Compiles every network of FILE into a self-contained jar: java -jar NET.jar predict --input X.csv")
final class CompileCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "NET.jar") Path output;
    @Option(names = "--weights", description = "weights to pack (safetensors); default: initial weights from --seed") Path weights;
    @picocli.CommandLine.Mixin NonFiniteOption nonFinite;
    @Option(names = "--seed", defaultValue = "1", description = "seed of the initial weights packed when --weights is not given (default ${DEFAULT-VALUE})") long seed;

    @Override
    public Integer call() {
        List<JarPackager.Packed> packed = new ArrayList<>();
        List<Graph> graphs = Sources.graphs(file);
        if (weights != null && graphs.size() != 1) throw new nnet.runtime.UserError("--weights is for a file with one network; " + file + " has " + graphs.size());
        for (Graph g : graphs) {
            // load into a compiled instance first: a weights file that does not fit fails here, not in the user's jar
            var net = Sources.instantiate(g, MemoryNeeds.Use.FORWARD, 0, "compile");
            Sources.loadWeights(net, g, weights, seed, nonFinite);
            Compiler.Stages stages = Compiler.stages(g);
            packed.add(new JarPackager.Packed(Compiler.compile(stages), net.saveWeights(nnet.runtime.io.SparseWeights.AUTO), JarPackager.facts(g), Compiler.explainers(stages)));
            // predict, evaluate and export refuse such a network without --weights; a jar is built for later use, so it is said instead
            if (weights == null && Sources.hasTrainable(g))
                System.err.println("warning: " + g.name() + " has trainable weights and no --weights was given: the jar holds initial weights (--seed "
                        + seed + "), not trained ones; give --weights W.safetensors to pack those");
        }
        JarPackager.write(output, packed);
        nnet.jar.Cli.wrote(output, String.join(", ", graphs.stream().map(Graph::name).toList()));
        return 0;
    }
}
