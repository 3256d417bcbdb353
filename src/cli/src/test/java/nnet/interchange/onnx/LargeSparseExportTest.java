package nnet.interchange.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import nnet.CliRunner;
import nnet.Compiler;
import nnet.TestNetworks;
import nnet.interchange.onnx.proto.Onnx.ModelProto;
import nnet.ir.Graph;
import nnet.runtime.Network;
import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.StoredTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export of a sparse layer whose dense kernel no tensor can hold (issue 14): 70,000 inputs x
 * 40,000 units is 2.8e9 entries, beyond the 2^31 - 9 of one array, with a few thousand connections.
 * The ONNX file must grow with the connections and compute what the generated code computes.
 */
class LargeSparseExportTest {
    private static final int INPUTS = 70_000, UNITS = 40_000, EDGES = 3_000;
    @TempDir Path dir;

    /** Random pairs, a tenth of the inputs given a second unit, so rows of one and of two connections both occur. */
    private Path writeEdges() throws IOException {
        SplittableRandom rnd = new SplittableRandom(70);
        StringBuilder sb = new StringBuilder("input,unit\n");
        for (int e = 0; e < EDGES; e++) {
            int i = rnd.nextInt(INPUTS);
            sb.append(i).append(',').append(rnd.nextInt(UNITS)).append('\n');
            if (e % 10 == 0) sb.append(i).append(',').append(rnd.nextInt(UNITS)).append('\n');
        }
        return Files.writeString(dir.resolve("pairs.csv"), sb);
    }

    private Path writeNetwork() throws IOException {
        writeEdges();
        return Files.writeString(dir.resolve("wide.nnet"), "network Wide {\n  input x[" + INPUTS + "]\n  h = dense(x, " + UNITS
                + ", tanh, connect: edges \"pairs.csv\")\n  output h\n}\n");
    }

    @Test
    void aKernelTooLargeToBeDenseExportsAsAnEdgeListThatOnnxRuntimeRuns() throws Exception {
        Path net = writeNetwork(), weights = dir.resolve("w.safetensors"), onnx = dir.resolve("wide.onnx");
        assertEquals(0, CliRunner.run("init", net.toString(), "--seed", "4", "-o", weights.toString()).exit());
        Map<String, StoredTensor> stored = Safetensors.readStored(weights);
        assertTrue(stored.containsKey("h.kernel.values") && !stored.containsKey("h.kernel"), "init writes the kernel compact: " + stored.keySet());

        CliRunner r = CliRunner.run("export", net.toString(), "--weights", weights.toString(), "-o", onnx.toString());
        assertEquals(0, r.exit(), r.err());
        Graph g = check(net);
        long connections = g.params().get(0).count();
        assertTrue(connections > EDGES && connections < EDGES * 1.2, "connections: " + connections);
        long bound = 12 * connections + 4L * UNITS + 4096; // from, to and weight per connection; the bias; the graph's nodes
        assertTrue(Files.size(onnx) <= bound, "ONNX file of " + Files.size(onnx) + " bytes; at most " + bound + " for " + connections + " connections");
        List<String> ops = ModelProto.parseFrom(Files.readAllBytes(onnx)).getGraph().getNodeList().stream().map(n -> n.getOpType()).toList();
        assertTrue(ops.contains("ScatterElements") && !ops.contains("MatMul"), ops.toString());

        Network compiled = TestNetworks.compile(g);
        compiled.loadWeights(stored);
        float[][][] rows = OnnxRuntimeTest.randomInputs(g, 5);
        float[][][] expected = compiled.forwardBatch(rows, List.of("h"));
        float[] actual = OnnxRuntimeTest.run(Files.readAllBytes(onnx), g, rows).get("h");
        assertEquals(rows.length * UNITS, actual.length);
        int nonZero = 0;
        for (int s = 0; s < rows.length; s++)
            for (int j = 0; j < UNITS; j++) {
                float x = expected[s][0][j], a = actual[s * UNITS + j];
                if (!(Math.abs(a - x) <= 1e-4 * Math.max(1, Math.abs(x)))) fail("h[" + j + "] of sample " + s + ": nnet " + x + ", ONNX Runtime " + a);
                if (x != 0) nonZero++;
            }
        assertTrue(nonZero > rows.length * EDGES / 2, "the comparison covers the connections' sums, not only zeros: " + nonZero + " non-zero values");
    }

    @Test
    void neverIsAUserErrorThatSaysWhyAndWhatToUse() throws Exception {
        Path net = writeNetwork(), weights = dir.resolve("w.safetensors"), onnx = dir.resolve("wide.onnx");
        assertEquals(0, CliRunner.run("init", net.toString(), "-o", weights.toString()).exit());
        CliRunner.run("export", net.toString(), "--weights", weights.toString(), "--edge-lists", "never", "-o", onnx.toString())
                .assertUserError("h.kernel is 70000 x 40000 = 2800000000 entries, too many for a dense ONNX tensor");
        CliRunner again = CliRunner.run("export", net.toString(), "--weights", weights.toString(), "--edge-lists", "never", "-o", onnx.toString());
        assertTrue(again.err().contains("--edge-lists auto or always"), again.err());
        assertTrue(Files.notExists(onnx), "nothing is written on errors");
        assertEquals(0, CliRunner.run("export", net.toString(), "--weights", weights.toString(), "--edge-lists", "always", "-o", onnx.toString()).exit());
    }

    @Test
    void aCompactSmallKernelExportsDenseTheSameAsItsDenseFile() throws Exception {
        Graph g = TestNetworks.graph("network S {\n  input x[40]\n  h = dense(x, 30, connect: random(0.2, seed: 3))\n  output h\n}\n");
        Map<String, StoredTensor> compact = nnet.ir.InitialWeights.stored(g, 2, SparseWeights.ALWAYS);
        Map<String, StoredTensor> dense = nnet.ir.InitialWeights.stored(g, 2, SparseWeights.NEVER);
        for (OnnxExport.EdgeLists rule : OnnxExport.EdgeLists.values())
            assertEquals(OnnxExport.export(g, dense, List.of(), rule), OnnxExport.export(g, compact, List.of(), rule), "either form of the file gives one model (" + rule + ")");
    }

    private Graph check(Path file) throws IOException {
        Compiler.Checked c = Compiler.check(file.toString(), Files.readString(file), dir);
        assertTrue(c.ok(), () -> c.diagnostics().stream().map(d -> d.format()).collect(Collectors.joining("\n")));
        return c.graphs().get(0);
    }
}
