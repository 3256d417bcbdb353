package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Training through generated code: convergence, and the structure guarantees of LANGUAGE.md §4 and §6 under optimizers. */
class TrainingTest {
    static final float[][][] XOR_X = {{{0, 0}}, {{0, 1}}, {{1, 0}}, {{1, 1}}};
    static final float[][] XOR_Y = {{0}, {1}, {1}, {0}};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void xorFromRandomStartReachesFullAccuracy(long seed) throws IOException {
        Graph g = graphOf("xor_train.nnet");
        Network net = TestNetworks.compile(g);
        net.loadWeights(InitialWeights.of(g, seed));
        float first = net.trainStep(XOR_X, XOR_Y), last = first;
        for (int epoch = 1; epoch < g.train().epochs(); epoch++) last = net.trainStep(XOR_X, XOR_Y);
        assertTrue(last < first / 20, "loss " + first + " -> " + last);
        for (int s = 0; s < 4; s++) assertEquals(XOR_Y[s][0], Math.round(net.forward(XOR_X[s])[0][0]), "XOR of sample " + s);
    }

    @Test
    void maskedFrozenAndFixedEntriesNeverMoveUnderAdamW() {
        Graph g = TestNetworks.graph("""
                network S {
                  input x[3]
                  a = dense(x, 3, tanh, connect: mask [[1, 0, 1], [0, 1, 0], [1, 1, 0]], freeze: mask [[1, 0, 0], [0, 0, 0], [0, 1, 0]])
                  d = dense(a, 3, freeze: mask [[0, 1, 0], [0, 0, 0], [1, 0, 0]], bias: mask [1, 0, 1])
                  b = dense(d, 2, weights: fixed [[1, 2], [3, 4], [5, 6]], bias: fixed [0.5, -0.5])
                  output b
                  loss mse
                }""");
        Network net = TestNetworks.compile(g);
        Map<String, Tensor> start = TestNetworks.randomWeights(g, 11);
        net.loadWeights(start);
        start = net.saveWeights(); // as stored: absent entries 0
        net.setOptimizer(Optimizer.of("adamw", Map.of("lr", 0.05, "weight_decay", 0.1)));
        SplittableRandom rnd = new SplittableRandom(3);
        for (int step = 0; step < 100; step++) {
            float[][][] x = new float[4][1][3];
            float[][] t = new float[4][2];
            for (int s = 0; s < 4; s++) {
                for (int i = 0; i < 3; i++) x[s][0][i] = (float) rnd.nextDouble(-1, 1);
                for (int j = 0; j < 2; j++) t[s][j] = (float) rnd.nextDouble(-1, 1);
            }
            net.trainStep(x, t);
            Map<String, Tensor> grads = net.gradients();
            assertHeld(grads.get("a.kernel"), new int[] {1, 3, 5, 8}, 0f, "gradient at absent entries of a");
            assertHeld(grads.get("a.kernel"), new int[] {0, 7}, 0f, "gradient at frozen entries of a");
            assertHeld(grads.get("d.kernel"), new int[] {1, 6}, 0f, "gradient at frozen entries of d");
            assertHeld(grads.get("d.bias"), new int[] {1}, 0f, "gradient at the absent bias entry of d");
            assertTrue(!grads.containsKey("b.kernel") && !grads.containsKey("b.bias"), "fixed weights have no gradient");
        }
        Map<String, Tensor> end = net.saveWeights();
        float[] a0 = start.get("a.kernel").data(), a1 = end.get("a.kernel").data();
        for (int k : new int[] {1, 3, 5, 8}) assertEquals(0f, a1[k], "absent entry " + k + " of a stays 0");
        for (int k : new int[] {0, 7}) assertEquals(a0[k], a1[k], "frozen entry " + k + " of a keeps its value");
        for (int k : new int[] {2, 4, 6}) assertNotEquals(a0[k], a1[k], "trainable entry " + k + " of a moved");
        float[] d0 = start.get("d.kernel").data(), d1 = end.get("d.kernel").data();
        for (int k : new int[] {1, 6}) assertEquals(d0[k], d1[k], "frozen entry " + k + " of d keeps its value");
        assertNotEquals(d0[0], d1[0], "a trainable entry of d moved");
        assertEquals(0f, end.get("d.bias").data()[1], "the absent bias entry stays 0");
        assertEquals(List.of(1f, 2f, 3f, 4f, 5f, 6f), boxed(end.get("b.kernel").data()), "fixed weights are written unchanged");
    }

