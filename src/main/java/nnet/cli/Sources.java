package nnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nnet.Compiler;
import nnet.diag.CompileError;
import nnet.emit.GeneratedNetwork;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.pack.NetworkClassLoader;
import nnet.runtime.Network;
import nnet.runtime.Safetensors;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;

/** What several commands share: read and check a file, pick a network, compile it in memory, find its weights. */
final class Sources {
    private Sources() {}

    static Compiler.Checked check(Path file) {
        if (!Files.isRegularFile(file)) throw new UserError(file + ": no such file");
        try {
            return Compiler.check(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
    }

    /** The checked graphs of a file; its diagnostics become a {@link CompileError}. */
    static List<Graph> graphs(Path file) {
        Compiler.Checked c = check(file);
        if (!c.ok()) throw new CompileError(c.diagnostics());
        return c.graphs();
    }

    /** The network called {@code name}, or the file's only one. */
    static Graph graph(Path file, String name) {
        List<Graph> all = graphs(file);
        List<String> names = all.stream().map(Graph::name).toList();
        if (name == null) {
            if (all.size() == 1) return all.get(0);
            throw new UserError(file + " declares " + (all.isEmpty() ? "no network" : "networks " + String.join(", ", names) + ": choose one with --network"));
        }
        for (Graph g : all) if (g.name().equals(name)) return g;
        throw new UserError(file + " has no network " + name + " (it has " + String.join(", ", names) + ")");
    }

    /** {@link #graph}, which must have a loss statement to train or differentiate. */
    static Graph trainable(Path file, String name) {
        Graph g = graph(file, name);
        if (g.loss() == null)
            throw new UserError(file + ": network " + g.name() + " has no loss statement, so it has no gradient: add one, e.g. 'loss mse' or 'loss y: cross_entropy'");
        return g;
    }

    /** The readable name of a node: its own, or the first name bound to it ({@code h2 = h}). */
    static String nameOf(Graph g, nnet.ir.Node n) {
        if (n.name() != null) return n.name();
        for (var e : g.named().entrySet()) if (e.getValue() == n) return e.getKey();
        throw new IllegalStateException("node without a name: " + n);
    }

    static Network instantiate(Graph g) {
        GeneratedNetwork n = Compiler.compile(g);
        return new NetworkClassLoader().instantiate(n);
    }

    /** Whether the network has any weight that is not fixed in the source. */
    static boolean hasTrainable(Graph g) {
        return g.params().stream().anyMatch(p -> !p.isFixed());
    }

    /** Weights from a file when given; otherwise initial ones (only fixed weights, or {@code --seed}). */
    static Map<String, Tensor> weights(Graph g, Path weightsFile, long seed) {
        if (weightsFile == null) return InitialWeights.of(g, seed);
        if (!Files.isRegularFile(weightsFile)) throw new UserError(weightsFile + ": no such file");
        return Safetensors.read(weightsFile);
    }
}
