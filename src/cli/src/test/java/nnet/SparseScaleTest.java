package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.ir.Param;
import nnet.runtime.io.CompactKernel;
import nnet.runtime.IntTensor;
import nnet.runtime.Network;
import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sparse layers at the scale of GenNet and P-NET (issue 14): stored, loaded, saved and trained by their connections. */
class SparseScaleTest {
    @TempDir Path dir;

    private Graph check(String source) {
        Compiler.Checked c = Compiler.check(dir.resolve("net.nnet").toString(), source, dir);
        assertTrue(c.ok(), () -> c.diagnostics().stream().map(d -> d.format()).collect(Collectors.joining("\n")));
        return c.graphs().get(0);
    }

    /** GenNet's shape: 131,503 inputs, 17,825 units, each input to one unit, 2% to a second. */
    private void writeGenNetEdges(Path file, int n, int m) throws IOException {
        SplittableRandom rnd = new SplittableRandom(14);
        StringBuilder sb = new StringBuilder("snp,gene\n");
        for (int i = 0; i < n; i++) {
            sb.append(i).append(',').append(rnd.nextInt(m)).append('\n');
            if (rnd.nextInt(50) == 0) sb.append(i).append(',').append(rnd.nextInt(m)).append('\n');
        }
        Files.writeString(file, sb);
    }

    @Test
    void aGenNetShapedLayerChecksInitsAndTrainsByItsConnections() throws IOException {
        int n = 131_503, m = 17_825;
        writeGenNetEdges(dir.resolve("snp_gene.csv"), n, m);
        long start = System.nanoTime();
        Graph g = check("network GenNet {\n  input snps[" + n + "]\n  genes = dense(snps, " + m + ", tanh, connect: edges \"snp_gene.csv\")\n"
                + "  y = dense(genes, 1, sigmoid)\n  output y\n  loss y: binary_cross_entropy\n}\n");
        Param kernel = g.params().get(0);
        long connections = kernel.count();
        assertTrue(connections > 131_503 && connections < 140_000, "connections: " + connections);
        Map<String, StoredTensor> initial = InitialWeights.stored(g, 3, SparseWeights.AUTO);
        assertTrue(initial.containsKey("genes.kernel.values") && !initial.containsKey("genes.kernel") && !initial.containsKey("genes.mask"), initial.keySet().toString());
        Path file = dir.resolve("w.safetensors");
        Safetensors.write(file, initial);
        long bound = 16 * connections + 4L * (m + 1) + (1 << 20);
        assertTrue(Files.size(file) <= bound, "file of " + Files.size(file) + " bytes, the target is at most " + bound);
        assertTrue((System.nanoTime() - start) / 1e9 < 10, "check and init take under 10 s");

        Network net = TestNetworks.compile(g);
        net.loadWeights(Safetensors.readStored(file));
        Map<String, StoredTensor> saved = net.saveWeights(SparseWeights.AUTO);
        assertEquals(initial.get("genes.kernel.values"), saved.get("genes.kernel.values"), "the compact form round-trips");
        assertEquals(initial.get("genes.kernel.indices"), saved.get("genes.kernel.indices"));
        SplittableRandom rnd = new SplittableRandom(1);
        float[][][] x = new float[8][1][n];
        float[][] t = new float[8][1];
        for (int s = 0; s < 8; s++) {
            for (int i = 0; i < n; i++) x[s][0][i] = rnd.nextInt(3);
            t[s][0] = rnd.nextInt(2);
        }
        float before = net.computeGradients(x, t);
        Map<String, StoredTensor> grads = net.gradients(SparseWeights.AUTO);
        assertEquals(connections, ((Tensor) grads.get("genes.kernel.values")).data().length, "gradients are compact too");
        for (int step = 0; step < 5; step++) net.trainStep(x, t);
        assertTrue(net.computeGradients(x, t) < before, "training lowers the loss");
    }

    @Test
    void theCheckerLimitsConnectionsNotTheDenseShape() {
        Compiler.Checked c = Compiler.check("big.nnet", "network Big {\n  input x[131503]\n  h = dense(x, 17825, connect: full)\n  output h\n}\n", dir);
        assertFalse(c.ok());
        assertTrue(c.diagnostics().get(0).format().contains("2344040975"), c.diagnostics().get(0).format());
    }

    private static final String SMALL = """
            network Small {
              input x[40]
              h = dense(x, 30, tanh, connect: random(0.2, seed: 3))
              y = dense(h, 2, sigmoid)
              output y
              loss y: binary_cross_entropy
            }
            """;

