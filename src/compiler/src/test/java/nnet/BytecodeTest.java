package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import nnet.emit.GeneratedNetwork;
import nnet.ir.Graph;
import nnet.ir.IrPrinter;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.FieldInsnNode;

/** What the generated classes look like: source file, line numbers, named locals, no allocation or interpretation in run(). */
class BytecodeTest {
    private static ClassNode classOf(String example) throws IOException {
        Graph g = Compiler.check(TestNetworks.root().resolve("examples").resolve(example)).graphs().get(0);
        GeneratedNetwork n = Compiler.compile(g);
        ClassNode c = new ClassNode();
        new ClassReader(n.classFile()).accept(c, 0);
        return c;
    }

    @Test
    void stackTracesPointAtTheNnetFile() throws IOException {
        ClassNode c = classOf("xor.nnet");
        assertEquals("xor.nnet", c.sourceFile);
        List<Integer> lines = new ArrayList<>();
        for (MethodNode m : c.methods)
            for (var insn : m.instructions) if (insn instanceof LineNumberNode l) lines.add(l.line);
        assertTrue(lines.contains(4) && lines.contains(5), "kernels carry the lines of h (4) and y (5): " + lines);
        MethodNode kernel = c.methods.stream().filter(m -> m.name.startsWith("k0$")).findFirst().orElseThrow();
        assertTrue(kernel.localVariables.stream().anyMatch(v -> v.name.equals("x")), "locals are named");
    }

    @Test
    void fixedWeightsAreFoldedAndKernelsNeverAllocate() throws IOException {
        ClassNode c = classOf("xor.nnet");
        assertFalse(c.fields.stream().anyMatch(f -> f.name.startsWith("p$")), "fixed weights need no fields: they are constants in the code");
        assertKernelsNeverAllocate(c);
    }

    /** The backward pass is straight loops too: no allocation, no calls but scalar functions and losses. */
    @Test
    void backwardKernelsNeverAllocate() throws IOException {
        for (String example : List.of("gated.nnet", "masked.nnet", "xor_train.nnet")) {
            ClassNode c = classOf(example);
            assertTrue(c.methods.stream().anyMatch(m -> m.name.equals("backward")), example + " has a backward pass");
            assertKernelsNeverAllocate(c);
        }
    }

    /**
     * The tiled train step of a sparse network: batched kernels (their plain forms, and the Vector API
     * forms in a class of their own) and the per-sample loss, never an allocation.
     */
    @Test
    void tiledTrainStepNeverAllocates() {
        Graph g = TestNetworks.graph("""
                network S {
                  input x[40]
                  h = dense(x, 30, relu, connect: random(0.2, seed: 1))
                  y = dense(h, 3, connect: random(0.5, seed: 2))
                  output y
                  loss cross_entropy
                }""");
        GeneratedNetwork n = Compiler.compile(g);
        ClassNode c = classNode(n.classFile());
        assertTrue(c.methods.stream().anyMatch(m -> m.name.equals("trainTile")));
        assertTrue(c.methods.stream().anyMatch(m -> m.name.startsWith("lanes")), "the loss, lane by lane");
        assertKernelsNeverAllocate(c);
        for (String suffix : List.of("$Vector", "$Vector16")) {
            ClassNode vector = classNode(n.helperClasses().get(n.className() + suffix));
            assertEquals(5, vector.methods.stream().filter(m -> m.name.matches("k\\d+\\$.*(linear|linear_t|weight_grad)")).count(),
                    "forward x 2, input gradient x 1, weight gradient x 2");
            assertTrue(vector.methods.stream().anyMatch(m -> m.name.matches("k\\d+\\$.*\\$rows0")), "elementwise loops too");
            assertVectorKernelsNeverAllocate(vector);
        }
    }

    /**
     * A dense layer's micro-kernels in each row of the shape table: 32 registers (AVX-512) 8 samples x
     * 2 vectors forward, 12 rows of the input gradient and 12 inputs of the weight gradient; 16 (AVX2)
     * 6 x 2, the tile's last 2 samples in a block of their own, 6 rows, 4 inputs; the last vectors one
     * at a time in both.
     */
    @Test
    void eachRegisterFileHasItsBlocking() {
        Graph g = TestNetworks.graph("""
                network D {
                  input x[40]
                  h = dense(x, 64, relu)
                  y = dense(h, 3)
                  output y
                  loss cross_entropy
                }""");
        java.util.function.Function<String, List<String>> methods = vectorMethods(Compiler.compile(g));
        assertTrue(methods.apply("$Vector").containsAll(List.of("forward12x2Fresh", "forward4x2Fresh", "inputGradient12x2", "inputGradient4x2", "weightGradient8x2w80")), methods.apply("$Vector").toString());
        assertTrue(methods.apply("$Vector16").containsAll(List.of("forward6x2Fresh", "forward4x2Fresh", "inputGradient6x2", "inputGradient4x2", "weightGradient4x2w80")), methods.apply("$Vector16").toString());
        // one sample's bias and relu over 64 units: a vector of units at a time, in both
        for (String suffix : List.of("$Vector", "$Vector16"))
            assertTrue(methods.apply(suffix).stream().anyMatch(name -> name.matches("s\\d+\\$.*\\$elements0")), methods.apply(suffix).toString());
    }

