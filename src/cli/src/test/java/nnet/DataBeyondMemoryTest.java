package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nnet.runtime.io.Npy;
import nnet.runtime.io.Safetensors;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25 from the command line: GenNet's files (genotype.h5 and subjects.csv, made by h5py and
 * pandas: make_hdf5.py) used as they are, equal to the sets cut by numpy; a streamed epoch equal
 * to an in-memory one; a file larger than the heap trained in a forked nnetc.
 */
class DataBeyondMemoryTest {
    @TempDir Path tmp;

    private static final String NETWORK = """
            network Genotypes {
              input snps[12]
              h = dense(snps, 4, tanh)
              y = dense(h, 1, sigmoid)
              output y
              loss y: binary_cross_entropy
              train { optimizer: adam(lr: 0.01), batch: 5, epochs: 3 }
            }
            """;

    static String data(String name) {
        return Path.of(System.getProperty("nnet.root", "../..")).resolve("src/cli/src/test/resources/hdf5").resolve(name).toString();
    }

    private Path network() throws IOException {
        return Files.writeString(tmp.resolve("genotypes.nnet"), NETWORK);
    }

    static CliRunner ok(String... args) {
        CliRunner r = CliRunner.run(args);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    private static final String H5 = data("genotype.h5"), SUBJECTS = data("subjects.csv"), SPLITS = data("gennet_splits.npz");

    @Test
    void gennetsFilesTrainAsTheSetsNumpyCuts() throws IOException {
        String net = network().toString();
        Path fromTables = tmp.resolve("tables.safetensors"), fromSets = tmp.resolve("sets.safetensors");
        ok("train", net, "--input", H5, "--rows", SUBJECTS + ":genotype_row", "--target", SUBJECTS + ":labels", "--split", SUBJECTS + ":set",
                "--quiet", "-o", fromTables.toString());
        ok("train", net, "--input", SPLITS + ":x_train", "--target", SPLITS + ":t_train", "--validation", SPLITS + ":x_val," + SPLITS + ":t_val",
                "--quiet", "-o", fromSets.toString());
        assertSameWeights(fromSets, fromTables, "train on set 1 of genotype.h5 by subjects.csv = train on numpy's x_train");

        String[] test = {"--weights", fromTables.toString(), "--split", SUBJECTS + ":set", "--part", "test"};
        CliRunner eval = ok(concat(new String[] {"evaluate", net, "--input", H5, "--rows", SUBJECTS + ":genotype_row", "--target", SUBJECTS + ":labels", "--json"}, test));
        CliRunner evalSets = ok("evaluate", net, "--weights", fromTables.toString(), "--input", SPLITS + ":x_test", "--target", SPLITS + ":t_test", "--json");
        assertEquals(field(evalSets.out(), "right"), field(eval.out(), "right"), eval.out());
        assertEquals(8, (int) Double.parseDouble(field(eval.out(), "rows")), "the 8 rows of set 3");
        assertEquals(Double.parseDouble(field(evalSets.out(), "loss")), Double.parseDouble(field(eval.out(), "loss")), 1e-6, "the same rows' loss (summed in the files' order)");

        CliRunner predicted = ok(concat(new String[] {"predict", net, "--input", H5, "--rows", SUBJECTS + ":genotype_row"}, test));
        CliRunner predictedSets = ok("predict", net, "--weights", fromTables.toString(), "--input", SPLITS + ":x_test");
        assertEquals(predictedSets.out(), predicted.out(), "predict --part test: set 3's rows in the table's order");

        Path explained = tmp.resolve("explained"), explainedSets = tmp.resolve("explained-sets");
        ok(concat(new String[] {"explain", net, "--input", H5, "--rows", SUBJECTS + ":genotype_row", "--method", "ig", "--baseline", "mean", "-o", explained.toString()}, test));
        ok("explain", net, "--weights", fromTables.toString(), "--input", SPLITS + ":x_test", "--method", "ig", "--baseline", "mean", "-o", explainedSets.toString());
        assertEquals(Files.readString(explainedSets.resolve("snps.csv")), Files.readString(explained.resolve("snps.csv")), "explain --part test: set 3's attributions");
    }

    @Test
    void aStreamedEpochEqualsAnInMemoryOne() throws IOException {
        String net = network().toString();
        // genotype.h5 is chunked 7 rows at a time: 6 blocks, read one by one when streamed
        Path memory = tmp.resolve("memory.safetensors"), streamed = tmp.resolve("streamed.safetensors");
        ok("train", net, "--input", H5, "--rows", SUBJECTS + ":genotype_row", "--target", SUBJECTS + ":labels", "--no-shuffle", "--quiet", "-o", memory.toString());
        ok("train", net, "--input", H5, "--rows", SUBJECTS + ":genotype_row", "--target", SUBJECTS + ":labels", "--no-shuffle", "--stream", "--shuffle-window", "3",
                "--quiet", "-o", streamed.toString());
        assertSameWeights(memory, streamed, "--no-shuffle: the same rows in the same order, read whole or a block at a time");

        // one block (a small .npy) and a window of every row: the streamed shuffle is the in-memory one
        Tensor x = Npy.readArchive(Path.of(SPLITS)).get("x_train");
        Path npy = tmp.resolve("x.npy");
        Npy.write(npy, x);
        String t = SPLITS + ":t_train";
        ok("train", net, "--input", npy.toString(), "--target", t, "--epochs", "1", "--quiet", "-o", memory.toString());
        ok("train", net, "--input", npy.toString(), "--target", t, "--epochs", "1", "--stream", "--shuffle-window", "24", "--quiet", "-o", streamed.toString());
        assertSameWeights(memory, streamed, "a first epoch's shuffle of every row, drawn alike");
        ok("train", net, "--input", npy.toString(), "--target", t, "--stream", "--shuffle-window", "4", "--quiet", "-o", streamed.toString());
        assertFalse(Safetensors.read(memory).get("h.kernel").equals(Safetensors.read(streamed).get("h.kernel")), "windows of 4 rows shuffle otherwise");
    }

    /**
     * subjects.csv's weight column is GenNet's weighted loss (3 for label 1, 1 for label 0), so a run
     * with --sample-weights equals, bit for bit, one of the network whose loss weighs the classes
     * alike (class weights follow the targets inside the step): the sample weights follow their rows
     * through --rows, --split, --validation-split, the shuffled and the streamed orders, and evaluate.
     */
    @Test
    void sampleWeightsFollowTheirRows() throws IOException {
        String net = network().toString();
        String classWeighted = Files.writeString(tmp.resolve("weighted.nnet"), NETWORK.replace("loss y: binary_cross_entropy", "loss y: binary_cross_entropy(class_weights: [1, 3])")).toString();
        String[] rows = {"--input", H5, "--rows", SUBJECTS + ":genotype_row", "--target", SUBJECTS + ":labels", "--quiet"};
        String[] weights = {"--sample-weights", SUBJECTS + ":weight"};
        String[][] runs = {
                {"--split", SUBJECTS + ":set"},
                {"--split", SUBJECTS + ":set", "--stream", "--shuffle-window", "5"},
                {"--validation-split", "0.25", "--early-stopping", "1", "--epochs", "6"},
        };
        for (String[] run : runs) {
            String what = String.join(" ", run);
            Path bySample = tmp.resolve("samples.safetensors"), byClass = tmp.resolve("classes.safetensors");
            Path sampleLog = tmp.resolve("samples.csv"), classLog = tmp.resolve("classes.csv");
            ok(concat(concat(new String[] {"train", net, "--log", sampleLog.toString(), "-o", bySample.toString()}, rows), concat(run, weights)));
            ok(concat(concat(new String[] {"train", classWeighted, "--log", classLog.toString(), "-o", byClass.toString()}, rows), run));
            assertSameWeights(byClass, bySample, what + ": each row's sample weight is its class's");
            assertEquals(column(classLog, "val_loss"), column(sampleLog, "val_loss"), what + ": the held-out rows' weighted loss");
            ok(concat(concat(new String[] {"train", net, "-o", byClass.toString()}, rows), run));
            assertFalse(Safetensors.read(byClass).get("h.kernel").equals(Safetensors.read(bySample).get("h.kernel")), what + ": the weights change the run");
        }
        String[] test = {"--input", H5, "--rows", SUBJECTS + ":genotype_row", "--target", SUBJECTS + ":labels", "--split", SUBJECTS + ":set", "--part", "test", "--json"};
        Path w = tmp.resolve("samples.safetensors");
        CliRunner bySample = ok(concat(concat(new String[] {"evaluate", net, "--weights", w.toString()}, test), weights));
        CliRunner byClass = ok(concat(new String[] {"evaluate", classWeighted, "--weights", w.toString()}, test));
        assertEquals(field(byClass.out(), "loss"), field(bySample.out(), "loss"), "evaluate --part test: the test rows' weights");
        assertFalse(field(ok(concat(new String[] {"evaluate", net, "--weights", w.toString()}, test)).out(), "loss").equals(field(bySample.out(), "loss")));
    }

    /** A column of a --log file, by its header's name. */
    static List<String> column(Path log, String name) throws IOException {
        List<String> lines = Files.readAllLines(log);
        int at = List.of(lines.get(0).split(",")).indexOf(name);
        assertTrue(at >= 0, name + " in " + lines.get(0));
        return lines.stream().skip(1).map(l -> l.split(",", -1)[at]).toList();
    }

    @Test
    void aFileLargerThanTheHeapTrains() throws Exception {
        int rows = 24_000, width = 4000; // 96 MB of uint8, a heap of 64 MB
        Path x = tmp.resolve("big.npy"), t = tmp.resolve("t.npy"), w = tmp.resolve("w.safetensors");
        writeBigUint8(x, rows, width);
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) labels[r] = r % 2;
        Npy.write(t, new Tensor(new int[] {rows, 1}, labels));
        Path net = Files.writeString(tmp.resolve("wide.nnet"), """
                network Wide {
                  input snps[4000]
                  y = dense(snps, 1, sigmoid)
                  output y
                  loss y: binary_cross_entropy
                  train { optimizer: sgd(lr: 0.001), batch: 64, epochs: 1 }
                }
                """);
        assertTrue(Files.size(x) > 64L << 20);
        String[] run = {"train", net.toString(), "--input", x.toString(), "--target", t.toString(), "--quiet", "-o", w.toString()};
        Forked whole = nnetc("64m", run);
        assertEquals(1, whole.exit, whole.output);
        assertTrue(whole.output.contains("more than half of what this Java VM may use") && whole.output.contains("train --stream"), whole.output);
        Forked streamed = nnetc("64m", concat(run, new String[] {"--stream"}));
        assertEquals(0, streamed.exit, streamed.output);
        assertTrue(streamed.output.contains("1 epoch of 24,000 rows"), streamed.output);
        assertTrue(streamed.output.contains("accuracy on the training rows (as the last epoch's steps predicted them): "), "no second pass over the file: " + streamed.output);
        assertTrue(Safetensors.read(w).containsKey("y.kernel"));
    }