    @Test
    void compactAndDenseWeightsGiveTheSameNetwork() {
        Graph g = check(SMALL);
        Map<String, Tensor> dense = InitialWeights.of(g, 5);
        Map<String, StoredTensor> compact = InitialWeights.stored(g, 5, SparseWeights.ALWAYS);
        CompactKernel k = CompactKernel.read(compact, "h.kernel");
        assertEquals(dense.get("h.kernel"), k.toDense(), "the compact values are the dense kernel's present values, drawn alike");
        assertEquals(dense.get("h.mask"), k.index().toMask());
        assertEquals(dense, CompactKernel.dense(compact, "w"), "a compact file read dense is the dense file");

        Network a = TestNetworks.compile(g), b = TestNetworks.compile(g);
        a.loadWeights(dense);
        b.loadWeights(compact);
        float[][][] x = new float[6][1][40];
        float[][] t = new float[6][2];
        SplittableRandom rnd = new SplittableRandom(2);
        for (int s = 0; s < 6; s++) {
            for (int i = 0; i < 40; i++) x[s][0][i] = (float) rnd.nextDouble(-1, 1);
            t[s][0] = rnd.nextInt(2);
            t[s][1] = rnd.nextInt(2);
        }
        assertEquals(a.computeGradients(x, t), b.computeGradients(x, t));
        Map<String, StoredTensor> ga = a.gradients(SparseWeights.NEVER), gb = b.gradients(SparseWeights.ALWAYS);
        assertEquals(ga.get("h.kernel"), CompactKernel.read(withIndex(gb, compact), "h.kernel").toDense());
        assertEquals(a.saveWeights(), b.saveWeights(), "both save the same dense weights");
    }

    private static Map<String, StoredTensor> withIndex(Map<String, StoredTensor> grads, Map<String, StoredTensor> weights) {
        Map<String, StoredTensor> out = new java.util.LinkedHashMap<>(grads);
        out.putIfAbsent("h.kernel.indices", weights.get("h.kernel.indices"));
        out.putIfAbsent("h.kernel.shape", weights.get("h.kernel.shape"));
        return out;
    }

    @Test
    void aCompactKernelInAnyOrderLoadsAndBadIndicesAreNamed() {
        Graph g = check(SMALL);
        Map<String, StoredTensor> w = InitialWeights.stored(g, 5, SparseWeights.ALWAYS);
        Network a = TestNetworks.compile(g);
        a.loadWeights(w);
        // reversed: the loader sorts
        float[] v = ((Tensor) w.get("h.kernel.values")).data();
        int[] idx = ((IntTensor) w.get("h.kernel.indices")).data();
        int nnz = v.length;
        float[] rv = new float[nnz];
        int[] ri = new int[2 * nnz];
        for (int k = 0; k < nnz; k++) {
            rv[k] = v[nnz - 1 - k];
            ri[k] = idx[nnz - 1 - k];
            ri[nnz + k] = idx[2 * nnz - 1 - k];
        }
        Map<String, StoredTensor> reversed = new java.util.LinkedHashMap<>(w);
        reversed.put("h.kernel.values", new Tensor(new int[] {nnz}, rv));
        reversed.put("h.kernel.indices", new IntTensor(new int[] {2, nnz}, ri));
        Network b = TestNetworks.compile(g);
        b.loadWeights(reversed);
        assertEquals(a.saveWeights(), b.saveWeights());

        ri[3] = 40; // an input past the 40
        var e = org.junit.jupiter.api.Assertions.assertThrows(nnet.runtime.DataFormatException.class, () -> b.loadWeights(reversed));
        assertTrue(e.getMessage().contains("'h.kernel.indices'") && e.getMessage().contains("outside the kernel's 40 x 30"), e.getMessage());
    }

    @Test
    void aMillionEdgesLoadInAboutASecond() throws IOException {
        int n = 500_000, m = 20_000;
        SplittableRandom rnd = new SplittableRandom(9);
        StringBuilder sb = new StringBuilder();
        for (int e = 0; e < 1_000_000; e++) sb.append(rnd.nextInt(n)).append(',').append(rnd.nextInt(m)).append('\n');
        Files.writeString(dir.resolve("million.csv"), sb);
        String src = "network M {\n  input x[" + n + "]\n  h = dense(x, " + m + ", connect: edges \"million.csv\")\n  output h\n}\n";
        check(src); // warm the checker once
        long start = System.nanoTime();
        Graph g = check(src);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(g.params().get(0).count() > 990_000);
        assertTrue(seconds < 3, "a million edges checked in " + seconds + " s (about 1 s; 3 allowed on a loaded machine)");
    }