    /** An lstm with a dense head: its two kernels are read at every step, the head's once. */
    private static final String LSTM_WITH_HEAD = """
            network L {
              input seq[12, 5]
              h = lstm(seq, 7)
              y = dense(h, 2)
              output y
              loss cross_entropy
            }""";

    /**
     * A dense product read at every step of a loop (the lstm's recurrent kernel) or over 8 rows or more (its input
     * projection over 12 steps) reads its weights from panels, each class packing them by its own blocks; the
     * head's product over one row reads W's rows. (The tiled gradient tests check the numbers.)
     */
    @Test
    void productsReadManyTimesReadPackedPanels() {
        Graph g = TestNetworks.graph(LSTM_WITH_HEAD);
        java.util.function.Function<String, List<String>> methods = vectorMethods(Compiler.compile(g));
        for (String suffix : List.of("$Vector", "$Vector16")) {
            List<String> names = methods.apply(suffix);
            assertTrue(names.containsAll(List.of("pack$p$h$kernel", "pack$p$h$recurrent_kernel")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.matches("forward\\d+x2FreshPanel")) && names.stream().anyMatch(n -> n.matches("forward\\d+x2Fresh")),
                    "panels for the lstm, rows for the head: " + names);
        }
    }

    /**
     * An lstm's input and recurrent kernels' weight gradients read the same dz: both classes copy it sample-major once
     * for the two, in one driver that takes both gradients (its dz and copy, the runtime's flag, then each gradient and
     * x); the head's weight gradient has its own.
     */
    @Test
    void weightGradientsOfOneDzCopyItOnce() {
        Graph g = TestNetworks.graph(LSTM_WITH_HEAD);
        GeneratedNetwork n = Compiler.compile(g);
        for (String suffix : List.of("$Vector", "$Vector16")) {
            List<MethodNode> drivers = classNode(n.helperClasses().get(n.className() + suffix)).methods.stream().filter(m -> m.name.matches("k\\d+\\$.*weight_grad")).toList();
            assertEquals(2, drivers.size(), drivers.stream().map(m -> m.name).toList().toString());
            assertEquals(1, drivers.stream().filter(m -> m.desc.equals("([[F[FZ[[F[[F[[F[[F)V")).count(), drivers.stream().map(m -> m.name + m.desc).toList().toString());
        }
    }

    /**
     * Scratch that one form of the kernels reads is made only for a run of that form: a plain run has no panels and no
     * flat sample-major copy of dz, a run of the Vector API kernels no sample-major rows.
     */
    @Test
    void eachFormOfTheKernelsMakesOnlyItsOwnScratch() throws ReflectiveOperationException {
        Graph g = TestNetworks.graph(LSTM_WITH_HEAD);
        for (TestNetworks.Kernels kernels : TestNetworks.Kernels.values()) {
            nnet.runtime.Network net = TestNetworks.compile(g, kernels);
            boolean vector = kernels != TestNetworks.Kernels.PLAIN;
            int seen = 0;
            for (java.lang.reflect.Field f : net.getClass().getDeclaredFields()) {
                boolean vectorOnly = f.getName().endsWith("$panels") || f.getName().endsWith("$flatSampleMajor"), plainOnly = f.getName().endsWith("$sampleMajor");
                if (!vectorOnly && !plainOnly) continue;
                f.setAccessible(true);
                assertEquals(vector == vectorOnly, f.get(net) != null, kernels + ": " + f.getName());
                seen++;
            }
            assertEquals(8, seen, "panels of the lstm's two kernels, both copies for them and the head"); // 2 + 3 + 3
        }
    }

