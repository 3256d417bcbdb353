package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights and data files as commands read and write them: nothing dropped or changed without a word. */
class WeightsFilesTest {
    @TempDir Path tmp;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    private static final String FROZEN = """
            network Frozen {
              input x[3]
              h = dense(x, 2, connect: mask [[1, 0], [1, 1], [0, 1]], freeze: mask [[1, 0], [0, 0], [0, 1]])
              output h
              loss mse
            }
            """;

    @Test
    void initWritesTheFreezeMaskBesideTheWeights() throws IOException {
        Path src = write("frozen.nnet", FROZEN), w = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", src.toString(), "-o", w.toString()).exit());
        Map<String, Tensor> t = Safetensors.read(w);
        assertEquals(new Tensor(new int[] {3, 2}, new float[] {1, 0, 0, 0, 0, 1}), t.get("h.freeze_mask"));
        assertEquals(new Tensor(new int[] {3, 2}, new float[] {1, 0, 1, 1, 0, 1}), t.get("h.mask"));
        // and a trained file says the same
        Path x = write("x.csv", "1,2,3\n"), y = write("y.csv", "0,1\n"), trained = tmp.resolve("trained.safetensors");
        assertEquals(0, CliRunner.run("train", src.toString(), "--input", x.toString(), "--target", y.toString(), "--epochs", "1", "--quiet", "-o", trained.toString()).exit());
        assertEquals(t.get("h.freeze_mask"), Safetensors.read(trained).get("h.freeze_mask"));
    }

    @Test
    void neighbouringSeedsGiveUnrelatedWeights() throws IOException {
        Path src = write("wide.nnet", "network Wide {\n  input x[64]\n  h = dense(x, 64)\n  output h\n}\n");
        float[][] kernels = new float[3][];
        for (int s = 0; s < 3; s++) {
            Path w = tmp.resolve("w" + s + ".safetensors");
            assertEquals(0, CliRunner.run("init", src.toString(), "--seed", Integer.toString(s + 1), "-o", w.toString()).exit());
            kernels[s] = Safetensors.read(w).get("h.kernel").data();
        }
        // before: seed S + 1 gave the weights of seed S shifted by one place
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                if (a != b)
                    for (int shift = 0; shift < 4; shift++) {
                        int same = 0;
                        for (int k = 0; k + shift < kernels[a].length; k++) if (kernels[a][k + shift] == kernels[b][k]) same++;
                        assertTrue(same < 8, "seeds " + (a + 1) + " and " + (b + 1) + " share " + same + " weights at shift " + shift);
                    }
    }

    @Test
    void aWeightsFileWhoseMasksDifferFromTheSourceWarns() throws IOException {
        Path before = write("before.nnet", FROZEN), w = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", before.toString(), "-o", w.toString()).exit());
        Path after = write("after.nnet", FROZEN.replace("connect: mask [[1, 0], [1, 1], [0, 1]]", "connect: mask [[1, 1], [1, 1], [0, 1]]"));
        Path x = write("x.csv", "1,2,3\n");
        CliRunner r = CliRunner.run("predict", after.toString(), "--weights", w.toString(), "--input", x.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("warning: " + w + ": 'h.mask' differs from the source's connectivity in 1 of 6 entries"), r.err());
        Path full = write("full.nnet", "network Frozen {\n  input x[3]\n  h = dense(x, 2)\n  output h\n}\n");
        CliRunner f = CliRunner.run("predict", full.toString(), "--weights", w.toString(), "--input", x.toString());
        assertTrue(f.err().contains("'h.mask' says the layer had absent connections, but in the source it is fully connected"), f.err());
        assertTrue(f.err().contains("'h.freeze_mask'"), f.err());
        CliRunner same = CliRunner.run("predict", before.toString(), "--weights", w.toString(), "--input", x.toString());
        assertFalse(same.err().contains("warning"), "the file written for this source loads without a word: " + same.err());
    }

    @Test
    void aFirstRowOfMissingValuesIsAnErrorNotAHeader() throws IOException {
        Path na = write("na.csv", "NA,NA\n0,1\n");
        CliOutputsTest.assertUserError(CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", na.toString()),
                na + ":1:1: 'NA' is not a number (a missing value?");
        Path header = write("header.csv", "x1,x2\n0,1\n");
        assertEquals("y[0]\n1\n", CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", header.toString()).out());
    }

    @Test
    void aNetworkLargerThanTheHeapIsRefusedWithHowMuchItNeeds() throws Exception {
        Path big = write("big.nnet", "network Big {\n  input x[4000]\n  h = dense(x, 4000)\n  output h\n  loss mse\n}\n");
        for (String command : new String[] {"init", "train"}) {
            String[] args = command.equals("init") ? new String[] {"init", big.toString(), "-o", tmp.resolve("w.st").toString()}
                    : new String[] {"train", big.toString(), "--input", "x.csv", "--target", "t.csv", "-o", tmp.resolve("w.st").toString()};
            ProcessBuilder pb = new ProcessBuilder(CliOutputsTest.java(), "-Xmx48m", "-cp", System.getProperty("java.class.path"), "nnet.cli.Main");
            pb.command().addAll(java.util.List.of(args));
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("error: network Big needs about ") && out.contains("of memory for " + command)
                    && out.contains("JAVA_TOOL_OPTIONS=-Xmx"), out);
            assertFalse(out.contains("OutOfMemoryError") || out.contains("\tat "), out);
        }
        assertFalse(Files.exists(tmp.resolve("w.st")));
    }

    /** A batchnorm's step holds its whole batch (grad's: every row), which the estimate counts once the rows are read. */
    @Test
    void aBatchnormsBatchLargerThanTheHeapIsRefusedWithHowMuchItNeeds() throws Exception {
        Path net = write("norm.nnet", "network Norm {\n  input img[1, 28, 28]\n  c = batchnorm(conv2d(img, 16, 3))\n  y = dense(flatten(c), 2)\n  output y\n  loss mse\n}\n");
        Path x = tmp.resolve("x.npy"), t = tmp.resolve("t.npy"), w = tmp.resolve("w.st");
        nnet.runtime.io.Npy.write(x, new nnet.runtime.Tensor(new int[] {2000, 1, 28, 28}, new float[2000 * 784]));
        nnet.runtime.io.Npy.write(t, new nnet.runtime.Tensor(new int[] {2000, 2}, new float[4000]));
        assertEquals(0, CliRunner.run("init", net.toString(), "-o", w.toString()).exit());
        ProcessBuilder pb = new ProcessBuilder(CliOutputsTest.java(), "-Xmx48m", "-cp", System.getProperty("java.class.path"), "nnet.cli.Main",
                "grad", net.toString(), "--weights", w.toString(), "--input", x.toString(), "--target", t.toString(), "-o", tmp.resolve("g.st").toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("error: network Norm needs about ") && out.contains("a batchnorm's train step holding 2000 samples in 63 units")
                && out.contains("JAVA_TOOL_OPTIONS=-Xmx") && out.contains(", or fewer rows"), out);
        assertFalse(out.contains("OutOfMemoryError") || out.contains("\tat "), out);
        assertFalse(Files.exists(tmp.resolve("g.st")));
    }
}
