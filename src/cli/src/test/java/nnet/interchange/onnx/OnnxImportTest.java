package nnet.interchange.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.CliRunner;
import nnet.TestNetworks;
import nnet.runtime.io.Npy;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX files written by {@code torch.onnx.export} (src/cli/src/test/resources/onnx/make_onnx_models.py,
 * PyTorch 1.13, opsets 11 to 17) imported by {@code nnetc import} and run by {@code nnetc predict}:
 * the outputs must equal what ONNX Runtime computes from the same file, on the same random batch.
 */
class OnnxImportTest {
    @TempDir Path tmp;

    static Path fixture(String name) {
        return TestNetworks.root().resolve("src/cli/src/test/resources/onnx").resolve(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_opset11", "mlp_opset17", "mlp_fixed_opset13", "gated_cnn_opset11", "gated_cnn_opset17", "strided_cnn_opset13",
            "lstm_opset11", "lstm_opset17", "lstm_sequence_opset14", "masked_opset15", "batchnorm_opset11", "batchnorm_opset15", "layernorm_opset17"})
    void importedNetworkPredictsWhatOnnxRuntimeComputes(String model) throws Exception {
        CliRunner imported = importModel(model);
        assertEquals(0, imported.exit(), imported.err());
        assertPredictsAsOnnxRuntime(model, 1e-5);
    }

    @Test
    void pytorchsExactGeluImportsAsNnetsGeluWithANote() throws Exception {
        CliRunner imported = importModel("exact_gelu_opset13");
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(imported.out().contains("is the exact GELU (erf; PyTorch writes it as Div, Erf, Add, Mul, Mul); nnet's gelu is the tanh approximation"), imported.out());
        assertTrue(Files.readString(tmp.resolve("exact_gelu_opset13.nnet")).contains("gelu = gelu(fc1)"));
        assertPredictsAsOnnxRuntime("exact_gelu_opset13", 1e-3); // the two GELUs differ by up to about 5e-4
    }

    @Test
    void aMaskFoldedIntoAWeightImportsAsDenseAndTheImportSaysSo() throws IOException {
        CliRunner imported = importModel("masked_opset15");
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(imported.out().contains("its weight has 30 of 60 entries exactly 0") && imported.out().contains("imported as the dense layer genes")
                && imported.out().contains("connect: mask"), imported.out());
        assertTrue(Files.readString(tmp.resolve("masked_opset15.nnet")).contains("genes = dense(x, 6)"));
    }

    @Test
    void statementsAndWeightsAreNamedAfterPytorchsModules() throws IOException {
        assertEquals(0, importModel("lstm_sequence_opset14").exit());
        String source = Files.readString(tmp.resolve("lstm_sequence_opset14.nnet"));
        assertTrue(source.contains("encoder = lstm(x, 6, sequences: true)") && source.contains("per_step = dense(encoder, 6)")
                && source.contains("decoder = lstm(sigmoid, 3)") && source.contains("output y"), source);
        var weights = nnet.runtime.io.Safetensors.read(tmp.resolve("lstm_sequence_opset14.safetensors")).keySet();
        assertTrue(weights.containsAll(java.util.List.of("encoder.kernel", "encoder.recurrent_kernel", "encoder.bias", "per_step.kernel", "per_step.bias")), weights.toString());
    }

    /** The source a successful import writes. */
    private String importedSource(String model) throws IOException {
        CliRunner imported = importModel(model);
        assertEquals(0, imported.exit(), imported.err());
        return Files.readString(tmp.resolve(model + ".nnet"));
    }

    /** Imports a committed file, or one a test wrote into the temporary folder. */
    private CliRunner importModel(String model) {
        Path file = Files.exists(tmp.resolve(model + ".onnx")) ? tmp.resolve(model + ".onnx") : fixture(model + ".onnx");
        return CliRunner.run("import", file.toString(), "-o", tmp.resolve(model + ".nnet").toString());
    }

