package nnet;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nnet.ast.Ast;
import nnet.autodiff.BackwardPass;
import nnet.check.Checker;
import nnet.check.Symbols;
import nnet.diag.Diagnostic;
import nnet.diag.Diagnostics;
import nnet.emit.ClassEmitter;
import nnet.emit.GeneratedNetwork;
import nnet.ir.Graph;
import nnet.ir.IrVerifier;
import nnet.lower.LstmUnrolling;
import nnet.lower.Lowering;
import nnet.lower.Program;
import nnet.parse.Parser;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.lower.UnsupportedOpException;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * The pipeline, one line per phase: parse → check (names, shapes; builds the IR) → verify →
 * lower (fuse into kernels) → emit (ASM). Each phase is a package that can be read alone.
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
        List<Graph> graphs = Checker.check(ast, baseDir, diags, symbols); // names, arguments, shapes → IR
        if (!diags.hasErrors()) graphs.forEach(IrVerifier::verify);      // the checker's output is well-formed IR
        return new Analysis(new Checked(graphs, diags.sorted()), ast, symbols);
    }

    public static GeneratedNetwork compile(Graph g) {
        Graph steps = LstmUnrolling.unroll(g);                        // lstm as its time steps in primitive ops
        try {
            return g.loss() == null ? emit(Lowering.lower(steps)) : compile(steps, BackwardPass.derive(steps));
        } catch (ClassTooLargeException | MethodTooLargeException e) {
            Node lstm = g.nodes().stream().filter(n -> n.op() == Op.LSTM).findFirst().orElse(null);
            throw new UnsupportedOpException(lstm != null ? lstm.span() : g.nodes().get(0).span(), "network " + g.name()
                    + " is too large for one JVM class (" + e.getMessage() + ")"
                    + (lstm != null ? ": an lstm is compiled as its " + lstm.input(0).shape().dim(0) + " time steps; shorten the sequence" : ""));
        }
    }

    /** The forward pass of an lstm-free graph and the backward pass derived from it for one loss (the file's, or any other on an output). */
    public static GeneratedNetwork compile(Graph g, BackwardPass.Result backward) {
        return emit(Lowering.lower(g, backward));                     // fuse elementwise ops and derivatives into their loops, pick code paths
    }

    private static GeneratedNetwork emit(Program program) {
        GeneratedNetwork generated = ClassEmitter.emit(program);      // one method of straight loops per kernel
        dumpIfAsked(generated);
        return generated;
    }

    /** {@code -Dnnet.dump=DIR} writes each generated class and its ASM text, to read what the compiler made. */
    private static void dumpIfAsked(GeneratedNetwork n) {
        String dir = System.getProperty("nnet.dump");
        if (dir == null) return;
        try {
            Path d = Files.createDirectories(Path.of(dir));
            Files.write(d.resolve(n.simpleName() + ".class"), n.classFile());
            StringWriter text = new StringWriter();
            new ClassReader(n.classFile()).accept(new TraceClassVisitor(new PrintWriter(text)), 0);
            Files.writeString(d.resolve(n.simpleName() + ".asm"), text.toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot dump to " + dir, e);
        }
    }
}