    @Test
    void aJarReadsNpyAndSendsHdf5ToNnetc() throws Exception {
        Path jar = tmp.resolve("genotypes.jar");
        ok("compile", network().toString(), "-o", jar.toString());
        Process p = new ProcessBuilder(CliOutputsTest.java(), "-jar", jar.toString(), "predict", "--input", H5).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), out);
        assertTrue(out.contains("genotype.h5: an HDF5 file; this program reads CSV and NumPy files. nnetc reads HDF5: nnetc predict NET.jar --input"), out);
        CliRunner viaNnetc = ok("predict", jar.toString(), "--input", H5, "--rows", SUBJECTS + ":genotype_row", "--split", SUBJECTS + ":set", "--part", "test");
        assertEquals(ok("predict", jar.toString(), "--input", SPLITS + ":x_test").out(), viaNnetc.out(), "nnetc runs the jar's network on the HDF5 rows");
    }

    /** A [rows, width] uint8 .npy whose row r holds r's bits, written without holding it in memory. */
    private static void writeBigUint8(Path file, int rows, int width) throws IOException {
        String header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + rows + ", " + width + "), }";
        header += " ".repeat(64 - (10 + header.length() + 1) % 64) + "\n";
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), (byte) (header.length() >> 8)});
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            byte[] row = new byte[width];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < width; c++) row[c] = (byte) ((r >> (c % 16)) & 1);
                out.write(row);
            }
        }
    }

    private record Forked(int exit, String output) {}

    private static Forked nnetc(String heap, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CliOutputsTest.java(), "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), "nnet.cli.Main"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        return new Forked(p.exitValue(), out);
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A number of a flat JSON object. */
    static String field(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\": ([-0-9.eE]+|null)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    private static void assertSameWeights(Path expected, Path actual, String why) {
        Map<String, StoredTensor> e = Safetensors.readStored(expected), a = Safetensors.readStored(actual);
        assertEquals(e.keySet(), a.keySet(), why);
        for (String name : e.keySet())
            if (e.get(name) instanceof Tensor et && a.get(name) instanceof Tensor at) {
                int[] eb = new int[et.data().length], ab = new int[at.data().length];
                for (int k = 0; k < eb.length; k++) eb[k] = Float.floatToRawIntBits(et.data()[k]);
                for (int k = 0; k < ab.length; k++) ab[k] = Float.floatToRawIntBits(at.data()[k]);
                assertArrayEquals(eb, ab, why + ": " + name);
            }
    }
}
