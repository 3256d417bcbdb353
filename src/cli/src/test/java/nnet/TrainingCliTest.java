package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training as Keras and PyTorch users expect it (issue 17), from the command line: class-index
 * targets, held-out rows and early stopping, evaluate, predict's output modes, schedules, the log.
 */
class TrainingCliTest {
    @TempDir Path tmp;

    /** Three classes of 8 features (examples/gated.nnet's input and output): class 0 when x0 + x1 > 0.3, else 1 when x2 > 0, else 2. */
    private record Classes(Path x, Path indices, Path oneHot, int[] labels) {}

    private Classes classes(String name, int rows, long seed, boolean randomLabels) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder x = new StringBuilder(), idx = new StringBuilder("label\n"), hot = new StringBuilder();
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            double[] v = new double[8];
            for (int k = 0; k < 8; k++) {
                v[k] = rnd.nextDouble(-1, 1);
                x.append(k == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT, "%.4f", v[k]));
            }
            int c = randomLabels ? rnd.nextInt(3) : v[0] + v[1] > 0.3 ? 0 : v[2] > 0 ? 1 : 2;
            labels[r] = c;
            x.append('\n');
            idx.append(c).append('\n');
            hot.append(c == 0 ? "1,0,0" : c == 1 ? "0,1,0" : "0,0,1").append('\n');
        }
        return new Classes(Files.writeString(tmp.resolve(name + "_x.csv"), x), Files.writeString(tmp.resolve(name + "_t.csv"), idx),
                Files.writeString(tmp.resolve(name + "_onehot.csv"), hot), labels);
    }

    private static String gated() {
        return CliTest.example("gated.nnet");
    }

    private static CliRunner ok(String... args) {
        CliRunner r = CliRunner.run(args);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    @Test
    void aColumnOfClassIndicesTrainsAsItsOneHotRows() throws IOException {
        Classes c = classes("a", 64, 1, false);
        Path fromIndices = tmp.resolve("i.safetensors"), fromOneHot = tmp.resolve("o.safetensors");
        ok("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--epochs", "3", "--quiet", "-o", fromIndices.toString());
        ok("train", gated(), "--input", c.x().toString(), "--target", c.oneHot().toString(), "--epochs", "3", "--quiet", "-o", fromOneHot.toString());
        assertEquals(-1, Files.mismatch(fromIndices, fromOneHot), "class indices are read as the one-hot rows they stand for");
        CliRunner grad = ok("grad", gated(), "--weights", fromIndices.toString(), "--input", c.x().toString(), "--target", c.indices().toString(), "-o", tmp.resolve("g.st").toString());
        CliRunner gradHot = ok("grad", gated(), "--weights", fromIndices.toString(), "--input", c.x().toString(), "--target", c.oneHot().toString(), "-o", tmp.resolve("g2.st").toString());
        assertEquals(gradHot.out(), grad.out());
    }

    @Test
    void aBadClassIndexIsAnErrorAtItsLine() throws IOException {
        Classes c = classes("b", 5, 2, false);
        Path out = tmp.resolve("w.safetensors");
        Path three = Files.writeString(tmp.resolve("three.csv"), "# labels\nlabel\n0\n1\n3\n2\n0\n");
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", three.toString(), "-o", out.toString())
                .assertUserError(three + ":5:1: 3 is not a class index: the loss's output has 3 classes, so a class index is an integer from 0 to 2");
        Path half = Files.writeString(tmp.resolve("half.csv"), "0\n1.5\n1\n2\n0\n");
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", half.toString(), "-o", out.toString()).assertUserError(half + ":2:1: 1.5 is not a class index");
        Path two = Files.writeString(tmp.resolve("two.csv"), "0,1\n1,0\n1,0\n0,1\n1,0\n");
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", two.toString(), "-o", out.toString())
                .assertUserError("two.csv:1: row has 2 columns, but the target [3] of the loss needs 3 (one-hot rows), or 1 (class indices 0 to 2)");
        Path xorT = Files.writeString(tmp.resolve("xor_t.csv"), "0\n1\n1\n2\n");
        CliRunner.run("train", CliTest.example("xor_train.nnet"), "--input", CliTest.example("xor_x.csv"), "--target", xorT.toString(), "-o", out.toString())
                .assertUserError(xorT + ":4:1: target 2 is outside [0, 1]; binary_cross_entropy takes probabilities");
        assertFalse(Files.exists(out));
    }

    /** Rows of the log file: its first columns are the ones scripts read before more were added after them. */
    static List<String[]> logRows(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.get(0).startsWith("epoch,step,loss,val_loss,val_accuracy,lr,samples_per_s,seconds"), lines.get(0));
        List<String[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) rows.add(l.split(",", -1));
        return rows;
    }

    @Test
    void earlyStoppingKeepsTheEpochWithTheLowestHeldOutLoss() throws IOException {
        // noise to learn by heart: the held-out loss soon rises while the training loss falls
        Classes train = classes("noise", 48, 3, true), held = classes("held", 32, 4, true);
        Path w = tmp.resolve("w.safetensors"), log = tmp.resolve("log.csv");
        CliRunner r = ok("train", gated(), "--input", train.x().toString(), "--target", train.indices().toString(),
                "--validation", held.x() + "," + held.indices(), "--early-stopping", "4", "--epochs", "300", "--lr", "0.03", "--batch", "16",
                "--log", log.toString(), "-o", w.toString());
        List<String[]> rows = logRows(log);
        assertTrue(rows.size() < 300, "stopped early: " + rows.size() + " epochs");
        int best = 0;
        for (int e = 0; e < rows.size(); e++) if (Double.parseDouble(rows.get(e)[3]) < Double.parseDouble(rows.get(best)[3])) best = e;
        assertEquals(best + 1 + 4, rows.size(), "stops 4 epochs after the best one");
        assertTrue(r.out().contains("kept epoch " + (best + 1) + ", the one with the lowest held-out loss"), r.out());
        assertTrue(r.out().contains("stopped early"), r.out());
        for (String[] row : rows) assertEquals(String.valueOf((Integer.parseInt(row[0])) * 3), row[1], "3 steps of 16 per epoch");
        // -o holds the best epoch's weights: evaluating them gives that epoch's held-out loss
        CliRunner e = ok("evaluate", gated(), "--weights", w.toString(), "--input", held.x().toString(), "--target", held.indices().toString(), "--json");
        Matcher m = Pattern.compile("\"loss\": ([0-9.eE-]+)").matcher(e.out());
        assertTrue(m.find(), e.out());
        assertEquals(Double.parseDouble(rows.get(best)[3]), Double.parseDouble(m.group(1)), 1e-6, "the kept weights are the best epoch's");
        // one line per epoch on stderr when it is not a terminal, never a bar's carriage returns
        assertFalse(r.err().contains("\r"), r.err());
        assertTrue(r.err().contains("epoch 1/300: loss ") && r.err().contains("held-out loss") && r.err().contains("held-out accuracy"), r.err());
    }

    @Test
    void validationSplitHoldsOutTheSameSeededRows() throws IOException {
        Classes c = classes("s", 100, 5, false);
        Path w = tmp.resolve("w.safetensors"), log = tmp.resolve("log.csv"), again = tmp.resolve("again.csv");
        CliRunner r = ok("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--validation-split", "0.2",
                "--epochs", "4", "--batch", "10", "--log", log.toString(), "--quiet", "-o", w.toString());
        assertTrue(r.out().contains("4 epochs of 80 rows"), r.out());
        assertTrue(r.out().contains("held-out rows: loss ") && r.out().contains("of 20)"), r.out());
        ok("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--validation-split", "0.2",
                "--epochs", "4", "--batch", "10", "--log", again.toString(), "--quiet", "-o", w.toString());
        List<String[]> a = logRows(log), b = logRows(again);
        for (int e = 0; e < 4; e++) {
            assertEquals(String.valueOf(8 * (e + 1)), a.get(e)[1]);
            assertEquals(a.get(e)[3], b.get(e)[3], "the same seed holds out the same rows");
            assertFalse(a.get(e)[4].isEmpty(), "held-out accuracy");
        }
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--early-stopping", "2", "-o", w.toString())
                .assertUserError("--early-stopping watches the held-out loss");
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--validation-split", "1.5", "-o", w.toString())
                .assertUserError("--validation-split is the fraction of rows held out");
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--validation", c.x().toString(), "-o", w.toString())
                .assertUserError("--validation " + c.x() + ": expected the inputs and then the target");
    }

    @Test
    void evaluatePrintsLossAccuracyAndConfusion() throws IOException {
        Classes c = classes("e", 60, 6, false);
        Path w = tmp.resolve("w.safetensors");
        ok("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--epochs", "5", "--quiet", "-o", w.toString());
        CliRunner text = ok("evaluate", gated(), "--weights", w.toString(), "--input", c.x().toString(), "--target", c.oneHot().toString());
        assertTrue(text.out().startsWith("rows: 60\nloss: "), text.out());
        assertTrue(text.out().contains("confusion (rows: target class, columns: predicted class):"), text.out());
        CliRunner classesOut = ok("predict", gated(), "--weights", w.toString(), "--input", c.x().toString(), "--output", "classes");
        List<String> predicted = classesOut.out().lines().toList();
        assertEquals("y", predicted.get(0), "one class column, named after the output");
        int[][] confusion = new int[3][3];
        int right = 0;
        for (int r = 0; r < 60; r++) {
            int p = Integer.parseInt(predicted.get(r + 1));
            confusion[c.labels()[r]][p]++;
            if (p == c.labels()[r]) right++;
        }
        CliRunner json = ok("evaluate", gated(), "--weights", w.toString(), "--input", c.x().toString(), "--target", c.indices().toString(), "--json");
        String expected = "\"right\": " + right + ", \"confusion\": [" + java.util.Arrays.toString(confusion[0]) + ", " + java.util.Arrays.toString(confusion[1])
                + ", " + java.util.Arrays.toString(confusion[2]) + "]";
        assertTrue(json.out().startsWith("{\"rows\": 60, \"loss\": ") && json.out().contains(expected), json.out() + " vs " + expected);
        assertTrue(text.out().contains("accuracy: " + String.format(java.util.Locale.ROOT, "%.1f%% (%d of 60)", 100.0 * right / 60, right)), text.out());
        CliRunner regression = ok("evaluate", CliTest.example("masked.nnet"), "--weights", initWeights("masked.nnet").toString(),
                "--input", Files.writeString(tmp.resolve("mx.csv"), "1,2\n").toString(), "--target", Files.writeString(tmp.resolve("mt.csv"), "0.5,3\n").toString());
        assertFalse(regression.out().contains("accuracy"), "regression targets have no accuracy: " + regression.out());
    }

    private Path initWeights(String example) {
        Path w = tmp.resolve(example + ".safetensors");
        ok("init", CliTest.example(example), "-o", w.toString());
        return w;
    }

    private static float[][] csv(String text) {
        return nnet.runtime.io.Csv.read(new java.io.StringReader(text), "stdout");
    }

    @Test
    void predictShowsProbabilitiesClassesOrRawValues() throws IOException {
        Classes c = classes("p", 10, 7, false);
        Path w = initWeights("gated.nnet");
        String x = c.x().toString();
        CliRunner raw = ok("predict", gated(), "--weights", w.toString(), "--input", x, "--output", "raw");
        CliRunner probabilities = ok("predict", gated(), "--weights", w.toString(), "--input", x);
        CliRunner classes = ok("predict", gated(), "--weights", w.toString(), "--input", x, "--output", "classes", "--no-header");
        assertTrue(raw.out().startsWith("y[0],y[1],y[2]\n") && probabilities.out().startsWith("y[0],y[1],y[2]\n"), probabilities.out());
        float[][] logits = csv(raw.out()), p = csv(probabilities.out()), k = csv(classes.out());
        for (int r = 0; r < 10; r++) {
            double max = Math.max(logits[r][0], Math.max(logits[r][1], logits[r][2])), sum = 0;
            for (int j = 0; j < 3; j++) sum += Math.exp(logits[r][j] - max);
            int argmax = 0;
            for (int j = 0; j < 3; j++) {
                assertEquals(Math.exp(logits[r][j] - max) / sum, p[r][j], 1e-6, "softmax of the logits under cross_entropy");
                if (logits[r][j] > logits[r][argmax]) argmax = j;
            }
            assertEquals(argmax, (int) k[r][0], "the class is the argmax");
        }
        // binary_cross_entropy on a sigmoid: the values already are probabilities; classes are the side of 0.5
        Path xw = initWeights("xor_train.nnet");
        CliRunner xp = ok("predict", CliTest.example("xor_train.nnet"), "--weights", xw.toString(), "--input", CliTest.example("xor_x.csv"));
        CliRunner xr = ok("predict", CliTest.example("xor_train.nnet"), "--weights", xw.toString(), "--input", CliTest.example("xor_x.csv"), "--output", "raw");
        CliRunner xc = ok("predict", CliTest.example("xor_train.nnet"), "--weights", xw.toString(), "--input", CliTest.example("xor_x.csv"), "--output", "classes");
        assertEquals(xr.out(), xp.out());
        float[][] xv = csv(xr.out()), xk = csv(xc.out());
        for (int r = 0; r < 4; r++) assertEquals(xv[r][0] > 0.5f ? 1f : 0f, xk[r][0]);
        // a network without such a loss has raw values only
        CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", CliTest.example("xor_x.csv"), "--output", "classes")
                .assertUserError("--output classes needs the output of a cross_entropy or binary_cross_entropy loss; network Xor has none");
        // --output FILE, as scripts wrote it before the modes, is an error that says to use -o (CliTrapsTest)
        Path file = tmp.resolve("out.csv");
        CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", CliTest.example("xor_x.csv"), "--output", file.toString()).assertUserError("use -o " + file);
        assertFalse(Files.exists(file));
        // NumPy output of classes: one integer per row
        Path npy = tmp.resolve("k.npy");
        ok("predict", gated(), "--weights", w.toString(), "--input", x, "--output", "classes", "-o", npy.toString());
        nnet.runtime.Tensor t = nnet.runtime.io.Npy.read(npy);
        assertArrayEquals(new int[] {10}, t.shape());
        for (int r = 0; r < 10; r++) assertEquals(k[r][0], t.data()[r]);
    }

    @Test
    void aCompiledJarKnowsWhatItsOutputMeans() throws Exception {
        Classes c = classes("j", 6, 8, false);
        Path w = initWeights("gated.nnet"), jar = tmp.resolve("gated.jar");
        ok("compile", gated(), "--weights", w.toString(), "-o", jar.toString());
        CliRunner fromSource = ok("predict", gated(), "--weights", w.toString(), "--input", c.x().toString());
        CliRunner fromJar = ok("predict", jar.toString(), "--input", c.x().toString());
        assertEquals(fromSource.out(), fromJar.out(), "probabilities from the jar too");
        CliRunner classesFromJar = ok("predict", jar.toString(), "--input", c.x().toString(), "--output", "classes", "--no-header");
        assertEquals(6, classesFromJar.out().lines().count());
    }

    @Test
    void aScheduleSetsTheRateOfEveryEpochAsComputedByHand() throws IOException {
        Classes c = classes("l", 20, 9, false);
        Path w = tmp.resolve("w.safetensors"), log = tmp.resolve("log.csv");
        ok("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--epochs", "7", "--batch", "10",
                "--lr", "step(0.01, every: 3, factor: 0.5)", "--log", log.toString(), "--quiet", "-o", w.toString());
        double[] expected = {0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025};
        List<String[]> rows = logRows(log);
        assertEquals(7, rows.size());
        for (int e = 0; e < 7; e++) {
            assertEquals(expected[e], Double.parseDouble(rows.get(e)[5]), 1e-12, "epoch " + (e + 1));
            assertTrue(rows.get(e)[3].isEmpty() && rows.get(e)[4].isEmpty(), "no held-out rows, empty cells");
            assertTrue(Double.parseDouble(rows.get(e)[6]) > 0, "samples/s");
        }
        // warmup over 5 steps of a cosine: steps 2 and 4 end epochs 1 and 2 (2 steps each); the cosine is per epoch
        ok("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--epochs", "4", "--batch", "10",
                "--lr", "warmup(5, cosine(0.01, min: 0.001))", "--log", log.toString(), "--quiet", "-o", w.toString());
        rows = logRows(log);
        double[] cosine = new double[4];
        for (int e = 0; e < 4; e++) cosine[e] = 0.001 + (0.01 - 0.001) * (1 + Math.cos(Math.PI * e / 4)) / 2;
        assertEquals(cosine[0] * 2 / 5, Double.parseDouble(rows.get(0)[5]), 1e-12);
        assertEquals(cosine[1] * 4 / 5, Double.parseDouble(rows.get(1)[5]), 1e-12);
        assertEquals(cosine[2], Double.parseDouble(rows.get(2)[5]), 1e-12);
        assertEquals(cosine[3], Double.parseDouble(rows.get(3)[5]), 1e-12);
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--lr", "step(0.01, every: 3)", "-o", w.toString())
                .assertUserError("--lr 'step(0.01, every: 3)': column 1: step needs factor");
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--lr", "cosine(0.01, min: 0.5)", "-o", w.toString())
                .assertUserError("column 14: min must be at least 0 and below the rate 0.01");
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--lr", "-1", "-o", w.toString())
                .assertUserError("the learning rate must be positive");
    }

    @Test
    void theTrainBlocksScheduleIsUsedUnlessTheCommandLineSaysOtherwise() throws IOException {
        Path net = Files.writeString(tmp.resolve("s.nnet"), """
                network S {
                  input x[2]
                  y = dense(x, 1, sigmoid)
                  output y
                  loss binary_cross_entropy
                  train { optimizer: sgd(momentum: 0.5), lr: step(0.1, every: 1, factor: 0.5), batch: 4, epochs: 3 }
                }
                """);
        Path w = tmp.resolve("w.safetensors"), log = tmp.resolve("log.csv");
        ok("train", net.toString(), "--input", CliTest.example("xor_x.csv"), "--target", CliTest.example("xor_y.csv"), "--log", log.toString(), "--quiet", "-o", w.toString());
        List<String[]> rows = logRows(log);
        assertEquals(List.of("0.1", "0.05", "0.025"), rows.stream().map(r -> r[5]).toList());
        ok("train", net.toString(), "--input", CliTest.example("xor_x.csv"), "--target", CliTest.example("xor_y.csv"), "--lr", "0.2", "--log", log.toString(), "--quiet", "-o", w.toString());
        assertEquals(List.of("0.2", "0.2", "0.2"), logRows(log).stream().map(r -> r[5]).toList());
    }

    /** examples/digits runs with scikit-learn's data (run.sh); here on made-up pixels, so the test needs no Python: it checks, trains and evaluates. */
    @Test
    void theDigitsExampleTrainsOnClassIndices() throws IOException {
        SplittableRandom rnd = new SplittableRandom(11);
        StringBuilder x = new StringBuilder(), t = new StringBuilder();
        for (int r = 0; r < 50; r++) {
            int c = rnd.nextInt(10);
            for (int k = 0; k < 64; k++) x.append(k == 0 ? "" : ",").append(k / 6 == c ? "1" : String.format(java.util.Locale.ROOT, "%.2f", rnd.nextDouble() * 0.3));
            x.append('\n');
            t.append(c).append('\n');
        }
        Path xs = Files.writeString(tmp.resolve("dx.csv"), x), ts = Files.writeString(tmp.resolve("dt.csv"), t), w = tmp.resolve("d.safetensors");
        String digits = TestNetworks.root().resolve("examples/digits/digits.nnet").toString();
        ok("check", digits);
        CliRunner r = ok("train", digits, "--input", xs.toString(), "--target", ts.toString(), "--validation-split", "0.2", "--epochs", "2", "--quiet", "-o", w.toString());
        assertTrue(r.out().contains("2 epochs of 40 rows"), r.out());
        CliRunner e = ok("evaluate", digits, "--weights", w.toString(), "--input", xs.toString(), "--target", ts.toString());
        assertTrue(e.out().contains("confusion (rows: target class, columns: predicted class):\n        0   1   2   3   4   5   6   7   8   9\n"), e.out());
    }

    /** Checkpoints are synced at the end, not every epoch; a run stopped by a signal (its shutdown hook) keeps a whole weights file and log. */
    @Test
    void anInterruptedRunKeepsItsLastEpochAndItsLog() throws Exception {
        Path w = tmp.resolve("w.safetensors"), log = tmp.resolve("log.csv");
        Process p = new ProcessBuilder(CliOutputsTest.java(), "-cp", System.getProperty("java.class.path"), "nnet.cli.Main", "train", CliTest.example("xor_train.nnet"),
                "--input", CliTest.example("xor_x.csv"), "--target", CliTest.example("xor_y.csv"), "--epochs", "100000000", "--log", log.toString(), "--quiet",
                "-o", w.toString()).redirectErrorStream(true).start();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(log) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(50);
        Thread.sleep(1500); // past the first epochs, into the ones not yet in the log file
        assertTrue(p.isAlive(), () -> "the run ended early: " + output(p));
        // SIGTERM: the JVM runs its shutdown hooks (the launcher's passes it on to the JVM it started with the Vector API)
        p.destroy();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "stopped by the signal");
        assertTrue(nnet.runtime.io.Safetensors.read(w).containsKey("h.kernel"), "a whole weights file");
        List<String[]> rows = logRows(log);
        assertTrue(rows.size() > 1, "the log has every epoch up to the interrupt: " + rows.size());
        int columns = Files.readAllLines(log).get(0).split(",").length;
        for (int e = 0; e < rows.size(); e++) {
            assertEquals(columns, rows.get(e).length);
            assertEquals(String.valueOf(e + 1), rows.get(e)[0]);
        }
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void heldOutRowsMayBeNumPyFilesAndNamedInputs() throws IOException {
        Classes c = classes("n", 30, 12, false);
        float[][] x = nnet.runtime.io.Csv.read(c.x());
        float[] flat = new float[30 * 8], labels = new float[30];
        for (int r = 0; r < 30; r++) {
            System.arraycopy(x[r], 0, flat, r * 8, 8);
            labels[r] = c.labels()[r];
        }
        Path xn = tmp.resolve("x.npy"), tn = tmp.resolve("t.npy"), w = tmp.resolve("w.safetensors"), log = tmp.resolve("log.csv");
        nnet.runtime.io.Npy.write(xn, new nnet.runtime.Tensor(new int[] {30, 8}, flat));
        nnet.runtime.io.Npy.write(tn, new nnet.runtime.Tensor(new int[] {30}, labels));
        ok("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--validation", "x=" + xn + "," + tn,
                "--epochs", "2", "--log", log.toString(), "--quiet", "-o", w.toString());
        List<String[]> rows = logRows(log);
        CliRunner e = ok("evaluate", gated(), "--weights", w.toString(), "--input", xn.toString(), "--target", tn.toString(), "--json");
        assertTrue(e.out().contains("\"rows\": 30"), e.out());
        assertFalse(rows.get(1)[3].isEmpty());
        CliRunner.run("train", gated(), "--input", c.x().toString(), "--target", c.indices().toString(), "--validation", "nope=" + xn + "," + tn, "-o", w.toString())
                .assertUserError("has no input 'nope'");
    }
}
