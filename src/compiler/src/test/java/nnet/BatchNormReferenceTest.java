package nnet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.interp.Interpreter;
import nnet.ir.Graph;
import nnet.runtime.math.Dropout;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * batchnorm against PyTorch's BatchNorm1d and BatchNorm2d, trained step by step by plain SGD under an
 * mse loss (resources/torch/batchnorm_reference.py wrote the reference with PyTorch itself): at each
 * step the loss and the training-mode outputs of the batch, then the weights after the step (the layer
 * before the batchnorm too, so its input gradient counts), the moving statistics, and the predicting
 * outputs. A batch of 3 runs sample by sample in stages, a batch of 40 in tiles of 32 and 8.
 */
class BatchNormReferenceTest {
    private static final Map<String, Tensor> REFERENCE = Safetensors.read(TestNetworks.root().resolve("src/compiler/src/test/resources/torch/batchnorm_reference.safetensors"));
    private static final int STEPS = 4;
    private static final List<String> WEIGHTS = List.of("z.kernel", "z.bias", "y.gamma", "y.beta", "y.moving_mean", "y.moving_variance");

    @ParameterizedTest
    @EnumSource(TestNetworks.Kernels.class)
    void batchNorm1dStepByStep(TestNetworks.Kernels kernels) {
        check("dense", """
                network Dense {
                  input x[5]
                  z = dense(x, 4)
                  y = batchnorm(z, momentum: 0.9, epsilon: 0.00001)
                  output y
                  loss mse
                }""", kernels);
    }

    @ParameterizedTest
    @EnumSource(TestNetworks.Kernels.class)
    void batchNorm2dStepByStep(TestNetworks.Kernels kernels) {
        check("conv", """
                network Conv {
                  input x[2, 5, 5]
                  z = conv2d(x, 3, 3)
                  y = batchnorm(z, momentum: 0.75, epsilon: 0.001)
                  output y
                  loss mse
                }""", kernels);
    }

    private static void check(String name, String source, TestNetworks.Kernels kernels) {
        Graph g = TestNetworks.graph(source);
        Network net = TestNetworks.compile(g, kernels);
        Map<String, Tensor> start = new LinkedHashMap<>();
        for (String w : WEIGHTS) start.put(w, REFERENCE.get(name + "." + w));
        net.loadWeights(start);
        net.setOptimizer(Optimizer.of("sgd", Map.of("lr", 0.1)));
        Graph backward = Compiler.stages(g).backward().graph();
        for (int k = 0; k < STEPS; k++) {
            String at = name + "." + k + ".";
            float[][][] x = rows(REFERENCE.get(at + "x"));
            float[][] t = flat(REFERENCE.get(at + "t"));
            // the training-mode outputs, by the interpreter (which the generated step is held to) with the weights before the step
            List<Map<String, double[]>> samples = new ArrayList<>();
            for (int s = 0; s < x.length; s++) {
                Map<String, double[]> in = new HashMap<>();
                in.put("x", EmittedGradientTest.toDouble(x[s][0]));
                in.put("y.target", EmittedGradientTest.toDouble(t[s]));
                in.put("y.weight", new double[] {1}); // the sample's weight in the loss: unweighted, as PyTorch's step
                samples.add(in);
            }
            double[][][] v = new Interpreter(backward, Interpreter.toDouble(net.saveWeights())).runBatch(samples, Dropout.key(0, k));
            float[][] y = flat(REFERENCE.get(at + "y"));
            for (int s = 0; s < x.length; s++) TestNetworks.assertClose(v[s][g.named().get("y").id()], y[s], at + "y of sample " + s + " while training");

            float loss = net.trainStep(x, t);
            assertEquals(REFERENCE.get(at + "loss").data()[0], loss, 1e-5, at + "loss");
            Map<String, Tensor> after = net.saveWeights();
            for (String w : WEIGHTS) {
                String ref = w.startsWith("y.moving") ? at + w.substring(2) : at + w;
                TestNetworks.assertClose(toDouble(REFERENCE.get(ref).data()), after.get(w).data(), ref + " after the step");
            }
            float[][][] predicted = net.forwardBatch(x, List.of("y"));
            float[][] expected = flat(REFERENCE.get(at + "predicted"));
            for (int s = 0; s < x.length; s++) TestNetworks.assertClose(toDouble(expected[s]), predicted[s][0], at + "predicted y of sample " + s);
        }
    }

    /** A [batch, n] tensor as one input per sample. */
    private static float[][][] rows(Tensor t) {
        float[][] f = flat(t);
        float[][][] out = new float[f.length][][];
        for (int s = 0; s < f.length; s++) out[s] = new float[][] {f[s]};
        return out;
    }

    private static float[][] flat(Tensor t) {
        int n = t.shape()[0], m = t.shape()[1];
        float[][] out = new float[n][m];
        for (int s = 0; s < n; s++) System.arraycopy(t.data(), s * m, out[s], 0, m);
        return out;
    }

    private static double[] toDouble(float[] f) {
        return EmittedGradientTest.toDouble(f);
    }
}
