package nnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.runtime.Csv;
import nnet.runtime.Network;
import nnet.runtime.PackedNetworks;
import nnet.runtime.Safetensors;
import nnet.spark.cli.SparkMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnetc spark train|predict} in this process on local[2]: the files they write, and their errors. */
class SparkCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String err) {}

    static Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = SparkMain.execute(args);
            return new Run(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void trainThenPredictFromFilesGiveWhatOneMachineGives() throws Exception {
        Path source = Files.writeString(dir.resolve("net.nnet"), """
                network Quad {
                  input x[2]
                  h = dense(x, 6, tanh, connect: band(1))
                  y = dense(h, 1, sigmoid)
                  output y
                  loss binary_cross_entropy
                }
                """);
        SplittableRandom r = new SplittableRandom(3);
        float[][] x = new float[90][2], t = new float[90][1];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = (float) r.nextGaussian();
            x[i][1] = (float) r.nextGaussian();
            t[i][0] = x[i][0] * x[i][1] > 0 ? 1 : 0;
        }
        Csv.write(dir.resolve("x.csv"), x);
        Csv.write(dir.resolve("t.csv"), t);
        Path w = dir.resolve("w.safetensors");
        Run train = run("train", source.toString(), "--input", dir.resolve("x.csv").toString(), "--target", dir.resolve("t.csv").toString(),
                "--master", "local[2]", "--partitions", "3", "--epochs", "2", "--batch", "16", "--optimizer", "sgd", "--lr", "0.5", "-o", w.toString());
        assertEquals(0, train.exit(), train.err());
        assertTrue(train.err().contains("training Quad on 90 rows in 3 partitions (local[2]), batch 16"), train.err());
        assertTrue(train.err().contains("epoch 2/2: loss "), train.err());

        // one machine, the same rows in order, from the same initial weights (a source's, seed 1)
        byte[] jar = nnet.pack.JarPackager.toBytes(List.of(packed(source)));
        Network one = PackedNetworks.fromJar(jar, null);
        one.setOptimizer(nnet.runtime.Optimizer.of("sgd", java.util.Map.of("lr", 0.5)));
        float[][][] in = Arrays.stream(x).map(row -> new float[][] {row}).toArray(float[][][]::new);
        for (int epoch = 0; epoch < 2; epoch++)
            for (int from = 0; from < x.length; from += 16)
                one.trainStep(Arrays.copyOfRange(in, from, Math.min(x.length, from + 16)), Arrays.copyOfRange(t, from, Math.min(x.length, from + 16)));
        var trained = Safetensors.read(w);
        for (var e : one.saveWeights().entrySet())
            assertArrayEquals(e.getValue().data(), trained.get(e.getKey()).data(), 1e-5f, e.getKey());

        Path out = dir.resolve("p.csv");
        Run predict = run("predict", source.toString(), "--weights", w.toString(), "--input", dir.resolve("x.csv").toString(), "--master", "local[2]", "-o", out.toString());
        assertEquals(0, predict.exit(), predict.err());
        float[][] p = Csv.read(out, 1, "predictions");
        float[][][] expected = one.forwardBatch(in, List.of("y"));
        for (int i = 0; i < p.length; i++) assertEquals(expected[i][0][0], p[i][0], 1e-6f, "row " + i);
    }

    private nnet.pack.JarPackager.Packed packed(Path source) throws java.io.IOException {
        var g = nnet.Compiler.check(source).graphs().get(0);
        return new nnet.pack.JarPackager.Packed(nnet.Compiler.compile(g), nnet.ir.InitialWeights.stored(g, 1, nnet.runtime.SparseWeights.AUTO), g);
    }

    @Test
    void badInputIsAUserErrorWithItsPlace() throws Exception {
        Path source = Files.writeString(dir.resolve("bad.nnet"), "network Bad {\n  input x[2]\n  y = x + dense(x, 3)\n  output y\n}\n");
        Run r = run("train", source.toString(), "--input", "x.csv", "--target", "t.csv", "-o", dir.resolve("w.safetensors").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("bad.nnet:3:9: error: '+' needs equal shapes"), r.err());
        r = run("predict", dir.resolve("missing.nnet").toString(), "--input", "x.csv", "-o", dir.resolve("p.csv").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("missing.nnet: no such file"), r.err());
    }
}