    private static void assertHeld(Tensor t, int[] at, float value, String what) {
        for (int k : at) assertEquals(value, t.data()[k], what + " [" + k + "]");
    }

    private static List<Float> boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i];
        return List.of(b);
    }

    @Test
    void sgdStepIsLearningRateTimesGradient() {
        Graph g = TestNetworks.graph("network L {\n input x[3]\n y = dense(x, 2)\n output y\n loss mse\n}");
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, 5));
        float[][][] x = {{{1, -2, 0.5f}}};
        float[][] t = {{0.25f, -1}};
        net.computeGradients(x, t);
        Map<String, Tensor> before = net.saveWeights(), grad = net.gradients();
        net.setOptimizer(Optimizer.of("sgd", Map.of("lr", 0.1)));
        net.trainStep(x, t);
        Map<String, Tensor> after = net.saveWeights();
        for (String w : List.of("y.kernel", "y.bias"))
            for (int k = 0; k < grad.get(w).data().length; k++)
                assertEquals(before.get(w).data()[k] - 0.1f * grad.get(w).data()[k], after.get(w).data()[k], 1e-6, w + "[" + k + "]");
        // a schedule sets the rate between steps: the next step is the new rate times the gradient, from the weights as they are
        Optimizer sgd = Optimizer.of("sgd", Map.of("lr", 0.1));
        net.setOptimizer(sgd);
        net.computeGradients(x, t);
        Map<String, Tensor> before2 = net.saveWeights(), grad2 = net.gradients();
        sgd.learningRate(0.025);
        assertEquals(0.025, sgd.learningRate());
        net.trainStep(x, t);
        Map<String, Tensor> after2 = net.saveWeights();
        for (String w : List.of("y.kernel", "y.bias"))
            for (int k = 0; k < grad2.get(w).data().length; k++)
                assertEquals(before2.get(w).data()[k] - 0.025f * grad2.get(w).data()[k], after2.get(w).data()[k], 1e-6, w + "[" + k + "]");
    }

    /** Every example with a loss trains: 60 Adam steps on 8 random samples (memorisable) lower the loss by a fifth at least. */
    @Test
    void everyExampleWithALossTrains() throws IOException {
        int trained = 0;
        try (Stream<Path> files = Files.list(TestNetworks.root().resolve("examples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".nnet")).sorted().toList()) {
                for (Graph g : Compiler.check(f).graphs()) {
                    if (!g.hasLoss()) continue;
                    assertTrains(g, f.getFileName().toString());
                    trained++;
                }
            }
        }
        assertTrue(trained >= 6, "examples trained: " + trained);
    }

    private static void assertTrains(Graph g, String file) {
        Network net = TestNetworks.compile(g);
        net.loadWeights(InitialWeights.of(g, 1));
        net.setOptimizer(Optimizer.of("adam", Map.of("lr", 0.01)));
        SplittableRandom rnd = new SplittableRandom(9);
        int batch = 8;
        float[][][] x = new float[batch][g.inputs().size()][];
        float[][] t = new float[batch][];
        for (int s = 0; s < batch; s++) {
            for (int k = 0; k < g.inputs().size(); k++) {
                x[s][k] = new float[g.inputs().get(k).shape().size()];
                for (int i = 0; i < x[s][k].length; i++) x[s][k][i] = (float) rnd.nextDouble(-1, 1);
            }
            t[s] = Network.Loss.sampleTarget(net.losses(), rnd); // labels, for binary_cross_entropy: learnable to ~0
        }
        float first = net.trainStep(x, t), last = first;
        for (int step = 0; step < 60; step++) last = net.trainStep(x, t);
        assertTrue(last < 0.8 * first, file + ": loss " + first + " -> " + last);
    }

    static Graph graphOf(String example) throws IOException {
        return Compiler.check(TestNetworks.root().resolve("examples").resolve(example)).graphs().get(0);
    }

    /**
     * The gated CNN of LANGUAGE.md §5 (examples/gated_cnn.nnet) learns to tell three synthetic shapes
     * apart (a horizontal bar, a vertical bar, a diagonal, at random places, with noise): held-out
     * accuracy far above the 1/3 of chance.
     */
    @Test
    void gatedCnnLearnsSyntheticShapes() throws IOException {
        Graph g = graphOf("gated_cnn.nnet");
        Network net = TestNetworks.compile(g);
        net.loadWeights(InitialWeights.of(g, 1));
        net.setOptimizer(Optimizer.of("adam", Map.of("lr", 0.003)));
        SplittableRandom rnd = new SplittableRandom(5);
        int batch = 16;
        for (int step = 0; step < 100; step++) {
            float[][][] x = new float[batch][][];
            float[][] t = new float[batch][];
            for (int s = 0; s < batch; s++) {
                int label = rnd.nextInt(3);
                x[s] = new float[][] {shape(label, rnd)};
                t[s] = new float[10];
                t[s][label] = 1;
            }
            net.trainStep(x, t);
        }
        int right = 0, n = 90;
        for (int s = 0; s < n; s++) {
            int label = s % 3;
            float[] y = net.forward(shape(label, rnd))[0];
            int best = 0;
            for (int j = 1; j < 10; j++) if (y[j] > y[best]) best = j;
            if (best == label) right++;
        }
        assertTrue(right >= 0.8 * n, "held-out accuracy " + right + " / " + n + " (chance: 1/3)");
    }

    /** A 28 x 28 image with noise and one bar: 0 horizontal, 1 vertical, 2 diagonal, placed at random. */
    private static float[] shape(int label, SplittableRandom rnd) {
        float[] img = new float[28 * 28];
        for (int k = 0; k < img.length; k++) img[k] = (float) rnd.nextDouble(0, 0.3);
        int at = 6 + rnd.nextInt(16), from = 4 + rnd.nextInt(6);
        for (int k = from; k < from + 14; k++) {
            int y = switch (label) {
                case 0 -> at;
                case 1 -> k;
                default -> k;
            };
            int x = switch (label) {
                case 0 -> k;
                case 1 -> at;
                default -> Math.max(0, Math.min(27, k + at - 12));
            };
            img[y * 28 + x] = 1;
        }
        return img;
    }

    private static void assertSameGradients(Network one, float lossOne, Network three, float lossThree, String when) {
        assertEquals(lossOne, lossThree, 1e-5 * Math.abs(lossOne), when + ": loss");
        for (var e : one.gradients().entrySet()) {
            TestNetworks.assertClose(EmittedGradientTest.toDouble(e.getValue().data()), three.gradients().get(e.getKey()).data(), when + ": " + e.getKey());
        }
    }

    /** Networks whose warmed train step must allocate nothing: dense and sparse layers; convolutions, a gate, pools; an lstm's loops; a large dense one. */
    static final List<String> ALLOCATION_FREE = List.of(
            "network A {\n input x[256]\n h = dense(x, 256, relu)\n s = dense(h, 128, relu, connect: random(0.1))\n y = dense(s, 10)\n output y\n loss cross_entropy\n}",
            """
            network C {
              input x[2, 12, 12]
              c = conv2d(x, 8, 3, relu, pad: same, connect: random(0.7))
              g = conv2d(x, 8, 3, sigmoid, pad: same)
              on, off = gate(c, g)
              m = maxpool(on, 2) + avgpool(off, 2)
              d = conv2d(m, 6, [2, 3], tanh, stride: [2, 1])
              y = dense(flatten(d), 10)
              output y
              loss cross_entropy
            }""",
            "network L {\n input x[20, 16]\n h = lstm(x, 32, recurrent: band(4))\n y = dense(h, 10)\n output y\n loss cross_entropy\n}",
            // 2^18 weights and more: a sample's passes over the weights are shared among the cores too
            "network W {\n input x[600]\n h = dense(x, 448, relu)\n y = dense(h, 10)\n output y\n loss cross_entropy\n}");

    /** A staged train step (batchnorm, with dropout): batches of 64 (two tiles over two cores) and 3 (single samples), never of 1. */
    static final String STAGED = "network B {\n input x[256]\n z = dense(x, 128)\n h = dropout(relu(batchnorm(z)), 0.3)\n y = dense(h, 10)\n output y\n loss cross_entropy\n}";

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> allocationCases() {
        java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> plain = ALLOCATION_FREE.stream().flatMap(source -> java.util.Arrays.stream(TestNetworks.Kernels.values())
                .flatMap(k -> java.util.stream.Stream.of(64, 1).map(batch -> org.junit.jupiter.params.provider.Arguments.of(source.substring(8, source.indexOf(' ', 8)), source, k, batch))));
        return java.util.stream.Stream.concat(plain, java.util.Arrays.stream(TestNetworks.Kernels.values())
                .flatMap(k -> java.util.stream.Stream.of(64, 3).map(batch -> org.junit.jupiter.params.provider.Arguments.of("B", STAGED, k, batch))));
    }

    /**
     * Once warm, a train step (a batch of 64 split over two cores, the optimizer's step shared too;
     * or one sample) allocates nothing on any thread it runs on, with either kind of kernels.
     */
    @ParameterizedTest(name = "{0} {2} batch {3}")
    @org.junit.jupiter.params.provider.MethodSource("allocationCases")
    void aWarmedTrainStepAllocatesNothing(String name, String source, TestNetworks.Kernels kernels, int batch) throws Exception {
        Graph g = TestNetworks.graph(source);
        String before = System.getProperty("nnet.threads");
        System.setProperty("nnet.threads", "2");
        try {
            TestNetworks.TrainingBatch b = TestNetworks.trainingBatch(g, kernels, batch);
            Network net = b.net();
            float[][][] x = b.inputs();
            float[][] t = b.targets();
            // a thread of its own, as a user's program trains (the test runner's thread does bookkeeping of its own)
            long[] result = new long[2];
            Thread trainer = new Thread(() -> {
                long[] threads = null;
                long allocated = -1;
                // warm until the JIT has compiled every kernel (the Vector API's boxes vanish then): windows of 3200 samples, for at most a minute
                int steps = 50 * 64 / batch;
                for (long end = System.nanoTime() + 60_000_000_000L; allocated != 0 && System.nanoTime() < end; ) {
                    for (int step = 0; step < steps; step++) net.trainStep(x, t);
                    if (threads == null) threads = TestNetworks.trainThreads(g);
                    long start = allocatedBytes(threads), empty = allocatedBytes(threads) - start; // what reading the counters allocates itself
                    start = allocatedBytes(threads);
                    for (int step = 0; step < steps; step++) net.trainStep(x, t);
                    allocated = allocatedBytes(threads) - start - empty;
                }
                result[0] = threads.length;
                result[1] = allocated;
            }, "trainer");
            trainer.start();
            trainer.join();
            assertTrue((batch < 4 && !name.equals("W")) || result[0] >= 2, "the batch, or at batch 1 the passes over the weights, shared by two cores");
            assertEquals(0, result[1], "bytes allocated by warm train steps (3200 samples)");
        } finally {
            if (before == null) System.clearProperty("nnet.threads");
            else System.setProperty("nnet.threads", before);
        }
    }

    /** Bytes the threads have allocated so far (reading another thread's counter allocates a little on this one: see the caller). */
    private static long allocatedBytes(long[] threads) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : threads) sum += bean.getThreadAllocatedBytes(id);
        return sum;
    }

    /**
     * One sample of a network of 2^18 weights or more: its gradient's zeroing and the optimizer's update are
     * shared among the cores (no replica), and the gradients and the step are those of one core, step after step.
     */
    @Test
    void aSampleAloneSharesTheWeightPassesAmongTheCores() {
        Graph g = TestNetworks.graph("network Q {\n input x[600]\n h = dense(x, 448, relu)\n y = dense(h, 4)\n output y\n loss cross_entropy\n}");
        SplittableRandom rnd = new SplittableRandom(9);
        float[][][] x = new float[1][1][600];
        for (int i = 0; i < 600; i++) x[0][0][i] = (float) rnd.nextDouble(-1, 1);
        float[][] t = {{0, 0, 1, 0}};
        Map<String, Tensor> w = TestNetworks.randomWeights(g, 3);
        Network one = withThreads(g, w, 1), two = withThreads(g, w, 2);
        for (int step = 0; step < 3; step++) {
            assertSameGradients(one, one.trainStep(x, t), two, two.trainStep(x, t), "step " + step);
            for (var e : one.saveWeights().entrySet())
                TestNetworks.assertClose(EmittedGradientTest.toDouble(e.getValue().data()), two.saveWeights().get(e.getKey()).data(), "step " + step + ": " + e.getKey());
        }
        assertEquals(2, TestNetworks.trainThreads(g).length, "this thread and the one that shares the passes over the weights");
    }

    /** The network of {@code g} made with {@code -Dnnet.threads=threads} (which it reads once, as it is made), {@code w} loaded. */
    private static Network withThreads(Graph g, Map<String, Tensor> w, int threads) {
        return withProperties(g, w, Map.of("nnet.threads", Integer.toString(threads)));
    }

    /** The network of {@code g} made with these system properties set (it reads them once, as it is made), {@code w} loaded. */
    private static Network withProperties(Graph g, Map<String, Tensor> w, Map<String, String> properties) {
        Map<String, String> before = new java.util.HashMap<>();
        properties.keySet().forEach(k -> before.put(k, System.getProperty(k)));
        try {
            properties.forEach(System::setProperty);
            Network net = TestNetworks.compile(g);
            net.loadWeights(w);
            return net;
        } finally {
            before.forEach((k, v) -> {
                if (v == null) System.clearProperty(k);
                else System.setProperty(k, v);
            });
        }
    }

    /** A batch of one input of {@code inputs} values in [-1, 1) per sample, and a random class per row of {@code targets} (zeros). */
    private static float[][][] randomBatch(SplittableRandom rnd, int inputs, float[][] targets) {
        float[][][] x = new float[targets.length][1][inputs];
        for (int s = 0; s < targets.length; s++) {
            for (int i = 0; i < inputs; i++) x[s][0][i] = (float) rnd.nextDouble(-1, 1);
            targets[s][rnd.nextInt(targets[s].length)] = 1;
        }
        return x;
    }

    /**
     * A split batch's rounds run one after another on the calling thread ({@code -Dnnet.rounds=caller}, which
     * the train steps choose where threads are slower) give the weights the same rounds give on threads, to the bit.
     */
    @Test
    void roundsOnTheCallerGiveTheWeightsOfTheThreads() {
        Graph g = TestNetworks.graph("network R {\n input x[256]\n h = dense(x, 256, relu)\n y = dense(h, 4)\n output y\n loss cross_entropy\n}");
        float[][] t = new float[64][4];
        float[][][] x = randomBatch(new SplittableRandom(10), 256, t);
        Map<String, Tensor> w = TestNetworks.randomWeights(g, 4);
        Network threads = withProperties(g, w, Map.of("nnet.threads", "2", "nnet.rounds", "threads"));
        Network caller = withProperties(g, w, Map.of("nnet.threads", "2", "nnet.rounds", "caller"));
        Network one = withThreads(g, w, 1);
        for (int step = 0; step < 3; step++) {
            assertEquals(threads.trainStep(x, t), caller.trainStep(x, t), "step " + step + "'s loss");
            one.trainStep(x, t);
            for (var e : threads.saveWeights().entrySet())
                assertArrayEquals(e.getValue().data(), caller.saveWeights().get(e.getKey()).data(), "step " + step + ": " + e.getKey());
        }
        // the batch was split: one core's sums round otherwise
        assertFalse(java.util.Arrays.equals(one.saveWeights().get("h.kernel").data(), caller.saveWeights().get("h.kernel").data()));
    }

    /**
     * A split batch's train step sums the replicas' gradients in the optimizer's pass over the weights: the weights
     * and the gradient it leaves are, to the bit, those of the same gradient summed first and then stepped
     * (frozen entries and Adam's state included), and frozen entries' gradients are 0 after either.
     */
    @Test
    void aSplitStepSumsInTheOptimizersPassAsASumThenAStepWould() {
        Graph g = TestNetworks.graph("network F {\n input x[300]\n h = dense(x, 300, relu, freeze: band(1))\n y = dense(h, 4)\n output y\n loss cross_entropy\n}");
        float[][] t = new float[64][4];
        float[][][] x = randomBatch(new SplittableRandom(12), 300, t);
        Map<String, Tensor> w = TestNetworks.randomWeights(g, 5);
        Network fused = withThreads(g, w, 2), apart = withThreads(g, w, 2);
        fused.setOptimizer(Optimizer.of("adam", Map.of("lr", 0.01)));
        apart.setOptimizer(Optimizer.of("adam", Map.of("lr", 0.01)));
        for (int step = 0; step < 3; step++) {
            float loss = fused.trainStep(x, t);
            assertEquals(apart.computeGradients(x, t), loss, "step " + step + "'s loss");
            float[] sums = apart.gradientSums();
            for (var e : apart.gradients().entrySet())
                assertArrayEquals(e.getValue().data(), fused.gradients().get(e.getKey()).data(), "step " + step + "'s gradient of " + e.getKey());
            apart.applyGradients(sums, x.length);
            for (var e : apart.saveWeights().entrySet())
                assertArrayEquals(e.getValue().data(), fused.saveWeights().get(e.getKey()).data(), "step " + step + ": " + e.getKey());
        }
        float[] frozen = fused.gradients().get("h.kernel").data();
        for (int i = 0; i < 300; i++) assertEquals(0f, frozen[i * 300 + i], "a frozen entry's gradient");
        Network one = withThreads(g, w, 1);
        one.setOptimizer(Optimizer.of("adam", Map.of("lr", 0.01)));
        for (int step = 0; step < 3; step++) one.trainStep(x, t);
        assertFalse(java.util.Arrays.equals(one.saveWeights().get("h.kernel").data(), fused.saveWeights().get("h.kernel").data()), "the batch was split");
    }

    /** A large batch is split over cores (replicas sharing the weights); the gradient is the same sum. */
    @Test
    void batchSplitOverCoresGivesTheSameGradient() {
        Graph g = TestNetworks.graph("network P {\n input x[256]\n h = dense(x, 256, relu, connect: random(0.5))\n y = dense(h, 4)\n output y\n loss cross_entropy\n}");
        float[][] t = new float[32][4];
        float[][][] x = randomBatch(new SplittableRandom(8), 256, t);
        Map<String, Tensor> w = TestNetworks.randomWeights(g, 2);
        Network one = withThreads(g, w, 1), three = withThreads(g, w, 3);
        float lossOne = one.computeGradients(x, t), lossThree = three.computeGradients(x, t);
        assertSameGradients(one, lossOne, three, lossThree, "first step");
        // the optimizer moves the shared weights once, and every replica computes with the moved weights
        one.trainStep(x, t);
        three.trainStep(x, t);
        assertSameGradients(one, one.computeGradients(x, t), three, three.computeGradients(x, t), "after a step");
    }
}
