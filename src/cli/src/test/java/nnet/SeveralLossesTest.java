package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code loss} statements from the command line (issue 14): the network trains their
 * weighted sum, each loss reads its own target file ({@code --target y=T.csv}) or one file serves
 * every loss, and evaluate reports each head. The corpus checks the gradients themselves
 * ({@code losses.nnet}: interpreter, finite differences, generated code).
 */
class SeveralLossesTest {
    /**
     * Two heads on shared layers: three classes (x0 + x1 > 0.3, else x2 > 0) and whether x3 > 0;
     * the same layers under each loss alone, so one weights file serves the three networks.
     */
    private static final String SHARED_LAYERS = """
              input x[4]
              h = dense(x, 16, tanh)
              cls = dense(h, 3)
              aux = dense(h, 1, sigmoid)
              output cls, aux
            """;
    private static final String SOURCE = "network TwoHeads {\n" + SHARED_LAYERS + """
              loss cls: cross_entropy
              loss aux: binary_cross_entropy * 0.5
              train { optimizer: adam(lr: 0.02), batch: 16, epochs: 60 }
            }
            """ + "network ClassesOnly {\n" + SHARED_LAYERS + "  loss cls: cross_entropy\n}\n"
            + "network SignOnly {\n" + SHARED_LAYERS + "  loss aux: binary_cross_entropy\n}\n" + """
            // a head per layer, all predicting the same label (P-NET)
            network HeadPerLayer {
              input x[4]
              h1 = dense(x, 8, tanh)
              y1 = dense(h1, 1, sigmoid)
              h2 = dense(h1, 4, tanh)
              y2 = dense(h2, 1, sigmoid)
              output y1, y2
              loss y1: binary_cross_entropy * 0.5
              loss y2: binary_cross_entropy
            }
            """;

    @TempDir Path tmp;
    private Path source, x, classes, sign;

    @BeforeEach
    void data() throws IOException {
        source = Files.writeString(tmp.resolve("heads.nnet"), SOURCE);
        SplittableRandom rnd = new SplittableRandom(3);
        StringBuilder xs = new StringBuilder(), cs = new StringBuilder("label\n"), ss = new StringBuilder();
        for (int r = 0; r < 96; r++) {
            double[] v = new double[4];
            for (int k = 0; k < 4; k++) {
                v[k] = rnd.nextDouble(-1, 1);
                xs.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", v[k]));
            }
            xs.append('\n');
            cs.append(v[0] + v[1] > 0.3 ? 0 : v[2] > 0 ? 1 : 2).append('\n');
            ss.append(v[3] > 0 ? 1 : 0).append('\n');
        }
        x = Files.writeString(tmp.resolve("x.csv"), xs);
        classes = Files.writeString(tmp.resolve("classes.csv"), cs);
        sign = Files.writeString(tmp.resolve("sign.csv"), ss);
    }

