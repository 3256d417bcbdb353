package nnet.draw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nnet.CliRunner;
import nnet.Compiler;
import nnet.TestNetworks;
import nnet.ir.Graph;
import nnet.ir.Param;
import nnet.runtime.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DOT text of {@code nnetc graph}: boxes, weight counts, gates, skip paths, block clusters; and Graphviz's drawing of every example. */
class NetworkDotTest {
    @TempDir Path tmp;

    private static Graph example(String name) throws IOException {
        Compiler.Checked c = Compiler.check(TestNetworks.root().resolve("examples").resolve(name));
        assertTrue(c.ok(), c.diagnostics().toString());
        return c.graphs().get(0);
    }

    @Test
    void aGateIsDrawnWithItsTwoSidesAndTheSkipPath() throws IOException {
        String dot = NetworkDot.of(example("gated.nnet"));
        assertTrue(dot.contains("\"h\" [label=\"h [16]\\ndense 8 → 16, relu\\n144 weights\"]"), dot);
        assertTrue(dot.contains("\"g\" -> \"next\" [label=\"g\""), "the gate signal's edge to the side it lets through:\n" + dot);
        assertTrue(dot.contains("\"g\" -> \"skip\" [label=\"1 - g\""), dot);
        assertTrue(dot.contains("\"skip\" [label=\"skip [16]\\ngate (1 - g) · h\""), dot);
        assertTrue(dot.contains("\"skip\" -> \"b\" [label=\"skip\""), "the 1 - g side joins a later layer as a skip path:\n" + dot);
        assertTrue(dot.contains("\"next\" -> \"a\";") && dot.contains("\"x\" -> \"h\";"), "ordinary edges are plain:\n" + dot);
        assertTrue(dot.contains("\"y\" [label=\"y [3]\\ndense 16 → 3\\n51 weights\", peripheries=2]"), "outputs have a double border:\n" + dot);
    }

    /** {@code two(concat(a, b))}: the argument is an expression that two statements of the block read. */
    @Test
    void anExpressionArgumentReadTwiceIsABoxOfItsOwnNotAnEdgeBetweenItsReaders() {
        String dot = NetworkDot.of(TestNetworks.graph("""
                block two(x) {
                  h1 = dense(x, 4, relu)
                  h2 = dense(x, 4, tanh)
                  return h1 + h2
                }
                network Two {
                  input a[3]
                  input b[3]
                  y = two(concat(a, b))
                  output y
                }
                """));
        assertFalse(dot.contains("\"y.h1\" -> \"y.h2\""), "h2 does not read h1:\n" + dot);
        assertFalse(dot.contains("skip"), "no edge skips anything here:\n" + dot);
        Matcher concat = Pattern.compile("(\"%\\d+\") \\[label=\"\\[6\\]\\\\nconcat\"\\]").matcher(dot);
        assertTrue(concat.find(), "the concat is a box of its own:\n" + dot);
        String box = concat.group(1);
        for (String edge : List.of("\"a\" -> " + box, "\"b\" -> " + box, box + " -> \"y.h1\"", box + " -> \"y.h2\"", "\"y.h1\" -> \"y\";", "\"y.h2\" -> \"y\";"))
            assertTrue(dot.contains(edge), edge + " in\n" + dot);
        assertEquals(6, dot.lines().filter(l -> l.contains(" -> ")).count(), "those edges and no other:\n" + dot);
    }

    @Test
    void blockCallsAreClustersAndResidualEdgesAreSkips() {
        Graph g = TestNetworks.graph("""
                block inner(x, n) {
                  t = dense(x, n, tanh)
                  return dense(t, n)
                }
                block outer(x, n) {
                  h = inner(x, n)
                  return h + x
                }
                network Nested {
                  input x[4]
                  y = outer(x, 4)
                  z = outer(y, 4)
                  output z
                }
                """);
        String dot = NetworkDot.of(g);
        int y = dot.indexOf("subgraph \"cluster_y\""), yh = dot.indexOf("subgraph \"cluster_y.h\""), z = dot.indexOf("subgraph \"cluster_z\"");
        assertTrue(y >= 0 && yh > y && z > yh, "cluster y.h is nested in y, then z:\n" + dot);
        assertTrue(dot.indexOf("\"y.h.t\" [") > yh && dot.indexOf("\"y.h.t\" [") < z, "y.h.t is drawn in its call's cluster:\n" + dot);
        assertTrue(dot.contains("\"x\" -> \"y\" [label=\"skip\""), dot);
        assertTrue(dot.contains("\"y\" -> \"z.h.t\";"), dot);
    }

