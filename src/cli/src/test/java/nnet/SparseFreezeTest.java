package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import nnet.ir.Connectivity;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.ir.Param;
import nnet.runtime.io.CompactKernel;
import nnet.runtime.Network;
import nnet.runtime.io.Safetensors;
import nnet.runtime.math.SparseIndex;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code freeze:} on sparse kernels costs O(connections) (issue 14): the freeze mask of a kernel
 * written compact is compact too ({@code h.freeze_mask.indices}, {@code h.freeze_mask.shape}), and
 * the runtime finds the frozen entries by the mask's entries, never through a dense tensor. The
 * large case is 70,000 x 40,000 = 2.8e9 entries, more than any Java array holds, so a dense step
 * anywhere on the path fails it.
 */
class SparseFreezeTest {
    private static final int INPUTS = 70_000, UNITS = 40_000, EDGES = 4_000;
    @TempDir Path dir;

    private Graph check(String source) {
        Compiler.Checked c = Compiler.check(dir.resolve("net.nnet").toString(), source, dir);
        assertTrue(c.ok(), () -> c.diagnostics().stream().map(d -> d.format()).collect(Collectors.joining("\n")));
        return c.graphs().get(0);
    }

    /** Writes the connections as a CSV edge list, and every third of them (plus two pairs that are not connections) as a SciPy COO freeze mask. */
    private void writeConnectionsAndFreezeMask() throws IOException {
        SplittableRandom rnd = new SplittableRandom(41);
        StringBuilder csv = new StringBuilder("input,unit\n");
        int[] row = new int[EDGES / 3 + 2], col = new int[row.length];
        int frozen = 0;
        for (int e = 0; e < EDGES; e++) {
            int i = rnd.nextInt(INPUTS), j = rnd.nextInt(UNITS);
            csv.append(i).append(',').append(j).append('\n');
            if (e % 3 == 0 && frozen < row.length - 2) {
                row[frozen] = i;
                col[frozen++] = j;
            }
        }
        row[frozen] = 0;
        col[frozen++] = UNITS - 1; // most likely absent: frozen entries need not be connections
        row[frozen] = INPUTS - 1;
        col[frozen++] = 0;
        Files.writeString(dir.resolve("pairs.csv"), csv);
        writeCooNpz(dir.resolve("frozen.npz"), INPUTS, UNITS, java.util.Arrays.copyOf(row, frozen), java.util.Arrays.copyOf(col, frozen));
        StringBuilder pairs = new StringBuilder("input,unit\n"); // the same pairs as an edge list
        for (int k = 0; k < frozen; k++) pairs.append(row[k]).append(',').append(col[k]).append('\n');
        Files.writeString(dir.resolve("frozen.csv"), pairs);
    }

    @Test
    void anEdgeListFreezesTheSameEntriesAsAMask() throws IOException {
        writeConnectionsAndFreezeMask();
        Connectivity fromMask = check(LARGE).params().get(0).frozen();
        Connectivity fromEdges = check(LARGE.replace("freeze: mask \"frozen.npz\"", "freeze: edges \"frozen.csv\"")).params().get(0).frozen();
        assertEquals(fromMask.count(), fromEdges.count());
        assertTrue(java.util.Arrays.equals(fromMask.index().rowStart(), fromEdges.index().rowStart())
                && java.util.Arrays.equals(fromMask.index().colIndex(), fromEdges.index().colIndex()), "the same frozen pairs");
    }

    private static final String LARGE = "network Wide {\n  input x[" + INPUTS + "]\n  h = dense(x, " + UNITS
            + ", tanh, connect: edges \"pairs.csv\", freeze: mask \"frozen.npz\")\n  output h\n  loss mse\n}\n";