    /** Runs the file in ONNX Runtime and the imported network by {@code nnetc predict} on one random batch; compares every value. */
    private void assertPredictsAsOnnxRuntime(String model, double tolerance) throws OrtException, IOException {
        byte[] onnx = Files.readAllBytes(Files.exists(tmp.resolve(model + ".onnx")) ? tmp.resolve(model + ".onnx") : fixture(model + ".onnx"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx, options)) {
                Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
                long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape();
                if (shape[0] < 0) shape[0] = 5; // a dynamic batch axis
                Tensor x = random(shape, model.hashCode());
                Path in = tmp.resolve(model + ".in.npy"), out = tmp.resolve(model + ".out.npy");
                Npy.write(in, x);
                CliRunner predicted = CliRunner.run("predict", tmp.resolve(model + ".nnet").toString(), "--weights", tmp.resolve(model + ".safetensors").toString(),
                        "--input", in.toString(), "-o", out.toString());
                assertEquals(0, predicted.exit(), predicted.err() + "\n" + Files.readString(tmp.resolve(model + ".nnet")));
                float[] actual = Npy.read(out).data();
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
                        OrtSession.Result result = session.run(Map.of(input.getKey(), t))) {
                    FloatBuffer b = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    float[] expected = new float[b.remaining()];
                    b.get(expected);
                    assertEquals(expected.length, actual.length, model + ": values");
                    for (int i = 0; i < expected.length; i++)
                        if (!(Math.abs(expected[i] - actual[i]) <= tolerance * Math.max(1, Math.abs(expected[i]))))
                            fail(model + "[" + i + "]: ONNX Runtime " + expected[i] + ", nnet " + actual[i] + "\n" + Files.readString(tmp.resolve(model + ".nnet")));
                }
            }
        }
    }

    private static Tensor random(long[] shape, long seed) {
        int[] dims = Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] data = new float[Math.toIntExact(Tensor.size(dims))];
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextDouble(-2, 2);
        return new Tensor(dims, data);
    }

    /** PyTorch's BatchNorm2d and BatchNorm1d in eval mode: nnet's batchnorm with their running statistics, momentum and eps; affine=False without gamma and beta. */
    @Test
    void batchNormalizationImportsAsBatchnormWithItsStatistics() throws IOException {
        String source = importedSource("batchnorm_opset15");
        assertTrue(source.contains("norm2d = batchnorm(maxpool, momentum: 0.9, epsilon: 0.00001)") && source.contains("norm1d = batchnorm(fc, momentum: 0.8, epsilon: 0.001)")
                && source.contains("plain = batchnorm(relu_1, momentum: 0.9, epsilon: 0.00001, center: false, scale: false)"), source);
        Map<String, Tensor> w = nnet.runtime.io.Safetensors.read(tmp.resolve("batchnorm_opset15.safetensors"));
        assertTrue(w.keySet().containsAll(java.util.List.of("norm2d.gamma", "norm2d.beta", "norm2d.moving_mean", "norm2d.moving_variance", "norm1d.gamma",
                "plain.moving_mean", "plain.moving_variance")) && !w.containsKey("plain.gamma") && !w.containsKey("plain.beta"), w.keySet().toString());
        assertEquals(3, w.get("norm2d.moving_mean").data().length, "a statistic per channel");
    }

    /** PyTorch's LayerNorm (opset 17): nnet's layernorm with its eps; a weight of ones that is stored stays a weight (it trains). */
    @Test
    void layerNormalizationImportsAsLayernorm() throws IOException {
        String source = importedSource("layernorm_opset17");
        assertTrue(source.contains("steps = layernorm(x, epsilon: 0.001)") && source.contains("norm = layernorm(fc, epsilon: 0.00001)")
                && source.contains("plain = layernorm(relu, epsilon: 0.00001)"), source);
        var weights = nnet.runtime.io.Safetensors.read(tmp.resolve("layernorm_opset17.safetensors")).keySet();
        assertTrue(weights.containsAll(java.util.List.of("steps.gamma", "steps.beta", "plain.gamma", "plain.beta")), weights.toString());
    }

    /** nnet's own export of every batchnorm form of the corpus (an image's channels, a vector, a sequence's last axis between Transposes) imports back and predicts the same. */
    @ParameterizedTest
    @ValueSource(strings = {"BatchNormDense", "BatchNormNoScale", "BatchNormConv", "BatchNormSequence"})
    void nnetsExportedBatchnormsImportBack(String network) throws Exception {
        nnet.ir.Graph g = nnet.Corpus.entries().stream().filter(e -> e.name().equals("training_mode.nnet/" + network)).findFirst().orElseThrow().graph();
        var model = OnnxExport.export(g, TestNetworks.randomWeights(g, 3), java.util.List.of(), OnnxExport.EdgeLists.NEVER);
        Files.write(tmp.resolve(network + ".onnx"), model.toByteArray());
        String source = importedSource(network);
        assertTrue(source.contains("batchnorm("), source);
        assertPredictsAsOnnxRuntime(network, 1e-5);
    }

    @Test
    void aBatchNormalizationNnetCannotExpressIsAnError() throws IOException {
        for (boolean training : new boolean[] {false, true}) {
            OnnxGraphWriter w = new OnnxGraphWriter("norm");
            w.graph.addInput(OnnxGraphWriter.batchedFloat("x", new int[] {3, 4}));
            String[] stats = {w.floats("scale", new int[] {3}, new float[] {1, 2, 3}), w.floats("shift", new int[] {3}, new float[3]),
                    w.floats("mean", new int[] {3}, new float[3]), w.floats("var", new int[] {3}, new float[] {1, 1, 1})};
            String[] inputs = {"x", stats[0], stats[1], stats[2], stats[3]};
            if (training) w.node("BatchNormalization", w.claim("y"), inputs, OnnxGraphWriter.integer("training_mode", 1));
            else w.node("BatchNormalization", w.claim("y"), inputs);
            w.graph.addOutput(OnnxGraphWriter.batchedFloat("y", new int[] {3, 4}));
            writeModel("norm", w);
            importModel("norm").assertUserError(training ? "(BatchNormalization) cannot be imported: it was exported in training mode (training_mode=1)"
                    : "(BatchNormalization) cannot be imported: it normalizes axis 1 of [N, 3, 4], and nnet's batchnorm normalizes the channels of an image");
        }
    }

    @Test
    void unsupportedOperatorsAreErrorsNamingTheNodeAndItsOperator() {
        importModel("elu_opset13").assertUserError("node '/Elu' (Elu) cannot be imported: the operator Elu is not supported");
        assertFalse(Files.exists(tmp.resolve("elu_opset13.nnet")));
        assertFalse(Files.exists(tmp.resolve("elu_opset13.safetensors")));
    }

    /** Graphs PyTorch does not write but other exporters do, built here and run by ONNX Runtime as the reference. */
    @Test
    void identityAndInferenceDropoutAreDropped() throws Exception {
        OnnxGraphWriter w = new OnnxGraphWriter("dropped");
        w.graph.addInput(OnnxGraphWriter.batchedFloat("x", new int[] {3}));
        String id = w.temp("Identity", "id", new String[] {"x"});
        String weight = w.floats("weight", new int[] {3, 2}, new float[] {1, -2, 0.5f, 3, -1, 0.25f}), bias = w.floats("bias", new int[] {2}, new float[] {0.1f, -0.2f});
        String product = w.temp("MatMul", "product", new String[] {id, weight});
        String biased = w.temp("Add", "biased", new String[] {bias, product});
        String[] dropped = w.node("Dropout", new String[] {w.fresh("dropped"), w.fresh("mask")}, new String[] {biased, w.scalar("ratio", 0.5f)});
        w.node("Relu", w.claim("y"), new String[] {dropped[0]});
        w.graph.addOutput(OnnxGraphWriter.batchedFloat("y", new int[] {2}));
        writeModel("dropped", w);
        CliRunner imported = importModel("dropped");
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(Files.readString(tmp.resolve("dropped.nnet")).matches("(?s).*input x\\[3]\n  (\\w+) = dense\\(x, 2\\)\n  y = relu\\(\\1\\)\n.*"), Files.readString(tmp.resolve("dropped.nnet")));
        assertPredictsAsOnnxRuntime("dropped", 1e-6);
    }

    @Test
    void reorderingATensorsAxesIsAnError() throws IOException {
        OnnxGraphWriter w = new OnnxGraphWriter("permuted");
        w.graph.addInput(OnnxGraphWriter.batchedFloat("x", new int[] {2, 3}));
        String t = w.temp("Transpose", "t", new String[] {"x"}, OnnxGraphWriter.ints("perm", 0, 2, 1));
        w.node("Flatten", w.claim("y"), new String[] {t}, OnnxGraphWriter.integer("axis", 1));
        w.graph.addOutput(OnnxGraphWriter.batchedFloat("y", new int[] {6}));
        writeModel("permuted", w);
        importModel("permuted").assertUserError("(Flatten) cannot be imported: it reads [N, 3, 2] with its axes permuted");
    }

    private void writeModel(String name, OnnxGraphWriter w) throws IOException {
        var model = nnet.interchange.onnx.proto.Onnx.ModelProto.newBuilder().setIrVersion(OnnxExport.IR_VERSION)
                .addOpsetImport(nnet.interchange.onnx.proto.Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(w.graph).build();
        Files.write(tmp.resolve(name + ".onnx"), model.toByteArray());
    }

    @Test
    void brokenFilesAreUserErrorsNamingTheFile() throws IOException {
        String out = tmp.resolve("n.nnet").toString();
        Path garbage = Files.writeString(tmp.resolve("garbage.onnx"), "this is not a protocol buffer at all \u0001\u0002\u0003");
        CliRunner.run("import", garbage.toString(), "-o", out).assertUserError("garbage.onnx: not an ONNX model");
        CliRunner.run("import", tmp.resolve("missing.onnx").toString(), "-o", out).assertUserError("missing.onnx: no such file");
        assertFalse(Files.exists(tmp.resolve("n.nnet")));
    }
}
