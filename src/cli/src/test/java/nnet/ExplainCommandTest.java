package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnetc explain} as a user's script calls it: every method's files, from a source and from a
 * jar; garbage at absent connections changes nothing and an input with no connection scores exactly
 * 0; {@code weights} is the dense product of the masked kernels and {@code paths.csv} its terms;
 * DeepLIFT's check.csv adds up; bad requests are user errors.
 */
class ExplainCommandTest {
    @TempDir Path tmp;

    /** x[5] is connected to nothing; h is sparse. */
    static final String CHAIN = """
            network Chain {
              input x[6]
              h = dense(x, 4, tanh, connect: mask [[1,0,0,0],[1,1,0,0],[0,1,0,0],[0,0,1,0],[0,0,1,1],[0,0,0,0]])
              g = dense(h, 3, relu)
              y = dense(g, 2)
              output y
              loss cross_entropy
            }
            """;

    private Path net, weights, rows;

    private void setUp() throws IOException {
        net = Files.writeString(tmp.resolve("chain.nnet"), CHAIN);
        weights = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", net.toString(), "--seed", "3", "-o", weights.toString()).exit());
        StringBuilder x = new StringBuilder();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int r = 0; r < 40; r++) {
            for (int i = 0; i < 6; i++) x.append(i == 0 ? "" : ",").append((float) rnd.nextDouble(-2, 2));
            x.append('\n');
        }
        rows = Files.writeString(tmp.resolve("x.csv"), x);
    }

    private CliRunner explain(String source, Path w, String method, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("explain", source, "--input", rows.toString(), "--target", "y:1", "--method", method, "-o", out.toString()));
        if (w != null) args.addAll(List.of("--weights", w.toString()));
        args.addAll(List.of(more));
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    /** A node file's scores by unit, checking its header and its order (abs_score descending). */
    static Map<Integer, double[]> scores(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals("unit,name,score,abs_score", lines.get(0));
        Map<Integer, double[]> out = new LinkedHashMap<>();
        double last = Double.POSITIVE_INFINITY;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            double abs = Double.parseDouble(f[3]);
            assertTrue(abs <= last, "sorted by abs_score: " + file);
            last = abs;
            out.put(Integer.parseInt(f[0]), new double[] {Double.parseDouble(f[2]), abs});
        }
        return out;
    }

    @Test
    void everyMethodWritesItsFilesAndAJarExplainsAsTheSourceDoes() throws IOException {
        setUp();
        Path jar = tmp.resolve("chain.jar");
        assertEquals(0, CliRunner.run("compile", net.toString(), "--weights", weights.toString(), "-o", jar.toString()).exit());
        for (String m : List.of("saliency", "gradxinput", "deeplift", "ig", "weights")) {
            Path fromSource = tmp.resolve("s-" + m), fromJar = tmp.resolve("j-" + m);
            explain(net.toString(), weights, m, fromSource, "--all", "--per-sample");
            explain(jar.toString(), null, m, fromJar, "--all", "--per-sample");
            for (String f : List.of("x.csv", "h.csv", "g.csv", "y.csv", "summary.csv", "x.samples.csv", "h.samples.csv", "report.html"))
                assertEquals(Files.readString(fromSource.resolve(f)), Files.readString(fromJar.resolve(f)), m + " " + f + ": jar and source");
            assertEquals(m.equals("deeplift") || m.equals("ig"), Files.exists(fromSource.resolve("check.csv")), m + " check.csv");
            assertEquals(m.equals("weights"), Files.exists(fromSource.resolve("paths.csv")), m + " paths.csv");
            assertEquals(41, Files.readAllLines(fromSource.resolve("x.samples.csv")).size(), "a row per input row under a header");
            assertEquals(0.0, scores(fromSource.resolve("x.csv")).get(5)[1], m + ": x[5] is connected to nothing");
            assertEquals(1 + 6 + 4 + 3 + 2, Files.readAllLines(fromSource.resolve("summary.csv")).size(), "every unit of every node");
        }
        for (String line : Files.readAllLines(tmp.resolve("s-deeplift").resolve("check.csv")).subList(1, 41)) {
            String[] f = line.split(",");
            double difference = Double.parseDouble(f[4]), sum = Double.parseDouble(f[5]);
            assertEquals(difference, sum, 1e-4 * Math.max(1e-2, Math.abs(difference)), "deeplift adds up: " + line);
        }
    }

    @Test
    void garbageAtAbsentConnectionsChangesNothing() throws IOException {
        setUp();
        Map<String, Tensor> w = new HashMap<>(Safetensors.read(weights));
        Tensor kernel = w.get("h.kernel"), mask = w.get("h.mask");
        float[] garbage = kernel.data().clone();
        for (int k = 0; k < garbage.length; k++) if (mask.data()[k] == 0) garbage[k] = 1000 + k;
        w.put("h.kernel", new Tensor(kernel.shape(), garbage));
        Path dirty = tmp.resolve("dirty.safetensors");
        Safetensors.write(dirty, w);
        for (String m : List.of("saliency", "deeplift", "ig", "weights")) {
            Path clean = tmp.resolve("c-" + m), withGarbage = tmp.resolve("g-" + m);
            explain(net.toString(), weights, m, clean, "--nodes", "x,h", "--per-sample");
            explain(net.toString(), dirty, m, withGarbage, "--nodes", "x,h", "--per-sample");
            assertEquals(Files.readString(clean.resolve("x.samples.csv")), Files.readString(withGarbage.resolve("x.samples.csv")), m);
            for (String line : Files.readAllLines(clean.resolve("x.samples.csv")).subList(1, 41)) assertTrue(line.endsWith(",0"), m + ": x[5] scores exactly 0: " + line);
        }
    }

    @Test
    void weightsIsTheDenseProductOfTheMaskedKernels() throws IOException {
        setUp();
        Path out = tmp.resolve("weights");
        explain(net.toString(), weights, "weights", out, "--all");
        Map<String, Tensor> w = Safetensors.read(weights);
        String[][] chain = {{"y", "g"}, {"g", "h"}, {"h", "x"}};
        double[] v = {0, 1}; // the target's column: y[1]
        for (String[] link : chain) {
            Tensor k = w.get(link[0] + ".kernel");
            Tensor mask = w.get(link[0] + ".mask");
            int n = k.shape()[0], m = k.shape()[1];
            double[] in = new double[n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < m; j++) in[i] += (mask == null ? 1 : mask.data()[i * m + j]) * k.data()[i * m + j] * v[j];
            v = in;
            Map<Integer, double[]> got = scores(out.resolve(link[1] + ".csv"));
            for (int i = 0; i < n; i++) assertEquals(v[i], got.get(i)[0], 1e-5 * Math.max(1, Math.abs(v[i])), link[1] + "[" + i + "]");
        }
        // paths.csv: a row per path x -> h -> g -> y[1], whose products sum to each input's score
        List<String> paths = Files.readAllLines(out.resolve("paths.csv"));
        assertEquals("x.unit,x.name,h.unit,h.name,g.unit,g.name,y.unit,y.name,h.weight,g.weight,y.weight,product", paths.get(0));
        double[] sums = new double[6];
        for (String line : paths.subList(1, paths.size())) {
            String[] f = line.split(",", -1);
            assertEquals("1", f[6]);
            double p = Double.parseDouble(f[8]) * Double.parseDouble(f[9]) * Double.parseDouble(f[10]);
            assertEquals(p, Double.parseDouble(f[11]), 1e-6 * Math.max(1, Math.abs(p)));
            sums[Integer.parseInt(f[0])] += p;
        }
        for (int i = 0; i < 6; i++) assertEquals(v[i], sums[i], 1e-5, "paths of x[" + i + "]");
        assertEquals(1 + 7 * 3, paths.size(), "x[0], x[2], x[3] one connection to h each, x[1], x[4] two, x[5] none; then 3 units of g each");
    }

    @Test
    void badRequestsAreUserErrors() throws IOException {
        setUp();
        Path out = tmp.resolve("bad");
        String[] base = {"explain", null, "--weights", null, "--input", null, "-o", out.toString()};
        base[1] = net.toString();
        base[3] = weights.toString();
        base[5] = rows.toString();
        run(base, "--target", "z").assertUserError("has no output z");
        run(base).assertUserError("output y has 2 units: choose one");
        run(base, "--target", "y:7").assertUserError("y has units 0..1");
        run(base, "--target", "y:first").assertUserError("first is not a unit of y");
        run(base, "--target", "y:1", "--nodes", "q").assertUserError("has no node 'q'");
        run(base, "--target", "y:1", "--method", "lrp").assertUserError("--method lrp: expected");
        run(base, "--target", "y:predicted", "--method", "weights").assertUserError("choose a unit of y");
        run(base, "--target", "y:1", "--nodes", "x", "--all").assertUserError("give one of them");
        Path b = Files.writeString(tmp.resolve("b.csv"), "0,0,0,0,0,0\n1,1,1,1,1,1\n");
        run(base, "--target", "y:1", "--method", "deeplift", "--baseline", b.toString()).assertUserError("has 2 rows: give one row, or one per input row (40)");
        Path gated = Files.writeString(tmp.resolve("gated.nnet"), """
                network G {
                  input x[3]
                  h = dense(x, 3, relu)
                  g = dense(x, 3, sigmoid)
                  on, skip = gate(h, g)
                  y = dense(on, 1) + skip
                  output y
                }""");
        Path gw = tmp.resolve("gw.safetensors");
        assertEquals(0, CliRunner.run("init", gated.toString(), "-o", gw.toString()).exit());
        Path x3 = Files.writeString(tmp.resolve("x3.csv"), "1,2,3\n");
        CliRunner.run("explain", gated.toString(), "--weights", gw.toString(), "--input", x3.toString(), "--target", "y:0", "--method", "weights", "-o", out.toString())
                .assertUserError("weights follows chains of dense layers");
        if (Files.exists(out)) try (var s = Files.list(out)) {
            if (s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"))) fail("a failed run left a temporary file");
        }
    }

    private static CliRunner run(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRunner.run(all);
    }
}