    /**
     * A masked lstm's four gates of a unit read the same inputs: both classes take their forward sums, their
     * input gradients (scattered by unit), and their weight gradients over the steps, two units at a time (each input loaded once for both), the
     * widest block of connections the register file holds, then half of it and 1 for a unit's last
     * (band(3): 7 connections, or 4 to 6 at the edges); units without a twin have their own kernels.
     */
    @Test
    void unitsOfTheSameInputsSumTheirWeightGradientsInPairs() {
        Graph g = TestNetworks.graph("""
                network P {
                  input seq[6, 12]
                  h = lstm(seq, 8, connect: blocks(2), recurrent: band(3))
                  y = dense(h, 2)
                  output y
                  loss cross_entropy
                }""");
        java.util.function.Function<String, List<String>> methods = vectorMethods(Compiler.compile(g));
        assertTrue(methods.apply("$Vector").containsAll(List.of("sparseWeightGradientSteps2x4x2", "sparseWeightGradientSteps2x2x2", "sparseWeightGradientSteps2x1x2",
                "sparseWeightGradientSteps1x8x2", "gatherPairByUnit2Fresh", "scatterPairByUnit2", "scatterByUnit2")), methods.apply("$Vector").toString());
        assertTrue(methods.apply("$Vector16").containsAll(List.of("sparseWeightGradientSteps2x2x2", "sparseWeightGradientSteps2x1x2", "sparseWeightGradientSteps1x4x2", "gatherPairByUnit4Fresh", "scatterPairByUnit4")),
                methods.apply("$Vector16").toString());
    }

    /** A convolutional network's tiled train step likewise: convolutions, pools and their gradients, plain and Vector API forms. */
    @Test
    void tiledConvolutionsNeverAllocate() {
        Graph g = TestNetworks.graph("""
                network C {
                  input img[2, 8, 8]
                  c = conv2d(img, 4, 3, relu, pad: same, connect: mask [[1, 1, 0, 1], [0, 1, 1, 1]])
                  g = conv2d(img, 4, 3, sigmoid, pad: same, stride: [1, 1])
                  on, off = gate(c, g)
                  m = maxpool(on + off, 2, stride: 1)
                  a = avgpool(m, 3)
                  y = dense(flatten(a), 3)
                  output y
                  loss cross_entropy
                }""");
        GeneratedNetwork n = Compiler.compile(g);
        assertKernelsNeverAllocate(classNode(n.classFile()));
        for (String suffix : List.of("$Vector", "$Vector16")) { // the register blocking of 32 registers and of 16
            ClassNode vector = classNode(n.helperClasses().get(n.className() + suffix));
            for (String micro : List.of("convProduct", "convKernelGradient", "maxPoolGradient", "sampleProduct", "sampleKernelGradient"))
                assertTrue(vector.methods.stream().anyMatch(m -> m.name.startsWith(micro)), micro);
            assertVectorKernelsNeverAllocate(vector);
        }
    }

    /**
     * The launchers' JIT options ({@link nnet.runtime.Vectors#JIT_OPTIONS}) name methods by pattern: they must
     * reach every kernel called once a step (the tile methods, the sequences, the vector class's drivers and
     * elementwise loops, {@code k<n>$...}) and no micro-kernel (another method of the vector class its own methods call), which
     * compiled that early could stay boxed for the life of the process; and every tile method is kept out of the
     * train step's and the forward pass's compiles (whose inlining cutoffs left a micro-kernel's multiply boxed).
     */
    @Test
    void jitOptionsReachTheDriversAndNoMicroKernel() {
        List<String> patterns = nnet.runtime.Vectors.JIT_OPTIONS.stream().filter(o -> o.contains("CompileThresholdScaling"))
                .map(o -> o.substring(o.indexOf("::") + 2, o.lastIndexOf(','))).toList();
        java.util.function.Predicate<String> scaled = name -> patterns.stream().anyMatch(p -> p.startsWith("*") ? name.endsWith(p.substring(1)) : name.startsWith(p.substring(0, p.length() - 1)));
        List<String> notInlined = nnet.runtime.Vectors.JIT_OPTIONS.stream().filter(o -> o.contains("dontinline,"))
                .map(o -> o.substring(o.indexOf("::") + 2)).toList();
        java.util.function.Predicate<String> keptOut = name -> notInlined.stream().anyMatch(p -> name.startsWith(p.substring(0, p.length() - 1)));
        Graph g = TestNetworks.graph("""
                network J {
                  input img[2, 8, 8]
                  c = conv2d(img, 4, 3, relu, pad: same)
                  m = maxpool(c, 2)
                  h = dense(flatten(m), 30, relu, connect: random(0.3, seed: 1))
                  y = dense(h, 3)
                  output y
                  loss cross_entropy
                }""");
        GeneratedNetwork n = Compiler.compile(g);
        ClassNode network = classNode(n.classFile());
        for (String name : List.of("forwardTile", "trainTile")) assertTrue(scaled.test(name), name);
        List<String> tiles = network.methods.stream().map(m -> m.name).filter(name -> name.matches("tile\\d+\\$.*")).toList();
        assertFalse(tiles.isEmpty());
        for (String name : tiles) assertTrue(scaled.test(name) && keptOut.test(name), name);
        for (String name : List.of("forwardTile", "trainTile")) assertFalse(keptOut.test(name), name);
        for (String suffix : List.of("$Vector", "$Vector16")) {
            ClassNode vector = classNode(n.helperClasses().get(n.className() + suffix));
            java.util.Set<String> micro = new java.util.TreeSet<>();
            for (MethodNode m : vector.methods)
                for (var insn : m.instructions)
                    if (insn instanceof MethodInsnNode call && call.owner.equals(vector.name) && !call.name.matches("k\\d+\\$.*")) micro.add(call.name); // a driver's row loops are its own
            assertTrue(micro.size() > 5, micro.toString());
            for (String name : micro) assertFalse(scaled.test(name), "micro-kernel " + name + " is matched by " + patterns);
            List<String> drivers = vector.methods.stream().map(m -> m.name).filter(name -> name.matches("k\\d+\\$.*")).toList();
            assertFalse(drivers.isEmpty());
            for (String name : drivers) assertTrue(scaled.test(name), name);
        }
    }