    @Test
    void aFrozenKernelTooLargeToBeDenseInitsTrainsSavesAndLoadsByItsConnections() throws IOException {
        writeConnectionsAndFreezeMask();
        Graph g = check(LARGE);
        Param kernel = g.params().get(0);
        assertTrue(kernel.shape().sizeLong() > SparseWeights.MAX_DENSE, "the dense kernel must not fit in an array");
        assertEquals(EDGES / 3 + 2, kernel.frozen().count());

        Map<String, StoredTensor> initial = InitialWeights.stored(g, 3, SparseWeights.AUTO);
        assertTrue(initial.containsKey("h.freeze_mask.indices") && initial.containsKey("h.freeze_mask.shape") && !initial.containsKey("h.freeze_mask"),
                "the freeze mask is compact beside its compact kernel: " + initial.keySet());
        assertEquals(kernel.frozen().index().count(), CompactKernel.readMask(initial, "h.freeze_mask").count());
        Path file = dir.resolve("w.safetensors");
        Safetensors.write(file, initial);
        long bound = 12L * EDGES + 8L * kernel.frozen().count() + 4L * UNITS + 4096;
        assertTrue(Files.size(file) <= bound, "weights file of " + Files.size(file) + " bytes; at most " + bound);

        Network net = TestNetworks.compile(g);
        net.loadWeights(Safetensors.readStored(file));
        SparseIndex connections = kernel.present().index();
        boolean[] frozen = new boolean[connections.count()];
        int frozenConnections = 0;
        for (int i = 0; i < connections.rows(); i++)
            for (int k = connections.rowStart()[i]; k < connections.rowStart()[i + 1]; k++)
                if (frozen[k] = kernel.frozen().get(i, connections.colIndex()[k])) frozenConnections++;
        assertTrue(frozenConnections > EDGES / 4, "frozen connections: " + frozenConnections);

        SplittableRandom rnd = new SplittableRandom(2);
        float[][][] x = new float[4][1][INPUTS];
        float[][] t = new float[4][UNITS];
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < INPUTS; i++) x[s][0][i] = (float) rnd.nextDouble(-1, 1);
            for (int j = 0; j < UNITS; j++) t[s][j] = (float) rnd.nextDouble(-1, 1);
        }
        net.computeGradients(x, t);
        float[] grads = ((Tensor) net.gradients(SparseWeights.AUTO).get("h.kernel.values")).data();
        for (int k = 0; k < grads.length; k++) if (frozen[k]) assertEquals(0f, grads[k], "gradient of frozen connection " + k);
        for (int step = 0; step < 3; step++) net.trainStep(x, t);

        Map<String, StoredTensor> saved = net.saveWeights(SparseWeights.AUTO);
        float[] before = CompactKernel.read(initial, "h.kernel").values(), after = CompactKernel.read(saved, "h.kernel").values();
        int moved = 0;
        for (int k = 0; k < before.length; k++) {
            if (frozen[k]) assertEquals(before[k], after[k], "frozen connection " + k + " moved");
            else if (before[k] != after[k]) moved++;
        }
        assertTrue(moved > 0.9 * (before.length - frozenConnections), moved + " of " + (before.length - frozenConnections) + " trainable connections moved");
        assertEquals(initial.get("h.freeze_mask.indices"), saved.get("h.freeze_mask.indices"), "saved weights keep the compact freeze mask");
        assertFalse(saved.containsKey("h.freeze_mask"));

        Path trained = dir.resolve("trained.safetensors");
        Safetensors.write(trained, saved);
        Network again = TestNetworks.compile(g);
        again.loadWeights(Safetensors.readStored(trained));
        assertEquals(saved, again.saveWeights(SparseWeights.AUTO), "the trained file round-trips");
        CliRunner never = CliRunner.run("init", Files.writeString(dir.resolve("wide.nnet"), LARGE).toString(), "--sparse-weights", "never", "-o", dir.resolve("n.safetensors").toString());
        never.assertUserError("too many for a dense tensor");
    }

    @Test
    void aFileWithTheFreezeMaskInEitherFormLoadsWithoutAWarning() throws IOException {
        writeConnectionsAndFreezeMask();
        Path net = Files.writeString(dir.resolve("wide.nnet"), LARGE), w = dir.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", net.toString(), "-o", w.toString()).exit());
        Path x = Files.writeString(dir.resolve("x.csv"), "0.5,".repeat(INPUTS - 1) + "1\n");
        CliRunner r = CliRunner.run("predict", net.toString(), "--weights", w.toString(), "--input", x.toString(), "-o", dir.resolve("out.csv").toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("warning: " + w), "the file init wrote loads without a word about it: " + r.err());

        // a freeze mask that differs from the source's is named, whatever its form
        Map<String, StoredTensor> file = new java.util.LinkedHashMap<>(Safetensors.readStored(w));
        int[] pairs = ((nnet.runtime.IntTensor) file.get("h.freeze_mask.indices")).data().clone();
        pairs[0] = pairs[0] == 0 ? 1 : 0; // move the first frozen entry to another input
        file.put("h.freeze_mask.indices", new nnet.runtime.IntTensor(new int[] {2, pairs.length / 2}, pairs));
        Path changed = dir.resolve("changed.safetensors");
        Safetensors.write(changed, file);
        CliRunner c = CliRunner.run("predict", net.toString(), "--weights", changed.toString(), "--input", x.toString(), "-o", dir.resolve("out2.csv").toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("'h.freeze_mask' differs from the source's connectivity in 2 of 2800000000 entries"), c.err());
    }

    private static final String SMALL = """
            network Small {
              input x[40]
              h = dense(x, 30, tanh, connect: random(0.3, seed: 3), freeze: mask "frozen.npz")
              output h
              loss mse
            }
            """;

    @Test
    void aSmallKernelsFreezeMaskFollowsTheKernelsFormAndEitherFormLoads() throws IOException {
        writeCooNpz(dir.resolve("frozen.npz"), 40, 30, new int[] {0, 3, 7, 39}, new int[] {1, 4, 29, 0});
        Graph g = check(SMALL);
        Map<String, StoredTensor> compact = InitialWeights.stored(g, 5, SparseWeights.ALWAYS), dense = InitialWeights.stored(g, 5, SparseWeights.NEVER);
        assertTrue(compact.containsKey("h.freeze_mask.indices") && !compact.containsKey("h.freeze_mask"), compact.keySet().toString());
        assertEquals(kernelMask(g), dense.get("h.freeze_mask"), "beside a dense kernel, the dense 0/1 mask users load today");
        assertEquals(dense.get("h.freeze_mask"), CompactKernel.dense(compact, "w").get("h.freeze_mask"), "a compact mask read dense is the dense mask");

        Network a = TestNetworks.compile(g);
        a.loadWeights(compact);
        assertEquals(dense, a.saveWeights(SparseWeights.NEVER), "saved dense: kernel, mask and freeze mask dense");
        assertEquals(compact, a.saveWeights(SparseWeights.ALWAYS), "saved compact: all three compact");
        Network b = TestNetworks.compile(g);
        b.loadWeights(dense);
        assertEquals(a.saveWeights(SparseWeights.ALWAYS), b.saveWeights(SparseWeights.ALWAYS));
    }

    private static Tensor kernelMask(Graph g) {
        Param p = g.params().get(0);
        assertNotNull(p.frozen());
        return p.frozen().toMask();
    }

    /** A SciPy COO matrix of ones as {@code scipy.sparse.save_npz} writes it: format, shape, row, col and data arrays in a zip. */
    static void writeCooNpz(Path file, int n, int m, int[] row, int[] col) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "format", npy("<U3", "", ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt('c').putInt('o').putInt('o').array()));
            entry(zip, "shape", npy("<i8", "2,", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(n).putLong(m).array()));
            entry(zip, "row", npy("<i4", row.length + ",", ints(row)));
            entry(zip, "col", npy("<i4", col.length + ",", ints(col)));
            ByteBuffer ones = ByteBuffer.allocate(4 * row.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < row.length; k++) ones.putFloat(1);
            entry(zip, "data", npy("<f4", row.length + ",", ones.array()));
        }
        Files.write(file, bytes.toByteArray());
    }

    private static byte[] ints(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return b.array();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        zip.write(data);
        zip.closeEntry();
    }

    /** A version 1.0 .npy file: magic, header padded to 64 bytes, data. */
    private static byte[] npy(String descr, String shape, byte[] data) {
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }");
        while ((10 + header.length() + 1) % 64 != 0) header.append(' ');
        header.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.toString().getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }
}
