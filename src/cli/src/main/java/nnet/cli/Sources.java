package nnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.Compiler;
import nnet.diag.CompileError;
import nnet.diag.DiagCode;
import nnet.diag.Diagnostic;
import nnet.diag.Span;
import nnet.emit.GeneratedNetwork;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.ir.Param;
import nnet.pack.NetworkClassLoader;
import nnet.runtime.io.IoErrors;
import nnet.runtime.Network;
import nnet.runtime.io.CompactKernel;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.StoredTensor;
import nnet.runtime.UserError;
import nnet.runtime.io.WeightsFile;

/** What several commands share: read and check a file, pick a network, compile it in memory, find its weights. */
final class Sources {
    private Sources() {}

    /** The file's diagnostics; a file that cannot be read has one, without a line, saying why. */
    static Compiler.Checked check(Path file) {
        String why = Files.isDirectory(file) ? "it is a directory" : !Files.exists(file) ? "no such file" : null;
        if (why == null) {
            try {
                return Compiler.check(file);
            } catch (IOException e) {
                why = IoErrors.why(e);
            }
        }
        Diagnostic unreadable = new Diagnostic(DiagCode.SOURCE_FILE, new Span(file.toString(), 0, 0, 0), "cannot read this file: " + why);
        return new Compiler.Checked(List.of(), List.of(unreadable));
    }

    /** The checked graphs of a file; its errors become a {@link CompileError}, its warnings go to standard error. */
    static List<Graph> graphs(Path file) {
        Compiler.Checked c = check(file);
        if (!c.ok()) throw new CompileError(c.diagnostics());
        for (Diagnostic d : c.diagnostics()) System.err.println(d.format());
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
        if (!g.hasLoss())
            throw new UserError(file + ": network " + g.name() + " has no loss statement, so it has no gradient: add one, e.g. 'loss mse' or 'loss y: cross_entropy'");
        return g;
    }

    /** The compiled network, after checking that the memory {@code use} needs is there (see {@link MemoryNeeds}). */
    static Network instantiate(Graph g, MemoryNeeds.Use use, int optimizerSlots, String command) {
        MemoryNeeds.check(g, use, optimizerSlots, command);
        GeneratedNetwork n = Compiler.compile(g);
        return new NetworkClassLoader().instantiate(n);
    }

    /** Whether the network has any weight that is not fixed in the source. */
    static boolean hasTrainable(Graph g) {
        return g.params().stream().anyMatch(p -> !p.isFixed());
    }

    /**
     * Loads weights from a file when given, warning where its masks differ from the source's;
     * otherwise initial ones (only fixed weights, or {@code --seed}). NaN and infinities are refused unless {@code --allow-nonfinite}.
     */
    static void loadWeights(Network net, Graph g, Path weightsFile, long seed, NonFiniteOption nonFinite) {
        if (weightsFile == null) {
            net.loadWeights(InitialWeights.stored(g, seed, SparseWeights.ALWAYS));
            return;
        }
        Map<String, StoredTensor> structure = new LinkedHashMap<>();
        Set<String> known = new HashSet<>();
        for (Param p : g.params()) {
            known.add(p.name());
            if (p.isSparseKernel()) CompactKernel.putIndex(structure, p.name(), p.present().index()); // O(connections), whatever the file's form
            else if (p.present() != null) structure.put(p.maskName(), p.present().toMask());
            if (p.frozen() != null) CompactKernel.putMask(structure, p.frozenName(), p.frozen().index(), p.isSparseKernel());
        }
        known.addAll(structure.keySet());
        WeightsFile.load(net, weightsFile, structure, known, System.err, nonFinite.allowed);
    }
}
