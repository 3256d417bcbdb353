package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands of LANGUAGE.md §9 as a user's script calls them; user errors exit 1 without a stack trace. */
class CliTest {
    @TempDir Path tmp;

    static String example(String name) {
        return TestNetworks.root().resolve("examples").resolve(name).toString();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    private static void assertUserError(CliRunner r, String expected) {
        r.assertUserError(expected);
    }

    @Test
    void checkReportsEveryErrorWithPlace() throws IOException {
        Path bad = write("bad.nnet", """
                network Bad {
                  input x[2]
                  h = dense(x, 2, connect: mask [[1, 0], [1, 1], [0, 1]])
                  y = x + dense(x, 3)
                  output y
                }
                """);
        CliRunner r = CliRunner.run("check", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains(bad + ":3:28: error: mask is 3 x 2, but dense(x, 2) on x[2] needs 2 x 2 (inputs x units)"), r.out());
        assertTrue(r.out().contains(bad + ":4:9: error: '+' needs equal shapes: x is [2], dense(...) is [3]"), r.out());
        CliRunner json = CliRunner.run("check", "--json", bad.toString());
        assertEquals(1, json.exit());
        assertTrue(json.out().contains("\"code\": \"mask.size\"") && json.out().contains("\"line\": 3"), json.out());
        assertEquals(0, CliRunner.run("check", example("xor.nnet"), example("masked.nnet")).exit());
    }

    @Test
    void predictFromSourceWithProbe() throws IOException {
        Path x = write("x.csv", "0,0\n0,1\n1,0\n1,1\n");
        CliRunner r = CliRunner.run("predict", example("xor.nnet"), "--input", x.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("y[0]\n0\n1\n1\n0\n", r.out(), "a header line names the columns");
        CliRunner probe = CliRunner.run("predict", example("xor.nnet"), "--input", x.toString(), "--probe", "h");
        assertEquals("h[0],h[1]\n0,0\n1,0\n1,0\n2,1\n", probe.out());
        CliRunner bare = CliRunner.run("predict", example("xor.nnet"), "--input", x.toString(), "--probe", "h", "--no-header");
        assertEquals("0,0\n1,0\n1,0\n2,1\n", bare.out(), "--no-header gives the rows as before headers");
    }

    @Test
    void initWritesWeightsAndMasks() throws IOException {
        Path w = tmp.resolve("w.safetensors");
        CliRunner r = CliRunner.run("init", example("masked.nnet"), "--seed", "3", "-o", w.toString());
        assertEquals(0, r.exit(), r.err());
        Map<String, Tensor> t = Safetensors.read(w);
        assertEquals(List.of("h.kernel", "h.mask", "h.bias"), new ArrayList<>(t.keySet()));
        assertEquals(0f, t.get("h.kernel").data()[3], "the absent w[1][1] is stored as 0");
        assertTrue(t.get("h.kernel").data()[0] != 0);
        assertEquals(List.of(1f, 1f, 1f, 0f), List.of(t.get("h.mask").data()[0], t.get("h.mask").data()[1], t.get("h.mask").data()[2], t.get("h.mask").data()[3]));
        Path again = tmp.resolve("again.safetensors");
        CliRunner.run("init", example("masked.nnet"), "--seed", "3", "-o", again.toString());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(w), Files.readAllBytes(again)), "the same seed gives the same file");
    }

    @Test
    void compiledJarPredictsOnItsOwn() throws Exception {
        Path jar = tmp.resolve("xor.jar");
        CliRunner c = CliRunner.run("compile", example("xor.nnet"), "-o", jar.toString());
        assertEquals(0, c.exit(), c.err());
        Path x = write("x.csv", "x1,x2\n0,0\n0,1\n1,0\n1,1\n");
        String[] predict = javaJar(jar, "predict", "--input", x.toString());
        assertEquals("y[0]\n0\n1\n1\n0\n", predict[0], predict[1]);
        assertEquals("", predict[1], "nothing on stderr: the JVM started with the Vector API's module passes on all but its incubator warning");
        String[] info = javaJar(jar, "info");
        assertTrue(info[0].contains("batches run through the Vector API"), "java -jar starts itself again with the Vector API's module: " + info[0]);
        CliRunner viaNnetc = CliRunner.run("predict", jar.toString(), "--input", x.toString(), "--probe", "h");
        assertEquals("h[0],h[1]\n0,0\n1,0\n1,0\n2,1\n", viaNnetc.out(), viaNnetc.err());
    }

