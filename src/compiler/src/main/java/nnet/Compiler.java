package nnet;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nnet.ast.Ast;
import nnet.autodiff.AttributionPass;
import nnet.autodiff.BackwardPass;
import nnet.check.Checker;
import nnet.check.Symbols;
import nnet.diag.CompileError;
import nnet.diag.DiagCode;
import nnet.diag.Diagnostic;
import nnet.diag.Diagnostics;
import nnet.emit.ClassEmitter;
import nnet.emit.Explainers;
import nnet.emit.GeneratedNetwork;
import nnet.expand.LstmExpansion;
import nnet.ir.Graph;
import nnet.ir.IrVerifier;
import nnet.lower.Lowering;
import nnet.lower.Program;
import nnet.parse.Parser;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * The pipeline, one line per phase: parse → check (names, shapes; builds the IR) → expand (lstm
 * into its steps) → autodiff (the backward pass of the loss) → lower (fuse into kernels) → emit
 * (ASM). Each phase is a package that can be read alone. Every caller (the command line, the
 * language server, the tests) goes through these entries, so the phases always run in this order;
 * with {@code -Dnnet.verify=true} (the tests set it) the IR is verified after every phase.
 */
public final class Compiler {
    private Compiler() {}

    /** The networks of a file and every diagnostic found; the graphs are usable only without errors (warnings allowed). */
    public record Checked(List<Graph> graphs, List<Diagnostic> diagnostics) {
        public boolean ok() {
            return diagnostics.stream().noneMatch(Diagnostic::isError);
        }
    }

    public static Checked check(Path file) throws IOException {
        // not Files.readString: bytes that are not UTF-8 become U+FFFD, which the parser reports at their place
        return check(file.toString(), new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8), file.toAbsolutePath().getParent());
    }

    /** What an editor needs of a file: the check's result, its syntax tree, and what the checker learned about its names. */
    public record Analysis(Checked checked, Ast.SourceFile ast, Symbols symbols) {}

    /** @param baseDir where files the source names ({@code mask "conn.csv"}) are looked up */
    public static Checked check(String path, String text, Path baseDir) {
        return analyze(path, text, baseDir).checked();
    }

    public static Analysis analyze(String path, String text, Path baseDir) {
        Diagnostics diags = new Diagnostics();
        Symbols symbols = new Symbols();
        Ast.SourceFile ast = Parser.parse(path, text, diags);            // syntax → AST with places
        List<Graph> graphs = Checker.check(ast, baseDir, diags, symbols); // names, arguments, shapes, blocks expanded → IR
        if (!diags.hasErrors()) graphs.forEach(g -> verified("check", g));
        return new Analysis(new Checked(graphs, diags.sorted()), ast, symbols);
    }

    /**
     * A checked network through the middle phases.
     *
     * @param checked  as the checker built it: what users name and read ({@code dump-ir})
     * @param expanded every lstm replaced by a loop over its cell: what is differentiated, lowered and emitted
     * @param backward the backward pass of the network's loss over {@code expanded}, or null without a loss
     */
    public record Stages(Graph checked, Graph expanded, BackwardPass.Result backward) {}

    public static Stages stages(Graph checked) {
        Graph expanded = verified("expand", LstmExpansion.expand(checked));   // lstm as a loop over its cell in primitive ops
        if (!expanded.hasLoss()) return new Stages(checked, expanded, null);
        BackwardPass.Result backward = BackwardPass.derive(expanded);          // the adjoint of every node the loss depends on
        verified("autodiff", backward.graph());
        return new Stages(checked, expanded, backward);
    }

    /** The checked network made into a class: its forward pass, and its backward pass when it has a loss. */
    public static GeneratedNetwork compile(Graph checked) {
        return compile(stages(checked));
    }

    public static GeneratedNetwork compile(Stages s) {
        try {
            GeneratedNetwork generated = ClassEmitter.emit(lower(s)).withUnitNames(s.checked().unitNames()); // one method of straight loops per kernel
            dumpIfAsked(generated);
            return generated;
        } catch (ClassTooLargeException | MethodTooLargeException e) {
            throw tooLarge(s.checked(), e);
        }
    }

    /**
     * The attribution passes of a network ({@code nnetc explain}, {@code Network.attributions}): per
     * {@link AttributionPass.Rule} a class {@code <Network>$<Rule>} whose forward pass is the backward
     * pass seeded at an output unit, lowered and emitted like any network (tiles, cores).
     */
    public static Explainers explainers(Stages s) {
        List<GeneratedNetwork> out = new java.util.ArrayList<>();
        for (AttributionPass.Rule rule : AttributionPass.Rule.values()) {
            Graph g = verified("attribution", AttributionPass.of(s.expanded(), rule)); // a backward pass seeded at an output unit
            out.add(compile(new Stages(s.checked(), g, null)));
        }
        return new Explainers(List.copyOf(out), AttributionPass.links(s.checked()));
    }

    /** Fuses elementwise ops (and derivatives, in the backward pass) into loops and picks each contraction's code path. */
    public static Program lower(Stages s) {
        return s.backward() == null ? Lowering.lower(s.expanded()) : Lowering.lower(s.expanded(), s.backward());
    }

    /** A network whose code does not fit one JVM class: an error at its first node. */
    private static CompileError tooLarge(Graph g, RuntimeException e) {
        String message = "network " + g.name() + " is too large for one JVM class (" + e.getMessage() + ")";
        return new CompileError(List.of(new Diagnostic(DiagCode.SHAPE_SIZE, g.nodes().get(0).span(), message)));
    }

    /** {@code -Dnnet.verify=true}: the IR a phase made is well formed (a failure is a compiler bug). */
    private static Graph verified(String phase, Graph g) {
        if (Boolean.getBoolean("nnet.verify")) {
            try {
                IrVerifier.verify(g);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("after " + phase + ": " + e.getMessage(), e);
            }
        }
        return g;
    }

    /** {@code -Dnnet.dump=DIR} writes each generated class and its ASM text, to read what the compiler made. */
    private static void dumpIfAsked(GeneratedNetwork n) {
        String dir = System.getProperty("nnet.dump");
        if (dir == null) return;
        try {
            Path d = Files.createDirectories(Path.of(dir));
            for (var c : n.classes().entrySet()) {
                String simple = c.getKey().substring(c.getKey().lastIndexOf('.') + 1);
                Files.write(d.resolve(simple + ".class"), c.getValue());
                StringWriter text = new StringWriter();
                new ClassReader(c.getValue()).accept(new TraceClassVisitor(new PrintWriter(text)), 0);
                Files.writeString(d.resolve(simple + ".asm"), text.toString());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot dump to " + dir, e);
        }
    }
}
