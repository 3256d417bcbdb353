package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user hits in the first hour (issue 29 items 1 and 5), where they meet it: on the
 * command line, with the exit code, the message, and the files left as they were.
 */
class CliTrapsTest {
    @TempDir Path tmp;

    private Path trainedXorWeights() {
        Path w = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", CliTest.example("xor_train.nnet"), "-o", w.toString()).exit());
        return w;
    }

    @Test
    void aModeWordOfPredictNeverBecomesAFileName() throws Exception {
        String net = CliTest.example("xor_train.nnet"), x = CliTest.example("xor_x.csv");
        Path w = trainedXorWeights();
        assertFalse(Files.exists(Path.of("class")));
        CliRunner.run("predict", net, "--weights", w.toString(), "--input", x, "--output", "class")
                .assertUserError("--output class: expected probabilities, classes or raw; did you mean 'classes'?");
        assertFalse(Files.exists(Path.of("class")), "no file named after the mistyped mode");
        CliRunner.run("predict", net, "--weights", w.toString(), "--input", x, "--output", "prob").assertUserError("did you mean 'probabilities'?");
        Path file = tmp.resolve("out.csv");
        CliRunner.run("predict", net, "--weights", w.toString(), "--input", x, "--output", file.toString())
                .assertUserError("--output " + file + ": expected probabilities, classes or raw; to write the rows to a file, use -o " + file);
        assertFalse(Files.exists(file), "--output is no longer -o");
        // a compiled jar's predict alike
        Path jar = tmp.resolve("xor.jar");
        assertEquals(0, CliRunner.run("compile", net, "--weights", w.toString(), "-o", jar.toString()).exit());
        CliRunner fromJar = CliRunner.javaJar(Map.of(), jar, "predict", "--input", x, "--output", "clases");
        assertEquals(1, fromJar.exit(), fromJar.err());
        assertEquals("error: --output clases: expected probabilities, classes or raw; did you mean 'classes'?\n", fromJar.err());
        assertFalse(Files.exists(Path.of("clases")));
    }

    @Test
    void compileWithoutWeightsSaysTheJarHoldsInitialWeights() {
        Path jar = tmp.resolve("gated.jar");
        CliRunner r = CliRunner.run("compile", CliTest.example("gated.nnet"), "-o", jar.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("warning: Gated has trainable weights and no --weights was given: the jar holds initial weights (--seed 1), not trained ones"), r.err());
        CliRunner fixed = CliRunner.run("compile", CliTest.example("xor.nnet"), "-o", tmp.resolve("xor.jar").toString());
        assertEquals("wrote " + tmp.resolve("xor.jar") + ": Xor\n", fixed.err(), "every weight of xor.nnet is fixed: nothing to warn about");
    }

    @Test
    void aWeightsFileWithNaNIsRefusedWithTheTensorAndIndexUnlessAllowed() throws IOException {
        Path w = trainedXorWeights(), bad = tmp.resolve("bad.safetensors");
        Map<String, Tensor> t = new LinkedHashMap<>(Safetensors.read(w));
        float[] kernel = t.get("h.kernel").data();
        kernel[10] = Float.NaN; // [1][2] of 2 x 8
        kernel[13] = Float.POSITIVE_INFINITY;
        Safetensors.write(bad, t);
        String net = CliTest.example("xor_train.nnet"), x = CliTest.example("xor_x.csv");
        String expected = bad + ": tensor 'h.kernel' holds NaN at [1, 2] (the first of 2 values that are not finite); weights must be finite numbers (give --allow-nonfinite";
        CliRunner.run("predict", net, "--weights", bad.toString(), "--input", x).assertUserError(expected);
        CliRunner.run("train", net, "--weights", bad.toString(), "--input", x, "--target", CliTest.example("xor_y.csv"), "-o", tmp.resolve("o.safetensors").toString())
                .assertUserError(expected);
        CliRunner.run("export", net, "--weights", bad.toString(), "-o", tmp.resolve("x.onnx").toString()).assertUserError(expected);
        CliRunner allowed = CliRunner.run("predict", net, "--weights", bad.toString(), "--input", x, "--allow-nonfinite", "--output", "raw");
        assertEquals(0, allowed.exit(), allowed.err());
        assertTrue(allowed.out().contains("NaN"), "loaded as asked: " + allowed.out());
    }

