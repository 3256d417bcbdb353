package nnet.interchange.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.CliRunner;
import nnet.Corpus;
import nnet.TestNetworks;
import nnet.interchange.onnx.proto.Onnx.ModelProto;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.runtime.Network;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every network of the corpus (examples, LANGUAGE.md's, the themed test networks) exported and run
 * by ONNX Runtime, an engine that shares no code with nnet: on random weights (with garbage at
 * absent connections) and a batch of random inputs, every output and every named node must equal
 * what the generated code computes (what {@code predict} prints), with masked kernels written
 * both ways (zeros in a dense kernel, and edge lists).
 */
class OnnxRuntimeTest {
    private static final int BATCH = 3;
    @TempDir Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("nnet.Corpus#networks")
    void onnxRuntimeAgreesWithTheGeneratedCode(Corpus.Entry e) throws OrtException {
        Graph g = e.graph();
        Map<String, Tensor> weights = TestNetworks.randomWeights(g, e.seed());
        Network net = TestNetworks.compile(g);
        net.loadWeights(weights);
        List<String> shown = new ArrayList<>();
        for (Node out : g.outputs()) shown.add(TestNetworks.nameOf(g, out));
        g.named().forEach((name, n) -> {
            if (n.op() != Op.INPUT && !shown.contains(name)) shown.add(name);
        });
        float[][][] inputs = randomInputs(g, e.seed());
        float[][][] expected = net.forwardBatch(inputs, shown);
        List<String> probes = shown.subList(g.outputs().size(), shown.size());
        for (OnnxExport.EdgeLists rule : List.of(OnnxExport.EdgeLists.NEVER, OnnxExport.EdgeLists.ALWAYS)) {
            ModelProto model = OnnxExport.export(g, weights, probes, rule);
            Map<String, float[]> actual = run(model.toByteArray(), g, inputs);
            for (int k = 0; k < shown.size(); k++)
                for (int s = 0; s < BATCH; s++)
                    assertClose(expected[s][k], actual.get(shown.get(k)), s, shown.get(k) + " (" + rule + ", sample " + s + ")");
        }
    }

    static float[][][] randomInputs(Graph g, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        float[][][] in = new float[BATCH][g.inputs().size()][];
        for (int s = 0; s < BATCH; s++)
            for (int k = 0; k < g.inputs().size(); k++) in[s][k] = nnet.TestNetworks.randomInput(g, g.inputs().get(k), rnd);
        return in;
    }

    /** Runs the model on the batch; returns each output's values, samples one after another. */
    static Map<String, float[]> run(byte[] model, Graph g, float[][][] inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options)) {
                Map<String, OnnxTensor> feed = new HashMap<>();
                try {
                    for (int k = 0; k < g.inputs().size(); k++) {
                        Node in = g.inputs().get(k);
                        int size = in.shape().size();
                        long[] shape = new long[in.shape().rank() + 1];
                        shape[0] = inputs.length;
                        for (int d = 0; d < in.shape().rank(); d++) shape[d + 1] = in.shape().dim(d);
                        if (in.integers()) { // token ids are int64, as Gather takes them
                            java.nio.LongBuffer ids = java.nio.LongBuffer.allocate(inputs.length * size);
                            for (float[][] sample : inputs) for (float v : sample[k]) ids.put((long) v);
                            feed.put(in.name(), OnnxTensor.createTensor(env, ids.flip(), shape));
                            continue;
                        }
                        FloatBuffer data = FloatBuffer.allocate(inputs.length * size);
                        for (float[][] sample : inputs) data.put(sample[k]);
                        data.flip();
                        feed.put(in.name(), OnnxTensor.createTensor(env, data, shape));
                    }
                    Map<String, float[]> out = new HashMap<>();
                    try (OrtSession.Result result = session.run(feed, session.getOutputNames())) {
                        for (var entry : result) {
                            FloatBuffer b = ((OnnxTensor) entry.getValue()).getFloatBuffer();
                            float[] v = new float[b.remaining()];
                            b.get(v);
                            out.put(entry.getKey(), v);
                        }
                    }
                    return out;
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    private static void assertClose(float[] expected, float[] batch, int sample, String what) {
        assertTrue(batch != null, what + ": not among the model's outputs");
        assertEquals(0, batch.length % BATCH, what + ": " + batch.length + " values for " + BATCH + " samples");
        int size = batch.length / BATCH;
        assertEquals(expected.length, size, what + ": values per sample");
        for (int i = 0; i < size; i++) {
            float a = batch[sample * size + i], x = expected[i];
            if (!(Math.abs(a - x) <= 1e-4 * Math.max(1, Math.abs(x)))) fail(what + "[" + i + "]: nnet " + x + ", ONNX Runtime " + a);
        }
    }

    @Test
    void exportCommandWritesAModelOnnxRuntimeRuns() throws Exception {
        Path onnx = tmp.resolve("xor.onnx");
        CliRunner r = CliRunner.run("export", TestNetworks.root().resolve("examples/xor.nnet").toString(), "--probe", "h", "-o", onnx.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("outputs y, h"), r.err());
        Graph g = TestNetworks.graph(Files.readString(TestNetworks.root().resolve("examples/xor.nnet")));
        float[][][] rows = {{{0, 0}}, {{0, 1}}, {{1, 0}}};
        Map<String, float[]> out = run(Files.readAllBytes(onnx), g, rows);
        assertEquals(List.of(0f, 1f, 1f), List.of(out.get("y")[0], out.get("y")[1], out.get("y")[2]));
        assertEquals(6, out.get("h").length);
    }

    @Test
    void aliasesKeepTheirNamesAndInputsAreCopied() throws OrtException {
        Graph g = TestNetworks.graph("""
                network Alias {
                  input x[2]
                  h = dense(x, 3, relu, weights: fixed [[1, -1, 2], [0, 1, 1]], bias: fixed [0, 0, -1])
                  kept = h
                  output kept, x
                }
                """);
        Map<String, float[]> out = run(OnnxExport.export(g, Map.of(), List.of("kept"), OnnxExport.EdgeLists.AUTO).toByteArray(), g, new float[][][] {{{1, 2}}, {{-1, 0}}, {{0, 0}}});
        assertEquals(List.of(1f, 1f, 3f, 0f, 1f, 0f, 0f, 0f, 0f), toList(out.get("h")), "an output is named as the network names it (the node's own name, as predict does)");
        assertEquals(toList(out.get("h")), toList(out.get("kept")), "a probed alias is a copy under its name");
        assertEquals(List.of(1f, 2f, -1f, 0f, 0f, 0f), toList(out.get("x_output")), "an input shown as an output is copied (ONNX names a value once)");
    }

    private static List<Float> toList(float[] v) {
        assertTrue(v != null, "not among the model's outputs");
        List<Float> out = new ArrayList<>();
        for (float f : v) out.add(f);
        return out;
    }

    @Test
    void largeSparseKernelsBecomeEdgeLists() {
        Graph g = TestNetworks.graph("""
                network Sparse {
                  input x[512]
                  h = dense(x, 256, relu, connect: random(0.05, seed: 3))
                  y = dense(h, 4)
                  output y
                }
                """);
        ModelProto m = OnnxExport.export(g, TestNetworks.randomWeights(g, 1), List.of(), OnnxExport.EdgeLists.AUTO);
        List<String> ops = m.getGraph().getNodeList().stream().map(n -> n.getOpType()).toList();
        assertTrue(ops.contains("ScatterElements") && ops.contains("Gather"), ops.toString());
        assertEquals(1, ops.stream().filter("MatMul"::equals).count(), "the dense layer stays a MatMul: " + ops);
        long bytes = m.getGraph().getInitializerList().stream().mapToLong(t -> t.getRawData().size()).sum();
        long edges = g.params().get(0).count(), rest = 4 * (256 + 256 * 4 + 4); // h's bias, y's kernel and bias
        assertTrue(bytes >= 12 * edges + rest && bytes < 12 * edges + rest + 200,
                bytes + " bytes: each of the " + edges + " connections should take 12 (from, to, weight), not 512 x 256 floats in all");
    }

    @Test
    void missingWeightsAndUnknownProbesAreUserErrors() throws Exception {
        String gated = TestNetworks.root().resolve("examples/gated.nnet").toString();
        CliRunner.run("export", gated, "-o", tmp.resolve("g.onnx").toString()).assertUserError("give --weights");
        Path w = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", gated, "-o", w.toString()).exit());
        CliRunner.run("export", gated, "--weights", w.toString(), "--probe", "nope", "-o", tmp.resolve("g.onnx").toString()).assertUserError("has no node 'nope'");
        Path blocker = Files.writeString(tmp.resolve("file"), "");
        CliRunner.run("export", gated, "--weights", w.toString(), "-o", blocker.resolve("g.onnx").toString()).assertUserError("cannot write");
        assertTrue(Files.notExists(tmp.resolve("g.onnx")), "nothing is written on errors");
    }
}
