package nnet;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import nnet.diag.Span;
import nnet.ir.Graph;
import nnet.runtime.math.LossFunction;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The networks every backend check runs on, written in the language: {@code src/test/resources/networks}
 * (one file per theme: activations, dense, patterns, gates, shapes, blocks, conv, lstm, losses, layernorm, ...),
 * the networks of {@code src/test/resources/cases/ok} (LANGUAGE.md's examples, every form) and
 * {@code examples/}. Each network is checked three ways: generated code against the interpreter
 * ({@link DifferentialTest}), the interpreter's gradients against finite differences
 * ({@code GradientCheckTest}) and the generated gradients against the interpreter's
 * ({@link EmittedGradientTest}); {@code OpCoverageTest} fails when an op is in none of them.
 */
public final class Corpus {
    private Corpus() {}

    /** Where the corpus lives, from the repository root. */
    static final List<String> DIRECTORIES = List.of("src/compiler/src/test/resources/networks", "src/compiler/src/test/resources/cases/ok", "examples");

    /** One network of the corpus: {@code name} is {@code file/Network}, as tests are named. */
    public record Entry(String name, Graph graph) {
        /** The network as trained by the gradient checks: its own loss, or mse on its first output. */
        public Graph withLoss() {
            return graph.hasLoss() ? graph : graph.withLoss(new Graph.Loss(graph.outputs().get(0), LossFunction.MSE, Span.NONE));
        }

        public long seed() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Path file : files()) {
            Compiler.Checked c;
            try {
                c = Compiler.check(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!c.ok()) fail(file + " must check cleanly:\n" + c.diagnostics().stream().map(d -> d.format()).collect(Collectors.joining("\n")));
            for (Graph g : c.graphs()) out.add(new Entry(file.getFileName() + "/" + g.name(), g));
        }
        return out;
    }

    /** For {@code @MethodSource("nnet.Corpus#networks")}: one argument, the entry. */
    public static Stream<Arguments> networks() {
        return entries().stream().map(Arguments::of);
    }

    /** Each network with each kind of tile kernels: {@code (entry, TestNetworks.Kernels)}. */
    public static Stream<Arguments> networksAndKernels() {
        return entries().stream().flatMap(e -> Stream.of(TestNetworks.Kernels.values()).map(k -> Arguments.of(e, k)));
    }

    static List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (String dir : DIRECTORIES)
            try (Stream<Path> s = Files.list(TestNetworks.root().resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".nnet")).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        return out;
    }
}
