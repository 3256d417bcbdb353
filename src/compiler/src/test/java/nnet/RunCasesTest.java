package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import nnet.interp.Interpreter;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.runtime.io.Csv;
import nnet.runtime.Network;
import nnet.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Networks with outputs computed elsewhere: each {@code src/test/resources/run/NAME.nnet} has
 * beside it its weights ({@code NAME.safetensors}), inputs ({@code NAME.in.csv}, a sample per row)
 * and the outputs another implementation gives ({@code NAME.expected.csv}, PyTorch's, written by
 * {@code bench/peer/expected_outputs.py}). The interpreter and the generated code must give them.
 */
class RunCasesTest {
    static Stream<Path> cases() throws IOException {
        try (Stream<Path> s = Files.list(TestNetworks.root().resolve("src/compiler/src/test/resources/run"))) {
            return s.filter(p -> p.toString().endsWith(".nnet")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void interpreterAndGeneratedCodeGiveTheExpectedOutputs(Path file) throws IOException {
        String base = file.toString().substring(0, file.toString().length() - ".nnet".length());
        Graph g = Compiler.check(file).graphs().get(0);
        Map<String, Tensor> weights = nnet.runtime.io.Safetensors.read(Path.of(base + ".safetensors"));
        float[][] inputs = Csv.read(Path.of(base + ".in.csv")), expected = Csv.read(Path.of(base + ".expected.csv"));
        assertEquals(1, g.inputs().size(), "one input, a row per sample");
        assertEquals(1, g.outputs().size(), "one output, a row per sample");
        assertTrue(inputs.length > 0 && inputs.length == expected.length, "a row of expected outputs per row of inputs");
        Network net = TestNetworks.compile(g);
        net.loadWeights(weights);
        Interpreter interp = new Interpreter(g, Interpreter.toDouble(weights));
        Node in = g.inputs().get(0), out = g.outputs().get(0);
        for (int r = 0; r < inputs.length; r++) {
            double[] want = EmittedGradientTest.toDouble(expected[r]);
            TestNetworks.assertClose(want, net.forward(inputs[r])[0], "generated code, row " + (r + 1));
            double[] ref = interp.run(Map.of(in.name(), EmittedGradientTest.toDouble(inputs[r])))[out.id()];
            TestNetworks.assertClose(want, toFloat(ref), "interpreter, row " + (r + 1));
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