    /** {@code java -jar JAR args} as a user runs it (no JVM flags): its standard output and error. */
    private static String[] javaJar(Path jar, String... args) throws Exception {
        return javaJar(jar, Map.of(), args);
    }

    /** The same with {@code NNET_VECTOR=false}: the JVM keeps running without the Vector API's module. */
    private static String[] javaJarWithout(Path jar, String... args) throws Exception {
        return javaJar(jar, Map.of("NNET_VECTOR", "false"), args);
    }

    private static String[] javaJar(Path jar, Map<String, String> env, String... args) throws Exception {
        CliRunner r = CliRunner.javaJar(env, jar, args);
        assertEquals(0, r.exit(), r.out() + r.err());
        return new String[] {r.out(), r.err()};
    }

    @Test
    void jarOfASparseNetworkAgreesWithTheSource() throws IOException {
        Path w = tmp.resolve("w.safetensors"), jar = tmp.resolve("patterns.jar");
        assertEquals(0, CliRunner.run("init", example("patterns.nnet"), "--seed", "5", "-o", w.toString()).exit());
        CliRunner c = CliRunner.run("compile", example("patterns.nnet"), "--weights", w.toString(), "-o", jar.toString());
        assertEquals(0, c.exit(), c.err());
        StringBuilder rows = new StringBuilder();
        for (int r = 0; r < 3; r++) {
            for (int i = 0; i < 12; i++) rows.append(i == 0 ? "" : ",").append((r * 12 + i) % 7 - 3);
            rows.append('\n');
        }
        Path x = write("x.csv", rows.toString());
        CliRunner fromJar = CliRunner.run("predict", jar.toString(), "--input", x.toString(), "--probe", "a", "--probe", "y");
        CliRunner fromSource = CliRunner.run("predict", example("patterns.nnet"), "--weights", w.toString(), "--input", x.toString(), "--probe", "a", "--probe", "y");
        assertEquals(0, fromJar.exit(), fromJar.err());
        assertEquals(fromSource.out(), fromJar.out());
        assertEquals(4, fromJar.out().lines().count(), "a header and a row per input row");
        assertTrue(fromJar.out().startsWith("a[0],a[1],"), fromJar.out());
    }

