package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import nnet.emit.GeneratedNetwork;
import nnet.interp.Interpreter;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.ir.Node;
import nnet.ir.Param;
import nnet.pack.NetworkClassLoader;
import nnet.runtime.Network;
import nnet.runtime.Tensor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/** Shared by the tests: check sources, compile with verification, compare generated code with the interpreter. */
public final class TestNetworks {
    private TestNetworks() {}

    public static Path root() {
        return Path.of(System.getProperty("nnet.root", "."));
    }

    /** Checks a source that must be free of errors and returns its first network. */
    public static Graph graph(String source) {
        Compiler.Checked c = Compiler.check("test.nnet", source, root());
        if (!c.ok()) fail("unexpected diagnostics:\n" + c.diagnostics().stream().map(d -> d.format()).collect(Collectors.joining("\n")) + "\nin:\n" + source);
        return c.graphs().get(0);
    }

    /** Compiles, passes the class through ASM's verifier, and instantiates it. */
    public static Network compile(Graph g) {
        GeneratedNetwork n = Compiler.compile(g);
        verify(n);
        return new NetworkClassLoader().instantiate(n);
    }

    /**
     * Which kernels a tiled batch runs through: the Vector API's (the module is in the test JVM) with
     * the register blocking of 32 registers ({@code <Network>$Vector}) or of 16 ({@code $Vector16},
     * whichever this machine has), or the plain-Java fallback.
     */
    public enum Kernels {
        VECTOR, VECTOR_16, PLAIN
    }

    /**
     * Compiles and instantiates with the tile kernels chosen: the generated class reads
     * {@code -Dnnet.vector} and {@code -Dnnet.vector.registers} once, as it is initialised, so the
     * properties are set around that. Checks the class took the path asked for.
     */
    public static Network compile(Graph g, Kernels kernels) {
        GeneratedNetwork n = Compiler.compile(g);
        verify(n);
        Map<String, String> before = new HashMap<>();
        for (String key : List.of("nnet.vector", "nnet.vector.registers")) before.put(key, System.getProperty(key));
        System.setProperty("nnet.vector", Boolean.toString(kernels != Kernels.PLAIN));
        System.setProperty("nnet.vector.registers", kernels == Kernels.VECTOR_16 ? "16" : "32");
        try {
            Network net = new NetworkClassLoader().instantiate(n);
            boolean vector = kernels != Kernels.PLAIN && !n.helperClasses().isEmpty();
            assertEquals(vector, flag(net, "VECTOR"), "the tile kernels of " + n.className());
            assertEquals(vector && kernels == Kernels.VECTOR_16, flag(net, "NARROW"), "the register blocking of " + n.className());
            return net;
        } finally {
            before.forEach((key, value) -> {
                if (value == null) System.clearProperty(key);
                else System.setProperty(key, value);
            });
        }
    }

    /** Whether a generated network runs its tile contractions through the Vector API. */
    public static boolean vectorKernels(Network net) {
        return flag(net, "VECTOR");
    }

    private static boolean flag(Network net, String name) {
        try {
            java.lang.reflect.Field f = net.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.getBoolean(null);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** Every class of a generated network, its Vector API kernels too; and linked against the runtime ({@link nnet.emit.Linkage}). */
    public static void verify(GeneratedNetwork n) {
        for (byte[] c : n.classes().values()) verify(c);
        assertEquals(List.of(), nnet.emit.Linkage.problems(n.classes(), TestNetworks.class.getClassLoader()), "the classes of " + n.className() + " link against the runtime");
    }

    public static void verify(byte[] classFile) {
        StringWriter out = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(classFile), TestNetworks.class.getClassLoader(), false, new PrintWriter(out));
        assertEquals("", out.toString(), "CheckClassAdapter found problems");
    }

    /**
     * Random weights for every trainable param, scaled by fan-in so deep networks stay in range,
     * with garbage at absent connections: both the generated code and the interpreter must ignore it.
     */
    public static Map<String, Tensor> randomWeights(Graph g, long seed) {
        Map<String, Tensor> w = new LinkedHashMap<>(InitialWeights.of(g, seed));
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Param p : g.params()) {
            if (p.isFixed()) continue;
            float[] v = new float[p.shape().size()];
            double scale = p.shape().rank() == 2 ? Math.sqrt(3.0 / p.shape().dim(0)) : 1;
            boolean variance = p.role().equals("moving_variance"); // a variance is positive
            for (int k = 0; k < v.length; k++) v[k] = (float) (variance ? rnd.nextDouble(0.5, 1.5) : rnd.nextDouble(-1, 1) * scale);
            w.put(p.name(), new Tensor(p.shape().dims(), v));
        }
        return w;
    }