    @Test
    void weightCountsAndDensitiesAreTheParams() throws IOException {
        Graph g = example("lenet5.nnet");
        String dot = NetworkDot.of(g);
        long c3 = g.params().stream().filter(p -> p.layer().equals("c3")).mapToLong(Param::count).sum();
        Param kernel = g.params().stream().filter(p -> p.name().equals("c3.kernel")).findFirst().orElseThrow();
        String density = String.format(Locale.ROOT, "channel density %.3g", kernel.present().density());
        assertTrue(dot.contains("\"c3\" [label=\"c3 [16, 10, 10]\\nconv2d 5×5, " + density + ", tanh\\n" + String.format(Locale.ROOT, "%,d", c3) + " weights\"]"), dot);
        long all = g.params().stream().mapToLong(Param::count).sum();
        assertTrue(dot.contains("label=\"LeNet5: " + String.format(Locale.ROOT, "%,d", all) + " weights\""), dot);
    }

    @Test
    void graphvizDrawsEveryExampleWithEveryNamedNode() throws IOException {
        requireDot();
        List<Path> examples;
        try (Stream<Path> s = Files.list(TestNetworks.root().resolve("examples"))) {
            examples = s.filter(p -> p.toString().endsWith(".nnet")).sorted().toList();
        }
        for (Path file : examples) {
            Path svg = tmp.resolve(file.getFileName() + ".svg");
            CliRunner r = CliRunner.run("graph", file.toString(), "-o", svg.toString());
            assertEquals(0, r.exit(), file + ": " + r.err());
            String text = Files.readString(svg, StandardCharsets.UTF_8);
            assertTrue(text.contains("<svg") && text.strip().endsWith("</svg>"), file + " is not an SVG");
            Matcher titles = Pattern.compile("<title>([^<]*)</title>").matcher(text);
            List<String> drawn = titles.results().map(m -> m.group(1)).toList();
            for (Graph g : Compiler.check(file).graphs())
                for (String name : g.named().keySet())
                    if (g.named().get(name).name() == null || g.named().get(name).name().equals(name))
                        assertTrue(drawn.contains(name), file + ": node " + name + " is not drawn; drawn: " + drawn);
        }
    }

    @Test
    void theCommandWritesDotPngAndRefusesOtherFormats() throws IOException {
        String gated = TestNetworks.root().resolve("examples/gated.nnet").toString();
        Path dot = tmp.resolve("g.dot");
        assertEquals(0, CliRunner.run("graph", gated, "-o", dot.toString()).exit());
        assertTrue(Files.readString(dot).startsWith("digraph \"Gated\" {"));
        CliRunner jpg = CliRunner.run("graph", gated, "-o", tmp.resolve("g.jpg").toString());
        assertEquals(1, jpg.exit());
        assertTrue(jpg.err().contains("draws .svg, .png or .dot"), jpg.err());
        requireDot();
        Path png = tmp.resolve("g.png");
        assertEquals(0, CliRunner.run("graph", gated, "-o", png.toString()).exit());
        byte[] header = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
        assertEquals("\u0089PNG", new String(header, StandardCharsets.ISO_8859_1));
    }

    @Test
    void withoutGraphvizTheErrorSaysHowToGetIt() {
        UserError e = assertThrows(UserError.class, () -> Graphviz.render("digraph { a }", "svg", tmp.resolve("no-such-dot").toString()));
        assertTrue(e.getMessage().contains("apt-get install graphviz") && e.getMessage().contains("-o NET.dot"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"));
    }

    /** The drawing tests need Graphviz's dot, which .ci/run installs (apt-get install graphviz); without it they fail saying so. */
    private static void requireDot() {
        try {
            Process p = new ProcessBuilder(Graphviz.DEFAULT_PROGRAM, "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() == 0) return;
        } catch (IOException e) {
            // not installed: fail below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fail("this test draws with Graphviz's dot, which is not installed here: apt-get install graphviz (.ci/run installs it)");
    }
}