    @Test
    void scipySparseMatricesGiveTheSameConnectionsAsTheEdgeList() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")) && new ProcessBuilder("/usr/bin/python3", "-c", "import scipy").start().waitFor() == 0,
                "needs python3 with scipy");
        Files.writeString(dir.resolve("e.csv"), "input,unit\n0,1\n2,0\n3,0\n3,2\n# a comment\n\n1,1\n");
        String py = """
                import numpy as np, scipy.sparse as sp
                m = sp.coo_matrix((np.array([1., 1, 1, 1, 1, 0]), (np.array([0, 2, 3, 3, 1, 0]), np.array([1, 0, 0, 2, 1, 0]))), shape=(4, 3))
                sp.save_npz('coo.npz', m)
                sp.save_npz('csr.npz', m.tocsr(), compressed=False)
                sp.save_npz('csc.npz', m.tocsc())
                """;
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", py).directory(dir.toFile()).inheritIO().start();
        assertEquals(0, p.waitFor());
        Param fromCsv = check("network E {\n  input x[4]\n  h = dense(x, 3, connect: edges \"e.csv\")\n  output h\n}\n").params().get(0);
        for (String f : List.of("edges \"coo.npz\"", "mask \"csr.npz\"", "edges \"csc.npz\"")) {
            Param fromNpz = check("network E {\n  input x[4]\n  h = dense(x, 3, connect: " + f + ")\n  output h\n}\n").params().get(0);
            assertNotNull(fromNpz.present());
            assertEquals(fromCsv.present(), fromNpz.present(), f + " (the stored 0 at (0, 0) is absent)");
        }
        assertArrayEquals(new int[] {4, 3}, new int[] {fromCsv.present().rows(), fromCsv.present().cols()});
    }

    @Test
    void theSparseWeightsOptionChoosesTheLayoutOfInitTrainAndGrad() throws IOException {
        Path net = dir.resolve("small.nnet");
        Files.writeString(net, SMALL);
        Path always = dir.resolve("always.safetensors"), never = dir.resolve("never.safetensors"), auto = dir.resolve("auto.safetensors");
        assertEquals(0, CliRunner.run("init", net.toString(), "--sparse-weights", "always", "-o", always.toString()).exit());
        assertEquals(0, CliRunner.run("init", net.toString(), "--sparse-weights", "never", "-o", never.toString()).exit());
        assertEquals(0, CliRunner.run("init", net.toString(), "-o", auto.toString()).exit());
        assertTrue(Safetensors.readStored(always).containsKey("h.kernel.indices"));
        assertTrue(Safetensors.readStored(never).containsKey("h.mask"));
        assertEquals(Safetensors.read(never), Safetensors.read(auto), "auto keeps a small kernel (40 x 30) dense");
        Files.writeString(dir.resolve("x.csv"), "0.5,".repeat(39) + "1\n" + "-1,".repeat(39) + "0\n");
        Files.writeString(dir.resolve("t.csv"), "1,0\n0,1\n");
        Path g = dir.resolve("g.safetensors"), w = dir.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("grad", net.toString(), "--weights", always.toString(), "--input", dir.resolve("x.csv").toString(),
                "--target", dir.resolve("t.csv").toString(), "--sparse-weights", "always", "-o", g.toString()).exit());
        assertTrue(Safetensors.readStored(g).containsKey("h.kernel.values"));
        assertEquals(0, CliRunner.run("train", net.toString(), "--weights", always.toString(), "--input", dir.resolve("x.csv").toString(),
                "--target", dir.resolve("t.csv").toString(), "--epochs", "1", "--quiet", "--sparse-weights", "never", "-o", w.toString()).exit());
        assertTrue(Safetensors.read(w).containsKey("h.kernel"), "a compact file in, a dense file out");
        CliRunner bad = CliRunner.run("init", net.toString(), "--sparse-weights", "sometimes", "-o", w.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--sparse-weights takes auto, always or never, not 'sometimes'"), bad.err());
    }

    @Test
    void neverIsRefusedBeforeAnyWorkForAKernelTooLargeToBeDense() throws IOException {
        writeGenNetEdges(dir.resolve("snp_gene.csv"), 131_503, 17_825);
        Path net = dir.resolve("gennet.nnet");
        Files.writeString(net, "network GenNet {\n  input snps[131503]\n  genes = dense(snps, 17825, connect: edges \"snp_gene.csv\")\n  output genes\n  loss mse\n}\n");
        CliRunner r = CliRunner.run("train", net.toString(), "--input", dir.resolve("no_such.csv").toString(), "--target", dir.resolve("no_such.csv").toString(),
                "--sparse-weights", "never", "-o", dir.resolve("w.safetensors").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("genes.kernel is 131503 x 17825 = 2344040975 entries, too many for a dense tensor"), r.err());
        assertFalse(r.err().contains("no_such"), "refused before reading the data: " + r.err());
    }
}