    /** A network with seeded weights and Adam, and a seeded batch for it: the allocation tests' train step. */
    public record TrainingBatch(Network net, float[][][] inputs, float[][] targets) {}

    /** {@code g} (one input, 10 classes) compiled with {@code kernels}, and a batch of random inputs and one-hot targets. */
    public static TrainingBatch trainingBatch(Graph g, Kernels kernels, int batch) {
        Network net = compile(g, kernels);
        net.loadWeights(randomWeights(g, 4));
        net.setOptimizer(nnet.runtime.Optimizer.of("adam", Map.of("lr", 0.001)));
        SplittableRandom rnd = new SplittableRandom(6);
        int n = g.inputs().get(0).shape().size();
        float[][][] x = new float[batch][1][n];
        float[][] t = new float[batch][10];
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < n; i++) x[s][0][i] = (float) rnd.nextDouble(-1, 1);
            t[s][rnd.nextInt(10)] = 1;
        }
        return new TrainingBatch(net, x, t);
    }

    /** The threads a train step of {@code g} runs on: the calling one and the network's workers ({@code nnet-train-<name>}). */
    public static long[] trainThreads(Graph g) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(th -> th == Thread.currentThread() || th.getName().startsWith("nnet-train-" + g.name())).mapToLong(Thread::getId).toArray();
    }

    /** Runs generated code and interpreter on random inputs; every named node must agree (the interpreter is the expected value). */
    public static void assertMatchesInterpreter(Graph g, long seed) {
        assertMatchesInterpreter(g, seed, Kernels.VECTOR);
    }

    public static void assertMatchesInterpreter(Graph g, long seed, Kernels kernels) {
        Network net = compile(g, kernels);
        Map<String, Tensor> w = randomWeights(g, seed);
        net.loadWeights(w);
        Interpreter interp = new Interpreter(g, Interpreter.toDouble(w));
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        for (int sample = 0; sample < 3; sample++) {
            float[][] in = new float[g.inputs().size()][];
            Map<String, double[]> inD = new HashMap<>();
            for (int k = 0; k < in.length; k++) {
                Node n = g.inputs().get(k);
                in[k] = randomInput(g, n, rnd);
                inD.put(n.name(), EmittedGradientTest.toDouble(in[k]));
            }
            float[][] outs = net.forward(in);
            double[][] ref = interp.run(inD);
            List<Node> outputs = g.outputs();
            for (int k = 0; k < outputs.size(); k++) assertClose(ref[outputs.get(k).id()], outs[k], "output " + outputs.get(k).label());
            for (var e : g.named().entrySet()) assertClose(ref[e.getValue().id()], net.activation(e.getKey()), "node " + e.getKey());
        }
    }

    /**
     * Random values for an input of {@code g}: uniform in [-2, 2), or for token ids ({@code input x[4] int})
     * whole numbers below the smallest vocabulary of the embeddings that read them.
     */
    public static float[] randomInput(Graph g, Node input, SplittableRandom rnd) {
        float[] x = new float[input.shape().size()];
        int vocabulary = g.nodes().stream().filter(n -> n.op() == nnet.ir.Op.EMBEDDING && n.input(0) == input).mapToInt(n -> n.param().shape().dim(0)).min().orElse(0);
        for (int i = 0; i < x.length; i++) x[i] = input.integers() ? rnd.nextInt(vocabulary) : (float) rnd.nextDouble(-2, 2);
        return x;
    }

    /** Whether a network computes differently while training (dropout, batchnorm): its gradient checks then run a batch. */
    public static boolean trainsDifferently(Graph g) {
        return g.nodes().stream().anyMatch(n -> nnet.ir.Op.TRAINING_MODE.contains(n.op()));
    }

    /** Whether samples of a batch depend on each other while training (batchnorm): one sample's input gradient needs a batch. */
    public static boolean batchCoupled(Graph g) {
        return g.nodes().stream().anyMatch(n -> nnet.ir.Op.BATCH_COUPLED.contains(n.op()));
    }

    /** The name a node is readable by. */
    public static String nameOf(Graph g, Node n) {
        if (n.name() != null) return n.name();
        return g.named().entrySet().stream().filter(e -> e.getValue() == n).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    public static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * Math.max(1, Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= tol))
                fail(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
        assertTrue(expected.length > 0);
    }
}
