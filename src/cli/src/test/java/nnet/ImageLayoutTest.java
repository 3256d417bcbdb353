package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import nnet.runtime.io.Npy;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image data in Keras' order {@code [N, H, W, C]}: an error naming both shapes and the fix for an
 * input declared {@code [C, H, W]}, never a silent reshape; read as it is for an input declared
 * {@code layout: nhwc}, by every command that reads inputs and by a compiled jar, from NumPy and
 * from CSV rows (flat, in the same order).
 */
class ImageLayoutTest {
    @TempDir Path tmp;

    private static final String NETWORK = """
            network Photo {
              input img[3, 4, 5]LAYOUT
              c = conv2d(img, 2, 3, relu)
              y = dense(flatten(c), 2)
              output y
              loss mse
            }
            """;

    private Path network(String name, String layout) throws IOException {
        return Files.writeString(tmp.resolve(name + ".nnet"), NETWORK.replace("LAYOUT", layout));
    }

    @Test
    void kerasOrderedImagesForAChannelsFirstInputAreAnErrorNamingBothShapesAndTheFix() throws IOException {
        Path net = network("chw", ""), w = weights(net);
        Path hwc = npy("hwc.npy", random(7, 4, 5, 3));
        CliRunner.run("predict", net.toString(), "--weights", w.toString(), "--input", hwc.toString())
                .assertUserError("hwc.npy: an array of shape [7, 4, 5, 3] holds images [H, W, C] (Keras' order), but input img[3, 4, 5] takes [C, H, W]:"
                        + " declare it input img[3, 4, 5] layout: nhwc, or transpose the array with x.transpose(0, 3, 1, 2)");
        CliRunner.run("predict", net.toString(), "--weights", w.toString(), "--input", npy("other.npy", random(7, 5, 4, 3)).toString())
                .assertUserError("other.npy: an array of shape [7, 5, 4, 3] does not hold samples of input img[3, 4, 5] ([3, 4, 5])");
        Path target = npy("t.npy", random(7, 2));
        CliRunner.run("train", net.toString(), "--input", hwc.toString(), "--target", target.toString(), "--epochs", "1", "-o", tmp.resolve("t.safetensors").toString())
                .assertUserError("holds images [H, W, C] (Keras' order)");
    }

    @Test
    void layoutNhwcReadsKerasOrderedImagesAsTheChannelsFirstNetworkReadsTransposedOnes() throws Exception {
        Path chw = network("chw", ""), hwc = network("hwc", " layout: nhwc"), w = weights(chw);
        Tensor keras = random(6, 4, 5, 3);
        Path kerasFile = npy("keras.npy", keras), transposedFile = npy("chw.npy", channelsFirst(keras));
        float[] expected = predict(chw, w, transposedFile);
        assertArrayEquals(expected, predict(hwc, w, kerasFile), "layout: nhwc, [N, H, W, C] from NumPy");
        Path csv = tmp.resolve("keras.csv");
        StringBuilder rows = new StringBuilder();
        for (int r = 0; r < 6; r++) {
            for (int i = 0; i < 60; i++) rows.append(i == 0 ? "" : ",").append(keras.data()[r * 60 + i]);
            rows.append('\n');
        }
        Files.writeString(csv, rows);
        assertArrayEquals(expected, predict(hwc, w, csv), "layout: nhwc, CSV rows flat in the same order");
        CliRunner.run("predict", hwc.toString(), "--weights", w.toString(), "--input", transposedFile.toString())
                .assertUserError("holds images [C, H, W], but input img[3, 4, 5] is declared layout: nhwc, which reads [H, W, C] ([6, 4, 5, 3])");

        Path target = npy("t.npy", random(6, 2)), gradHwc = tmp.resolve("g1.safetensors"), gradChw = tmp.resolve("g2.safetensors");
        assertEquals(0, CliRunner.run("grad", hwc.toString(), "--weights", w.toString(), "--input", kerasFile.toString(), "--target", target.toString(), "-o", gradHwc.toString()).exit());
        assertEquals(0, CliRunner.run("grad", chw.toString(), "--weights", w.toString(), "--input", transposedFile.toString(), "--target", target.toString(), "-o", gradChw.toString()).exit());
        assertEquals(nnet.runtime.io.Safetensors.read(gradChw), nnet.runtime.io.Safetensors.read(gradHwc), "grad reads the layout too");

        Path jar = tmp.resolve("hwc.jar"), out = tmp.resolve("jar.npy");
        CliRunner compiled = CliRunner.run("compile", hwc.toString(), "--weights", w.toString(), "-o", jar.toString());
        assertEquals(0, compiled.exit(), compiled.err());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "predict", "--input", kerasFile.toString(), "-o", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertArrayEquals(expected, Npy.read(out).data(), "a compiled jar knows its inputs' layouts");
    }

    private float[] predict(Path net, Path weights, Path input) {
        Path out = tmp.resolve("out.npy");
        CliRunner r = CliRunner.run("predict", net.toString(), "--weights", weights.toString(), "--input", input.toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        return Npy.read(out).data();
    }

    private Path weights(Path net) {
        Path w = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", net.toString(), "--seed", "3", "-o", w.toString()).exit());
        return w;
    }

    private Path npy(String name, Tensor t) {
        Path p = tmp.resolve(name);
        Npy.write(p, t);
        return p;
    }

    private static Tensor random(int... shape) {
        SplittableRandom rnd = new SplittableRandom(shape.length * 31L + shape[shape.length - 1]);
        float[] data = new float[Math.toIntExact(Tensor.size(shape))];
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextDouble(-1, 1);
        return new Tensor(shape, data);
    }

    /** {@code [N, H, W, C]} into {@code [N, C, H, W]}, as numpy's x.transpose(0, 3, 1, 2). */
    private static Tensor channelsFirst(Tensor t) {
        int[] s = t.shape();
        int n = s[0], h = s[1], w = s[2], c = s[3];
        float[] out = new float[t.data().length];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++) out[((i * c + ch) * h + y) * w + x] = t.data()[((i * h + y) * w + x) * c + ch];
        return new Tensor(new int[] {n, c, h, w}, out);
    }
}