    /**
     * A JVM without the Vector API's module (NNET_VECTOR=false keeps java -jar from starting itself
     * again with it) runs a network whose tiles have vector kernels through the plain ones: the
     * vector class is never loaded, and a batch gives what the source gives.
     */
    @Test
    void withoutTheVectorModuleTheJarRunsThePlainKernels() throws Exception {
        Path w = tmp.resolve("w.safetensors"), jar = tmp.resolve("patterns.jar");
        assertEquals(0, CliRunner.run("init", example("patterns.nnet"), "--seed", "5", "-o", w.toString()).exit());
        assertEquals(0, CliRunner.run("compile", example("patterns.nnet"), "--weights", w.toString(), "-o", jar.toString()).exit());
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            assertTrue(j.getEntry("nnet/generated/Patterns$Vector.class") != null, "the network has vector kernels, packed beside it");
        }
        StringBuilder rows = new StringBuilder();
        for (int r = 0; r < 40; r++) {
            for (int i = 0; i < 12; i++) rows.append(i == 0 ? "" : ",").append((r * 12 + i) % 7 - 3);
            rows.append('\n');
        }
        Path x = write("x.csv", rows.toString());
        String[] plain = javaJarWithout(jar, "predict", "--input", x.toString(), "--probe", "y", "--no-header");
        assertEquals("", plain[1], "no module, no warning, no error");
        String[] info = javaJarWithout(jar, "info");
        assertTrue(info[0].contains("batches run through plain Java"), info[0]);
        CliRunner fromSource = CliRunner.run("predict", example("patterns.nnet"), "--weights", w.toString(), "--input", x.toString(), "--probe", "y", "--no-header");
        List<String> a = plain[0].lines().toList(), b = fromSource.out().lines().toList();
        assertEquals(40, a.size());
        for (int r = 0; r < a.size(); r++) {
            String[] got = a.get(r).split(","), want = b.get(r).split(",");
            for (int k = 0; k < want.length; k++) assertEquals(Float.parseFloat(want[k]), Float.parseFloat(got[k]), 1e-5, "row " + (r + 1));
        }
    }

    @Test
    void trainedWeightsRoundTripThroughPredict() throws IOException {
        Path w = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", example("masked.nnet"), "-o", w.toString()).exit());
        Map<String, Tensor> t = Safetensors.read(w);
        float[] k = t.get("h.kernel").data(), b = t.get("h.bias").data();
        Path x = write("x.csv", "1,2\n");
        CliRunner r = CliRunner.run("predict", example("masked.nnet"), "--weights", w.toString(), "--input", x.toString(), "--no-header");
        assertEquals(0, r.exit(), r.err());
        String[] cells = r.out().trim().split(",");
        assertEquals(1 * k[0] + 2 * k[2] + b[0], Float.parseFloat(cells[0]), 1e-5);
        assertEquals(1 * k[1] + b[1], Float.parseFloat(cells[1]), 1e-5, "w[1][1] is absent: input 2 does not reach unit 1");
    }

    @Test
    void userErrorsExitOneWithoutStackTrace() throws IOException {
        Path broken = write("broken.csv", "0,1\n1,abc\n");
        assertUserError(CliRunner.run("predict", example("xor.nnet"), "--input", broken.toString()), "broken.csv:2:2");
        Path wide = write("wide.csv", "0,1,1\n");
        assertUserError(CliRunner.run("predict", example("xor.nnet"), "--input", wide.toString()), "wide.csv:1");
        Path x = write("x.csv", "0,1\n");
        assertUserError(CliRunner.run("predict", example("masked.nnet"), "--input", x.toString()), "--weights");
        Path garbage = write("w.safetensors", "not a safetensors file at all");
        assertUserError(CliRunner.run("predict", example("masked.nnet"), "--weights", garbage.toString(), "--input", x.toString()), "w.safetensors");
        Path wrong = tmp.resolve("wrong.safetensors");
        Safetensors.write(wrong, Map.of("h.kernel", Tensor.zeros(3, 2), "h.bias", Tensor.zeros(2)));
        assertUserError(CliRunner.run("predict", example("masked.nnet"), "--weights", wrong.toString(), "--input", x.toString()), "h.kernel");
        assertUserError(CliRunner.run("predict", example("xor.nnet"), "--input", x.toString(), "--probe", "nope"), "no node 'nope'");
        assertUserError(CliRunner.run("run", tmp.resolve("missing.nnet").toString()), "no such file");
        assertUserError(CliRunner.run("predict", example("xor.nnet"), "--input", x.toString(), "--bogus"), "--bogus");
        Path bad = write("bad.nnet", "network N { input x[2] y = dense(x, 0) output y }");
        CliRunner r = CliRunner.run("compile", bad.toString(), "-o", tmp.resolve("n.jar").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("bad.nnet:1:") && r.err().contains("units must be"), r.err());
        assertFalse(Files.exists(tmp.resolve("n.jar")), "no jar is written for a file with errors");
    }

    @Test
    void trainConvergesOnXorWithProgressPlotAndCheckpoint() throws IOException {
        Path w = tmp.resolve("xor.safetensors"), png = tmp.resolve("loss.png");
        CliRunner r = CliRunner.run("train", example("xor_train.nnet"), "--input", example("xor_x.csv"), "--target", example("xor_y.csv"),
                "--seed", "3", "--plot", png.toString(), "-o", w.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("accuracy on the training rows: 100.0% (4 of 4)"), r.out());
        assertTrue(r.err().contains("epoch 300/300: loss ") && r.err().contains("samples/s"), "a line per epoch on stderr (not a terminal):\n" + r.err());
        byte[] magic = Files.readAllBytes(png);
        assertEquals((byte) 0x89, magic[0]);
        assertEquals("PNG", new String(magic, 1, 3, StandardCharsets.US_ASCII));
        CliRunner p = CliRunner.run("predict", example("xor_train.nnet"), "--weights", w.toString(), "--input", example("xor_x.csv"), "--no-header");
        String[] rows = p.out().trim().split("\n");
        assertEquals(4, rows.length, p.out());
        int[] expected = {0, 1, 1, 0};
        for (int k = 0; k < 4; k++) assertEquals(expected[k], Math.round(Float.parseFloat(rows[k])), "row " + k + ": " + p.out());
        // the same seed gives the same weights
        Path again = tmp.resolve("again.safetensors");
        assertEquals(0, CliRunner.run("train", example("xor_train.nnet"), "--input", example("xor_x.csv"), "--target", example("xor_y.csv"),
                "--seed", "3", "--quiet", "-o", again.toString()).exit());
        assertEquals(-1, Files.mismatch(w, again), "--seed makes training reproducible");
    }

    @Test
    void gradWritesTheMeanLossGradientNamedLikeTheWeights() throws IOException {
        Path w = tmp.resolve("w.safetensors"), gOut = tmp.resolve("g.safetensors");
        assertEquals(0, CliRunner.run("init", example("masked.nnet"), "--seed", "2", "-o", w.toString()).exit());
        Path x = write("x.csv", "1,2\n-1,0.5\n"), t = write("t.csv", "0,1\n1,0\n");
        CliRunner r = CliRunner.run("grad", example("masked.nnet"), "--weights", w.toString(), "--input", x.toString(), "--target", t.toString(), "-o", gOut.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("loss: "), r.out());
        Map<String, Tensor> g = Safetensors.read(gOut), weights = Safetensors.read(w);
        assertEquals(List.of("h.bias", "h.kernel"), g.keySet().stream().sorted().toList());
        assertEquals(0f, g.get("h.kernel").data()[3], "the absent connection w[1][1] has gradient exactly 0");
        // mse over 2 rows of 2 values: dL/db_j = mean over rows of 2 (y_j - t_j) / 2
        float[] k = weights.get("h.kernel").data(), b = weights.get("h.bias").data();
        float[][] xs = {{1, 2}, {-1, 0.5f}}, ts = {{0, 1}, {1, 0}};
        for (int j = 0; j < 2; j++) {
            double sum = 0;
            for (int s = 0; s < 2; s++) {
                double y = b[j] + xs[s][0] * k[j] + (j == 0 ? xs[s][1] * k[2] : 0);
                sum += (y - ts[s][j]) / 2;
            }
            assertEquals(sum, g.get("h.bias").data()[j], 1e-5, "bias gradient " + j);
        }
    }

    @Test
    void badTrainingDataIsAnErrorNamingFileAndRow() throws IOException {
        Path out = tmp.resolve("w.safetensors");
        Path x = write("x.csv", "0,0\n0,1\n1,0\n"), shortT = write("short.csv", "0\n1\n");
        assertUserError(CliRunner.run("train", example("xor_train.nnet"), "--input", x.toString(), "--target", shortT.toString(), "-o", out.toString()),
                "short.csv has 2 rows, but the input has 3");
        Path range = write("range.csv", "0\n1.5\n1\n");
        assertUserError(CliRunner.run("train", example("xor_train.nnet"), "--input", x.toString(), "--target", range.toString(), "-o", out.toString()),
                "range.csv:2:1: target 1.5 is outside [0, 1]");
        Path nan = write("nan.csv", "0\nNaN\n1\n");
        assertUserError(CliRunner.run("train", example("xor_train.nnet"), "--input", x.toString(), "--target", nan.toString(), "-o", out.toString()), "nan.csv");
        Path gx = write("gx.csv", "1,2,3,4,5,6,7,8\n"), notOneHot = write("onehot.csv", "1,1,0\n");
        assertUserError(CliRunner.run("train", example("gated.nnet"), "--input", gx.toString(), "--target", notOneHot.toString(), "-o", out.toString()),
                "onehot.csv:1: the targets of a class row sum to 2");
        Path wide = write("wide.csv", "0,1\n1,0\n0,0\n");
        assertUserError(CliRunner.run("train", example("xor_train.nnet"), "--input", x.toString(), "--target", wide.toString(), "-o", out.toString()), "wide.csv");
        assertUserError(CliRunner.run("train", example("xor.nnet"), "--input", x.toString(), "--target", shortT.toString(), "-o", out.toString()),
                "has no loss statement");
        assertFalse(Files.exists(out), "failed runs write no weights");
    }

    @Test
    void benchPrintsBothFigures() {
        CliRunner r = CliRunner.run("bench", example("lenet5.nnet"), "--batch", "2", "--seconds", "0.05");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s)forward_us_per_sample: \\d+\\.\\d+\\R+train_step_us_per_sample: \\d+\\.\\d+\\R+train_step_bytes_allocated: \\d+\\R+steady_state_seconds: \\d+\\.\\d\\R+forward_cpu_us_per_sample: \\d+\\.\\d+\\R+train_step_cpu_us_per_sample: \\d+\\.\\d+\\R*"), r.out());
        CliRunner noLoss = CliRunner.run("bench", example("xor.nnet"), "--seconds", "0.05");
        assertEquals(0, noLoss.exit(), noLoss.err());
        assertTrue(noLoss.out().startsWith("forward_us_per_sample: ") && !noLoss.out().contains("train_step"), noLoss.out());
        assertUserError(CliRunner.run("bench", example("xor.nnet"), "--batch", "0"), "--batch must be at least 1");
    }

    /** A batchnorm's train step needs a batch: bench says so before any work, and measures it from --batch 2. */
    @Test
    void benchOfABatchnormNetworkNeedsABatch() {
        String regularized = TestNetworks.root().resolve("src/compiler/src/test/resources/cases/ok/training_mode.nnet").toString();
        assertUserError(CliRunner.run("bench", regularized, "--seconds", "0.05"), "network Regularized has a batchnorm, which normalizes by its batch's statistics"
                + " in a train step: a batch of 1 cannot be normalized, so bench measures its train step with --batch 2 or more");
        CliRunner r = CliRunner.run("bench", regularized, "--batch", "2", "--seconds", "0.05");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("train_step_us_per_sample: "), r.out());
    }

    /** Through the same pipeline as compile: an lstm is differentiated as its steps. */
    @Test
    void dumpIrBackwardWorksOnEveryExampleWithALoss() throws IOException {
        int dumped = 0;
        try (var files = Files.list(TestNetworks.root().resolve("examples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".nnet")).sorted().toList()) {
                if (!Files.readString(f).contains("loss")) continue;
                CliRunner r = CliRunner.run("dump-ir", f.toString(), "--backward");
                assertEquals(0, r.exit(), f + ": " + r.err());
                assertTrue(r.out().contains("= loss(") && r.out().contains("= weight_grad("), f + ":\n" + r.out());
                dumped++;
            }
        }
        assertTrue(dumped >= 6, "examples dumped: " + dumped);
        String lstm = CliRunner.run("dump-ir", example("masked_lstm.nnet"), "--backward").out();
        assertTrue(lstm.contains(") steps=12 carried=2 : [1]") && lstm.contains(" reverse carried=2 extends=%"), "the lstm as a loop over its cell and the reverse loop:\n" + lstm);
    }

    /** 1,024 dense layers (blocks doubling ten times) need more fields than one class holds. */
    @Test
    void aNetworkTooLargeForOneClassIsAUserError() throws IOException {
        StringBuilder src = new StringBuilder("block b0(x) {\n  return dense(x, 4, tanh)\n}\n");
        for (int k = 1; k <= 10; k++) src.append("block b").append(k).append("(x) {\n  return b").append(k - 1).append("(b").append(k - 1).append("(x))\n}\n");
        src.append("network Long {\n  input x[4]\n  h = b10(x)\n  output h\n  loss mse\n}\n");
        Path f = write("long.nnet", src.toString());
        assertUserError(CliRunner.run("compile", f.toString(), "-o", tmp.resolve("long.jar").toString()),
                f + ":35:9: error: network Long is too large for one JVM class");
        assertFalse(Files.exists(tmp.resolve("long.jar")));
    }

    /** An lstm's code is one step long: 20,000 steps compile to the same code as 10,000 (both too long for tiles of 32 samples). */
    @Test
    void aLongSequenceCompilesToTheCodeOfAShortOne() throws IOException {
        long[] sizes = new long[2];
        int[] steps = {10_000, 20_000};
        for (int k = 0; k < 2; k++) {
            Path f = write("long" + k + ".nnet", "network Long {\n  input seq[" + steps[k] + ", 4]\n  h = lstm(seq, 8)\n  output h\n  loss mse\n}\n");
            Path jar = tmp.resolve("long" + k + ".jar");
            CliRunner r = CliRunner.run("compile", f.toString(), "-o", jar.toString());
            assertEquals(0, r.exit(), r.err());
            sizes[k] = Files.size(jar);
        }
        assertTrue(Math.abs(sizes[1] - sizes[0]) < 100, "jars of " + sizes[0] + " and " + sizes[1] + " bytes");
    }
}