    private static CliRunner ok(String... args) {
        CliRunner r = CliRunner.run(args);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no '" + regex + "' in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theGradientIsTheWeightedSumOfEachLossAlone() {
        Path w = tmp.resolve("w0.safetensors");
        ok("init", source.toString(), "--network", "TwoHeads", "--seed", "5", "-o", w.toString());
        String both = ok("grad", source.toString(), "--network", "TwoHeads", "--weights", w.toString(), "--input", x.toString(),
                "--target", "cls=" + classes, "--target", "aux=" + sign, "-o", tmp.resolve("g.safetensors").toString()).out();
        String first = ok("grad", source.toString(), "--network", "ClassesOnly", "--weights", w.toString(), "--input", x.toString(),
                "--target", classes.toString(), "-o", tmp.resolve("g1.safetensors").toString()).out();
        String second = ok("grad", source.toString(), "--network", "SignOnly", "--weights", w.toString(), "--input", x.toString(),
                "--target", sign.toString(), "-o", tmp.resolve("g2.safetensors").toString()).out();
        double loss = number(both, "loss: (\\S+)"), l1 = number(first, "loss: (\\S+)"), l2 = number(second, "loss: (\\S+)");
        assertEquals(l1 + 0.5 * l2, loss, 1e-5 * Math.abs(loss), "the loss trained is the weighted sum");
        Map<String, Tensor> g = Safetensors.read(tmp.resolve("g.safetensors")), g1 = Safetensors.read(tmp.resolve("g1.safetensors")),
                g2 = Safetensors.read(tmp.resolve("g2.safetensors"));
        for (String name : g.keySet()) {
            float[] sum = g.get(name).data(), a = g1.get(name).data(), b = g2.get(name).data();
            for (int i = 0; i < sum.length; i++)
                assertEquals(a[i] + 0.5 * b[i], sum[i], 1e-5 + 1e-4 * Math.abs(sum[i]), name + "[" + i + "]");
        }
    }

    @Test
    void bothHeadsLearnAndEvaluateReportsEach() throws IOException {
        Path w = tmp.resolve("w.safetensors");
        String trained = ok("train", source.toString(), "--network", "TwoHeads", "--input", x.toString(), "--target", "cls=" + classes,
                "--target", "aux=" + sign, "--validation", x + ",cls=" + classes + ",aux=" + sign, "--quiet", "-o", w.toString()).out();
        assertTrue(trained.contains("accuracy on the training rows: cls "), trained);
        String report = ok("evaluate", source.toString(), "--network", "TwoHeads", "--weights", w.toString(), "--input", x.toString(),
                "--target", "aux=" + sign, "--target", "cls=" + classes).out();
        assertTrue(number(report, "accuracy of cls: ([0-9.]+)%") >= 90, report);
        assertTrue(number(report, "accuracy of aux: ([0-9.]+)%") >= 90, report);
        assertTrue(report.contains("confusion of aux (rows: target class"), report);
        String json = ok("evaluate", source.toString(), "--network", "TwoHeads", "--weights", w.toString(), "--input", x.toString(),
                "--target", "cls=" + classes, "--target", "aux=" + sign, "--json").out();
        assertTrue(json.contains("\"outputs\": [{\"output\": \"cls\""), json);
        Path jar = tmp.resolve("heads.jar");
        Path alone = Files.writeString(tmp.resolve("two_heads.nnet"), SOURCE.substring(0, SOURCE.indexOf("network ClassesOnly")));
        ok("compile", alone.toString(), "--weights", w.toString(), "-o", jar.toString());
        for (String network : new String[] {source.toString(), jar.toString()}) { // the jar knows its losses' outputs too
            String[] rows = ok("predict", network, "--network", "TwoHeads", "--weights", w.toString(), "--input", x.toString(), "--output", "classes").out().split("\n");
            assertEquals("cls,aux[0]", rows[0], "a column per head: the class of cls, the 0/1 of aux");
            assertTrue(rows[1].matches("[012],[01]"), rows[1]);
            String[] probabilities = ok("predict", network, "--network", "TwoHeads", "--weights", w.toString(), "--input", x.toString()).out().split("\n")[1].split(",");
            assertEquals(1, Double.parseDouble(probabilities[0]) + Double.parseDouble(probabilities[1]) + Double.parseDouble(probabilities[2]), 1e-5,
                    "cross_entropy's logits shown as a softmax by default");
        }
    }

    @Test
    void oneTargetFileServesEveryLossNotNamed() throws IOException {
        Path shared = tmp.resolve("shared.safetensors"), named = tmp.resolve("named.safetensors");
        ok("train", source.toString(), "--network", "HeadPerLayer", "--input", x.toString(), "--target", sign.toString(), "--epochs", "3", "--quiet", "-o", shared.toString());
        ok("train", source.toString(), "--network", "HeadPerLayer", "--input", x.toString(), "--target", "y1=" + sign, "--target", "y2=" + sign,
                "--epochs", "3", "--quiet", "-o", named.toString());
        assertEquals(-1L, Files.mismatch(shared, named), "the same targets whichever way they are given");
    }

    @Test
    void targetsThatDoNotMatchTheLossesAreErrors() {
        String[] run = {"train", source.toString(), "--network", "TwoHeads", "--input", x.toString()};
        Path out = tmp.resolve("w.safetensors");
        CliRunner.run(concat(run, "--target", "cls=" + classes, "-o", out.toString()))
                .assertUserError("no target for the loss on aux: give --target aux=T.csv, or one file for every loss");
        CliRunner.run(concat(run, "--target", "cls=" + classes, "--target", "size=" + sign, "-o", out.toString()))
                .assertUserError("no loss is on an output 'size'; the losses are on cls, aux");
        CliRunner.run(concat(run, "--target", classes.toString(), "-o", out.toString()))
                .assertUserError("target 2 is outside [0, 1]; binary_cross_entropy takes probabilities (read as the target of the loss on aux, the file of every loss not named; give --target aux=T.csv for its own)");
        CliRunner.run(concat(run, "--target", "cls=" + classes, "--target", "cls=" + classes, "-o", out.toString())).assertUserError("--target cls= is given twice");
    }

    /**
     * The P-NET shape from the command line: 3 features of 9,229 genes, pathway layers from
     * edge lists (each node to 1-3 parents), a head on every layer and their six losses weighted
     * as P-NET's, one target file for all; trains, and writes its sparse kernels compact.
     */
    @Test
    void aPNetShapedNetworkTrainsFromEdgeListsWithAHeadPerLayer() throws IOException {
        int genes = 9_229, features = 3;
        int[] sizes = {genes, 1_387, 1_066, 447, 147, 26};
        int[] weights = {2, 7, 20, 54, 148, 400};
        SplittableRandom rnd = new SplittableRandom(27);
        StringBuilder net = new StringBuilder("network PNet {\n  input x[" + genes * features + "]\n");
        StringBuilder edges = new StringBuilder("input,gene\n");
        for (int i = 0; i < genes * features; i++) edges.append(i).append(',').append(i / features).append('\n');
        Files.writeString(tmp.resolve("inputs.csv"), edges);
        net.append("  h0 = dense(x, ").append(genes).append(", tanh, connect: edges \"inputs.csv\")\n");
        for (int k = 1; k < sizes.length; k++) {
            StringBuilder e = new StringBuilder();
            for (int i = 0; i < sizes[k - 1]; i++)
                for (int p = 0, parents = 1 + rnd.nextInt(3); p < parents; p++) e.append(i).append(',').append(rnd.nextInt(sizes[k])).append('\n');
            Files.writeString(tmp.resolve("h" + k + ".csv"), e);
            net.append("  h").append(k).append(" = dense(h").append(k - 1).append(", ").append(sizes[k]).append(", tanh, connect: edges \"h").append(k).append(".csv\")\n");
        }
        for (int k = 0; k < sizes.length; k++) net.append("  y").append(k).append(" = dense(h").append(k).append(", 1, sigmoid)\n");
        net.append("  output y0, y1, y2, y3, y4, y5\n");
        for (int k = 0; k < sizes.length; k++) net.append("  loss y").append(k).append(": binary_cross_entropy * ").append(weights[k]).append('\n');
        net.append("  train { optimizer: adam(lr: 0.001), batch: 16 }\n}\n");
        Path pnet = Files.writeString(tmp.resolve("pnet.nnet"), net);
        StringBuilder x = new StringBuilder(), t = new StringBuilder();
        for (int r = 0; r < 32; r++) {
            for (int i = 0; i < genes * features; i++) x.append(i == 0 ? "" : ",").append(rnd.nextInt(3) - 1);
            x.append('\n');
            t.append(rnd.nextInt(2)).append('\n');
        }
        Files.writeString(tmp.resolve("px.csv"), x);
        Files.writeString(tmp.resolve("pt.csv"), t);
        Path w = tmp.resolve("pnet.safetensors"), log = tmp.resolve("log.csv");
        ok("train", pnet.toString(), "--input", tmp.resolve("px.csv").toString(), "--target", tmp.resolve("pt.csv").toString(),
                "--epochs", "4", "--quiet", "--log", log.toString(), "-o", w.toString());
        java.util.List<String> epochs = Files.readAllLines(log);
        double first = Double.parseDouble(epochs.get(1).split(",")[2]), last = Double.parseDouble(epochs.get(epochs.size() - 1).split(",")[2]);
        assertTrue(last < first, "the summed loss falls: " + epochs);
        Map<String, nnet.runtime.StoredTensor> stored = Safetensors.readStored(w);
        assertTrue(stored.containsKey("h0.kernel.values") && stored.containsKey("h4.kernel.values") && !stored.containsKey("h0.kernel"), stored.keySet().toString());
        assertTrue(Files.size(w) < 2_000_000, "a compact file: " + Files.size(w) + " bytes");
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