    /** The names of the methods of a network's vector class with the given suffix ({@code $Vector}, {@code $Vector16}). */
    private static java.util.function.Function<String, List<String>> vectorMethods(GeneratedNetwork n) {
        return suffix -> classNode(n.helperClasses().get(n.className() + suffix)).methods.stream().map(m -> m.name).toList();
    }

    /** The Vector API class: no allocation, no call but the Vector API's, its own, Math's, Arrays' and System.arraycopy. */
    private static void assertVectorKernelsNeverAllocate(ClassNode vector) {
        for (MethodNode m : vector.methods) {
            if (m.name.equals("<clinit>")) continue;
            for (var insn : m.instructions) {
                int op = insn.getOpcode();
                assertFalse(op == org.objectweb.asm.Opcodes.NEWARRAY || op == org.objectweb.asm.Opcodes.NEW || op == org.objectweb.asm.Opcodes.ANEWARRAY, m.name + " allocates");
                if (insn instanceof MethodInsnNode call)
                    assertTrue(call.owner.startsWith("jdk/incubator/vector/") || call.owner.equals(vector.name) || call.owner.equals("java/lang/Math") || call.owner.equals("java/util/Arrays")
                            || call.owner.equals("java/lang/System") && call.name.equals("arraycopy"),
                            m.name + " calls " + call.owner + "." + call.name);
            }
        }
    }

    private static ClassNode classNode(byte[] bytes) {
        ClassNode c = new ClassNode();
        new ClassReader(bytes).accept(c, 0);
        return c;
    }

    /** What kernels may call besides their own class and its Vector API kernels: scalar functions, the activation and loss tables, and the JDK's array helpers. */
    private static final List<String> KERNEL_CALLS = List.of("nnet/runtime/math/Fn", "nnet/runtime/math/Activation", "nnet/runtime/math/LossFunction",
            "java/lang/Math", "java/util/Arrays", "java/lang/System");

    private static void assertKernelsNeverAllocate(ClassNode c) {
        for (MethodNode m : c.methods) {
            if (!List.of("k", "run", "backward", "inputBackward", "tile", "trainTile", "forwardTile", "lanes").stream().anyMatch(m.name::startsWith)) continue;
            for (var insn : m.instructions) {
                int op = insn.getOpcode();
                assertFalse(op == org.objectweb.asm.Opcodes.NEWARRAY || op == org.objectweb.asm.Opcodes.NEW || op == org.objectweb.asm.Opcodes.ANEWARRAY,
                        m.name + " allocates");
                if (insn instanceof MethodInsnNode call)
                    assertTrue(KERNEL_CALLS.contains(call.owner) || call.owner.equals(c.name) || call.owner.equals(c.name + "$Vector") || call.owner.equals(c.name + "$Vector16"),
                            m.name + " calls " + call.owner + "." + call.name);
                assertFalse(insn instanceof FieldInsnNode f && f.owner.equals("nnet/runtime/CompiledNetwork"), "no graph bookkeeping in kernels");
            }
        }
    }

    @Test
    void irPrinterShowsParamsNodesAndLines() throws IOException {
        Graph g = Compiler.check(TestNetworks.root().resolve("examples/masked.nnet")).graphs().get(0);
        String ir = IrPrinter.print(g);
        assertTrue(ir.contains("param h.kernel [2, 2] connections 3/4"), ir);
        assertTrue(ir.contains("= linear(%0) h.kernel : [2]  // line 4"), ir);
        assertTrue(ir.contains("loss h: mse"), ir);
    }
}
