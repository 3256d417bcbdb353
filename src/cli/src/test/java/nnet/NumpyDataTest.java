package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nnet.runtime.io.Npy;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NumPy files wherever the commands take CSV: predict's inputs and output (from source and jar), train's and grad's targets. */
class NumpyDataTest {
    @TempDir Path tmp;

    private static final Tensor XOR_X = new Tensor(new int[] {4, 2}, new float[] {0, 0, 0, 1, 1, 0, 1, 1});
    private static final Tensor XOR_Y = new Tensor(new int[] {4, 1}, new float[] {0, 1, 1, 0});

    private Path npy(String name, Tensor t) {
        Path p = tmp.resolve(name);
        Npy.write(p, t);
        return p;
    }

    @Test
    void predictReadsAndWritesNpy() {
        Path out = tmp.resolve("y.npy");
        CliRunner r = CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", npy("x.npy", XOR_X).toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        Tensor y = Npy.read(out);
        assertArrayEquals(new int[] {4, 1}, y.shape(), "[N, ...the output's shape]");
        assertArrayEquals(new float[] {0, 1, 1, 0}, y.data());
    }

    @Test
    void predictWritesEachShownNodeIntoAnNpz() {
        Path out = tmp.resolve("probes.npz");
        CliRunner r = CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", "x=" + npy("x.npy", XOR_X), "--probe", "h", "--probe", "y", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        Map<String, Tensor> arrays = Npy.readArchive(out);
        assertEquals(List.of("h", "y"), List.copyOf(arrays.keySet()));
        assertArrayEquals(new float[] {0, 0, 1, 0, 1, 0, 2, 1}, arrays.get("h").data());
        assertArrayEquals(new int[] {4, 2}, arrays.get("h").shape());
        Path concatenated = tmp.resolve("both.npy");
        CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", npy("x.npy", XOR_X).toString(), "--probe", "h", "--probe", "y", "-o", concatenated.toString());
        assertArrayEquals(new int[] {4, 3}, Npy.read(concatenated).shape(), "several nodes in one .npy: side by side, as CSV rows");
    }

    @Test
    void aCompiledJarReadsAnNpzByInputName() throws Exception {
        Path jar = tmp.resolve("xor.jar"), npz = tmp.resolve("data.npz"), out = tmp.resolve("y.csv");
        assertEquals(0, CliRunner.run("compile", CliTest.example("xor.nnet"), "-o", jar.toString()).exit());
        Npy.writeArchive(npz, Map.of("x", XOR_X, "unused", XOR_Y));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "predict", "--input", npz.toString(), "-o", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertEquals("y[0]\n0\n1\n1\n0\n", Files.readString(out));
    }

    @Test
    void trainAndGradTakeNpyTargets() {
        Path x = npy("x.npy", XOR_X), t = npy("t.npy", XOR_Y), w = tmp.resolve("w.safetensors"), g = tmp.resolve("g.safetensors");
        CliRunner train = CliRunner.run("train", CliTest.example("xor_train.nnet"), "--input", x.toString(), "--target", t.toString(), "--quiet", "-o", w.toString());
        assertEquals(0, train.exit(), train.err());
        assertTrue(train.out().contains("(4 of 4)"), "XOR learned from the .npy rows:\n" + train.out());
        CliRunner grad = CliRunner.run("grad", CliTest.example("xor_train.nnet"), "--weights", w.toString(), "--input", x.toString(), "--target", t.toString(), "-o", g.toString());
        assertEquals(0, grad.exit(), grad.err());
        assertTrue(Safetensors.read(g).containsKey("h.kernel"));
    }

    @Test
    void aWrongArrayIsAUserErrorNamingTheFile() {
        Path wide = npy("wide.npy", new Tensor(new int[] {2, 3}, new float[6]));
        CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", wide.toString())
                .assertUserError(wide + ": an array of shape [2, 3] has rows of 3 values, but input x[2] needs 2");
        CliRunner.run("train", CliTest.example("xor_train.nnet"), "--input", npy("x.npy", XOR_X).toString(), "--target", wide.toString(), "--quiet", "-o", tmp.resolve("w").toString())
                .assertUserError("wide.npy: an array of shape [2, 3] has rows of 3 values, but the target [1] of the loss needs 1");
        Path blocker = npy("blocker", XOR_X);
        CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", npy("x.npy", XOR_X).toString(), "-o", blocker.resolve("y.npy").toString())
                .assertUserError("cannot write " + blocker.resolve("y.npy"));
    }
}