    @Test
    void everyFileTrainWritesIsCheckedBeforeItsFirstStep() throws IOException {
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x"), w = tmp.resolve("w.safetensors");
        String[] common = {"train", CliTest.example("xor_train.nnet"), "--input", CliTest.example("xor_x.csv"), "--target", CliTest.example("xor_y.csv"), "--epochs", "3", "-o", w.toString()};
        for (String flag : new String[] {"--log", "--plot"}) {
            Path bad = notADirectory.resolve(flag.equals("--log") ? "log.csv" : "loss.png");
            CliRunner r = CliRunner.run(concat(common, flag, bad.toString()));
            r.assertUserError("cannot write " + bad + ": not a directory");
            assertFalse(r.err().contains("epoch 1"), "refused before the first epoch:\n" + r.err());
            assertFalse(Files.exists(w), "nothing trained, nothing written");
        }
        CliRunner.run(concat(common, "--plot", tmp.resolve("loss.jpg").toString())).assertUserError("--plot " + tmp.resolve("loss.jpg") + ": draws .png or .svg (by the file's extension)");
        CliRunner.run("graph", CliTest.example("xor.nnet"), "-o", tmp.resolve("net.jpg").toString()).assertUserError("draws .svg, .png or .dot (by the file's extension)");
        assertFalse(Files.exists(w));
    }

    @Test
    void anUnusedInputIsWarnedAboutAndNotAskedFor() throws IOException {
        Path net = Files.writeString(tmp.resolve("unused.nnet"), """
                network Unused {
                  input x[2]
                  input extra[3]
                  y = dense(x, 1, weights: fixed [[1], [2]], bias: fixed [0])
                  output y
                }
                """);
        CliRunner check = CliRunner.run("check", net.toString());
        assertEquals(0, check.exit(), check.out());
        assertTrue(check.out().contains(net + ":3:9: warning: input extra is not used by any output (predict does not ask for it)"), check.out());
        Path x = Files.writeString(tmp.resolve("x.csv"), "1,1\n0,1\n");
        CliRunner named = CliRunner.run("predict", net.toString(), "--input", "x=" + x);
        assertEquals(0, named.exit(), named.err());
        assertEquals("y[0]\n3\n2\n", named.out());
        assertEquals(named.out(), CliRunner.run("predict", net.toString(), "--input", x.toString()).out(), "a file without a name goes to the one input in use");
        Path jar = tmp.resolve("unused.jar");
        assertEquals(0, CliRunner.run("compile", net.toString(), "-o", jar.toString()).exit());
        CliRunner fromJar = CliRunner.run("predict", jar.toString(), "--input", x.toString());
        assertEquals(named.out(), fromJar.out(), "a jar knows it too: " + fromJar.err());
    }

    @Test
    void aKernelInPyTorchsLayoutSaysSo() throws IOException {
        Path w = trainedXorWeights(), torch = tmp.resolve("torch.safetensors");
        Map<String, Tensor> t = new LinkedHashMap<>(Safetensors.read(w));
        Tensor y = t.get("y.kernel"); // [8, 1]: eight inputs, one unit
        t.put("y.kernel", new Tensor(new int[] {1, 8}, y.data()));
        Safetensors.write(torch, t);
        CliRunner.run("predict", CliTest.example("xor_train.nnet"), "--weights", torch.toString(), "--input", CliTest.example("xor_x.csv"))
                .assertUserError("tensor 'y.kernel' has shape [1, 8], the network needs [8, 1] (inputs x units; PyTorch's Linear.weight is [out, in]: save its transpose, weight.T)");
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
