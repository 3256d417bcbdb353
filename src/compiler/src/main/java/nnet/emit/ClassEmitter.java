package nnet.emit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.lower.Program;
import nnet.runtime.CompactKernel;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.GeneratedCode;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Writes a {@link Program} as a class extending {@link CompiledNetwork}: a field per buffer and
 * weight array, a constructor that allocates and registers them, and {@code run()} calling one
 * private method per kernel, in order. Kernels become straight loops over float arrays
 * ({@link SampleKernels}); nothing is interpreted or allocated at run time.
 */
public final class ClassEmitter {
    public static final String PACKAGE = "nnet.generated";
    /** Constructor steps and kernel calls per method, well under the JVM's 64 KB method limit. */
    static final int STEPS_PER_METHOD = 400;

    static final Type BASE = Type.getType(CompiledNetwork.class);
    static final Type FLOATS = Type.getType(float[].class);
    static final Type ROWS = Type.getType(float[][].class);
    static final Type INTS = Type.getType(int[].class);
    static final Type SPARSE = Type.getType(CompiledNetwork.SparseParam.class);
    /** The index arrays of a sparse kernel, beside its values: by row (start, col) and by column (colStart, rowIndex, position). */
    private static final List<String> SPARSE_INDEX = List.of("start", "col", "colStart", "rowIndex", "position");

    private final Program p;
    private final Type self;
    private final ClassWriter cw;
    private final Map<String, StoredTensor> structure = new LinkedHashMap<>();
    /** Params that generated code reads from fields (unrolled fixed kernels need none). */
    private final Set<Param> fieldParams = new HashSet<>();
    private int kernelCount;
    /** The method of each kernel emitted so far. */
    private final Map<Kernel, String> methodOf = new java.util.IdentityHashMap<>();
    /** The tiled forward pass and train step, when the program has them. */
    private TileKernels tiles;
    /** The Vector API classes the kernels hand over to. */
    private VectorClasses vectors;

    private ClassEmitter(Program p) {
        this.p = p;
        this.self = Type.getObjectType((PACKAGE + "." + p.graph().name()).replace('.', '/'));
        this.cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            // frames only ever merge arrays of one type; never load classes to find a common super type
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
    }

    public static GeneratedNetwork emit(Program p) {
        return new ClassEmitter(p).emit();
    }

    static String fieldOf(Param param) {
        return "p$" + param.name().replace('.', '$');
    }

    /** The gradient storage of a param, laid out like its values. */
    static String gradFieldOf(Param param) {
        return "g$" + param.name().replace('.', '$');
    }

    private static boolean isConvKernel(Param param) {
        return param.shape().rank() == 4;
    }

    /** Gradient and weights of a fully connected kernel are rows; everything else is one array. */
    private static boolean keptAsRows(Param param) {
        return param.shape().rank() == 2 && param.present() == null;
    }

    private GeneratedNetwork emit() {
        Graph g = p.graph();
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, self.getInternalName(), null, BASE.getInternalName(), null);
        cw.visitSource(Path.of(g.sourceFile()).getFileName().toString(), null);
        for (Param param : g.params()) {
            // a trainable sparse kernel's connections go compact (O(connections)); small masks stay dense
            if (param.isSparseKernel() && !param.isFixed()) CompactKernel.putIndex(structure, param.name(), param.present().index());
            else if (param.present() != null) structure.put(param.maskName(), param.present().toMask());
            if (param.frozen() != null) CompactKernel.putMask(structure, param.frozenName(), param.frozen().index(), param.isSparseKernel()); // its kernel's form
            if (param.isFixed()) structure.put(param.name(), new Tensor(param.shape().dims(), param.fixed()));
        }
        for (Buffer b : p.buffers()) field(b.field(), FLOATS);
        // every trainable param has storage, read or not (an lstm of one step never reads its recurrent kernel): weights files round-trip
        for (Param param : g.params()) if (!param.isFixed()) declareParam(param);
        vectors = new VectorClasses(self, Path.of(g.sourceFile()).getFileName().toString());
        SampleKernels kernels = new SampleKernels(cw, self, vectors);
        sequence(GeneratedCode.RUN, Opcodes.ACC_PROTECTED, kernelMethods(kernels, p.forward()));
        Program.Training t = p.training();
        if (t != null) {
            for (Param param : t.trainable()) field(gradFieldOf(param), keptAsRows(param) ? ROWS : FLOATS);
            for (Param param : embeddings()) field(RuntimeKernels.touchedField(param), Type.getType(boolean[].class));
            if (t.trainForward() != p.forward()) {
                sequence(GeneratedCode.TRAIN_FORWARD, Opcodes.ACC_PROTECTED, kernelMethods(kernels, t.trainForward()));
                sequence(GeneratedCode.PREDICT_LOSS, Opcodes.ACC_PROTECTED, kernelMethods(kernels, t.predictLoss()));
                MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_PUBLIC, Call.of(GeneratedCode.TRAINS_DIFFERENTLY).method(), 0);
                m.g.push(true);
                m.end(self);
            }
            if (t.staged()) {
                List<String> stages = new ArrayList<>();
                for (int k = 0; k < t.stages().size(); k++) {
                    stages.add("stage" + k);
                    sequence(new org.objectweb.asm.commons.Method("stage" + k, "()V"), Opcodes.ACC_PRIVATE, kernelMethods(kernels, t.stages().get(k).kernels()));
                }
                StagedSteps.dispatch(cw, self, GeneratedCode.TRAIN_STAGE, stages);
            } else {
                sequence(GeneratedCode.BACKWARD, Opcodes.ACC_PROTECTED, kernelMethods(kernels, t.backward()));
                sequence(GeneratedCode.INPUT_BACKWARD, Opcodes.ACC_PROTECTED, kernelMethods(kernels, t.inputBackward()));
            }
        }
        if (p.tiling() != null) {
            tiles = new TileKernels(cw, self, p, vectors);
            tiles.fields();
            tiles.methods(methodOf);
        }
        // one sample's products and convs run through the vector class too: a sequence too long for tiles runs sample by sample
        ConvSampleVectors.fields(cw, p);
        vectors.fields(cw);
        MethodBuilder clinit = new MethodBuilder(cw, Opcodes.ACC_STATIC, "void <clinit>()", 0);
        vectors.staticInit(clinit);
        clinit.end(self);
        constructor();
        cw.visitEnd();
        Map<String, byte[]> helpers = vectors.classFiles();
        return new GeneratedNetwork(PACKAGE + "." + g.name(), cw.toByteArray(), helpers, structure);
    }

    /** Emits each kernel as a method (declaring the param fields it reads) and returns their names. */
    private List<String> kernelMethods(SampleKernels emitter, List<Kernel> kernels) {
        List<String> names = new ArrayList<>();
        for (Kernel kernel : kernels) {
            if (methodOf.containsKey(kernel)) { // a train step's forward pass shares the predicting pass's kernels
                names.add(methodOf.get(kernel));
                continue;
            }
            for (Param used : SampleKernels.fieldParams(kernel)) declareParam(used);
            String name = kernel instanceof Kernel.Loop loop ? loopMethod(emitter, loop) : emitter.emit(kernel, kernelCount++);
            methodOf.put(kernel, name);
            names.add(name);
        }
        return names;
    }

    /** A loop's per-sample method, after its body's. */
    private String loopMethod(SampleKernels emitter, Kernel.Loop loop) {
        List<String> body = kernelMethods(emitter, loop.body());
        String name = "k" + kernelCount++ + "$" + loop.label();
        MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_PRIVATE, "void " + name + "()", loop.span() == null ? 0 : loop.span().line());
        LoopKernels.perSample(m, self, loop, body);
        m.end(self);
        return name;
    }

    private void field(String name, Type type) {
        cw.visitField(Opcodes.ACC_PRIVATE, name, type.getDescriptor(), null, null).visitEnd();
    }

    private void declareParam(Param param) {
        if (!fieldParams.add(param)) return;
        String f = fieldOf(param);
        if (keptAsRows(param)) field(f, ROWS);
        else field(f, FLOATS);
        if (param.shape().rank() == 2 && param.present() != null)
            for (String index : SPARSE_INDEX) field(f + "$" + index, INTS);
        if (isConvKernel(param)) field(f + "$pairs", INTS);
    }

    /** One constructor step: code that leaves the stack as it found it. */
    interface Step {
        void emit(MethodBuilder m);
    }

    private void constructor() {
        Graph g = p.graph();
        List<Step> steps = new ArrayList<>();
        for (Buffer b : p.buffers())
            steps.add(m -> {
                m.g.loadThis();
                m.g.push(b.size());
                m.g.newArray(Type.FLOAT_TYPE);
                m.g.putField(self, b.field(), FLOATS);
            });
        for (Map.Entry<String, Node> e : g.named().entrySet()) {
            Buffer b = p.bufferOf().get(e.getValue());
            int[] dims = e.getValue().shape().dims();
            steps.add(m -> {
                m.g.loadThis();
                m.g.push(e.getKey());
                m.g.loadThis();
                m.g.getField(self, b.field(), FLOATS);
                pushInts(m, dims);
                m.invoke(GeneratedCode.NODE);
            });
        }
        for (Node in : g.inputs()) steps.add(m -> registerName(m, GeneratedCode.INPUT, in.name()));
        for (Node n : g.nodes())
            if (n.op() == nnet.ir.Op.EMBEDDING)
                steps.add(m -> { // its token ids are checked as they come in
                    m.g.loadThis();
                    m.g.push(n.input(0).name());
                    m.g.push(n.param().shape().dim(0));
                    m.invoke(GeneratedCode.TOKENS);
                });
        for (Node out : g.outputs()) steps.add(m -> registerName(m, GeneratedCode.OUTPUT, outputName(out)));
        for (Param param : g.params()) if (fieldParams.contains(param)) steps.add(m -> initParam(m, param));
        if (p.training() != null) trainingSteps(steps);
        if (tiles != null) steps.addAll(tiles.constructorSteps());
        steps.addAll(ConvSampleVectors.constructorSteps(self, vectors.lengthHolder(), p));

        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < steps.size(); from += STEPS_PER_METHOD) {
            String name = "init" + chunks.size();
            MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_PRIVATE, "void " + name + "()", 0);
            for (Step s : steps.subList(from, Math.min(steps.size(), from + STEPS_PER_METHOD))) s.emit(m);
            m.end(self);
            chunks.add(name);
        }
        MethodBuilder ctor = new MethodBuilder(cw, Opcodes.ACC_PUBLIC, "void <init>()", 0);
        ctor.g.loadThis();
        ctor.g.push(g.name());
        // the one runtime method named here: an abstract class's constructor has no method reference (the tests link it, nnet.emit.Linkage)
        ctor.g.invokeConstructor(BASE, org.objectweb.asm.commons.Method.getMethod("void <init>(String)"));
        for (String c : chunks) {
            ctor.g.loadThis();
            ctor.g.invokeVirtual(self, org.objectweb.asm.commons.Method.getMethod("void " + c + "()"));
        }
        ctor.end(self);
    }

    /** Registers gradient storage, the loss, input gradients and the train block's settings. */
    private void trainingSteps(List<Step> steps) {
        Program.Training t = p.training();
        Graph g = p.graph();
        for (Param param : t.trainable())
            steps.add(m -> {
                m.g.loadThis();
                m.g.loadThis();
                m.g.push(param.name());
                boolean rows = keptAsRows(param);
                m.invoke(rows ? GeneratedCode.ROWS_GRADIENT : GeneratedCode.FLAT_GRADIENT);
                m.g.putField(self, gradFieldOf(param), rows ? ROWS : FLOATS);
            });
        for (Param param : embeddings())
            steps.add(m -> {
                m.g.loadThis();
                m.g.loadThis();
                m.g.push(param.name());
                m.invoke(GeneratedCode.TOUCHED_ROWS);
                m.g.putField(self, RuntimeKernels.touchedField(param), Type.getType(boolean[].class));
            });
        for (Program.LossTerm term : t.losses())
            steps.add(m -> {
                m.g.loadThis();
                m.g.push(term.function().name);
                m.g.push(outputName(term.output()));
                m.g.push((float) term.weight());
                StringBuilder classWeights = new StringBuilder();
                if (term.classWeights() != null) for (float w : term.classWeights()) classWeights.append(classWeights.length() == 0 ? "" : ",").append(w);
                m.g.push(classWeights.toString());
                loadBuffer(m, term.target());
                loadBuffer(m, term.sampleWeight());
                loadBuffer(m, term.value());
                m.invoke(GeneratedCode.LOSS);
            });
        steps.add(m -> {
            m.g.loadThis();
            loadBuffer(m, t.loss());
            m.invoke(GeneratedCode.TOTAL_LOSS);
        });
        if (t.penalty() != null)
            steps.add(m -> {
                m.g.loadThis();
                loadBuffer(m, t.penalty());
                loadBuffer(m, t.penaltyWeight());
                m.invoke(GeneratedCode.ACTIVITY_PENALTY);
            });
        for (Param param : t.trainable())
            if (param.penalty() != null)
                steps.add(m -> {
                    m.g.loadThis();
                    m.g.push(param.name());
                    m.g.push(param.penalty().l1());
                    m.g.push(param.penalty().l2());
                    m.invoke(GeneratedCode.PENALTY);
                });
        long visits = nnet.lower.KernelWork.repeatedVisits(p.forward());
        if (visits > 0) {
            long repeated = visits;
            steps.add(m -> {
                m.g.loadThis();
                m.g.push(repeated);
                m.invoke(GeneratedCode.REPEATED_VISITS);
            });
        }
        if (t.staged())
            for (Program.Stage stage : t.stages()) if (stage.sums() != null) steps.add(m -> StagedSteps.batchStatistics(m, self, stage.sums()));
        t.inputGrads().forEach((input, buffer) -> steps.add(m -> {
            m.g.loadThis();
            m.g.push(input);
            loadBuffer(m, buffer);
            m.invoke(GeneratedCode.INPUT_GRADIENT);
        }));
        Graph.TrainSettings settings = g.train();
        StringBuilder args = new StringBuilder();
        settings.optimizerArgs().forEach((k, v) -> args.append(args.length() == 0 ? "" : ",").append(k).append('=').append(v));
        steps.add(m -> {
            m.g.loadThis();
            m.g.push(settings.optimizer());
            m.g.push(args.toString());
            m.g.push(settings.batch());
            m.g.push(settings.epochs());
            m.invoke(GeneratedCode.TRAIN_DEFAULTS);
        });
    }

    /** The trainable embeddings: their gradient rows are touched sparsely, and flagged for the optimizer. */
    private List<Param> embeddings() {
        return p.graph().nodes().stream().filter(n -> n.op() == nnet.ir.Op.EMBEDDING && n.param().trains()).map(Node::param).distinct().toList();
    }

    private void loadBuffer(MethodBuilder m, Buffer b) {
        m.g.loadThis();
        m.g.getField(self, b.field(), FLOATS);
    }

    /** The name an output is registered under: its own, or the first name bound to it. */
    private String outputName(Node out) {
        if (out.name() != null) return out.name();
        for (Map.Entry<String, Node> e : p.graph().named().entrySet()) if (e.getValue() == out) return e.getKey();
        throw new IllegalStateException("output without a name: " + out);
    }

    private void registerName(MethodBuilder m, GeneratedCode.Action2<CompiledNetwork, String> register, String name) {
        m.g.loadThis();
        m.g.push(name);
        m.invoke(register);
    }

    private void initParam(MethodBuilder m, Param param) {
        String f = fieldOf(param);
        var gen = m.g;
        boolean kernel2d = param.shape().rank() == 2;
        if (kernel2d && param.present() == null) {
            gen.loadThis();
            gen.loadThis();
            if (param.isFixed()) {
                gen.push(param.name());
                m.invoke(GeneratedCode.FIXED_ROWS);
            } else {
                gen.push(param.name());
                gen.push(param.shape().dim(0));
                gen.push(param.shape().dim(1));
                pushFrozenName(m, param);
                m.invoke(GeneratedCode.DENSE_PARAM);
            }
            gen.putField(self, f, ROWS);
        } else if (kernel2d) {
            int sp = m.local("sparse", SPARSE);
            gen.loadThis();
            gen.push(param.name());
            gen.push(param.maskName());
            if (param.isFixed())
                m.invoke(GeneratedCode.FIXED_SPARSE);
            else {
                pushFrozenName(m, param);
                gen.push(param.shape().dim(1));
                m.invoke(GeneratedCode.SPARSE_PARAM);
            }
            gen.storeLocal(sp);
            storeComponent(m, sp, GeneratedCode.SPARSE_VALUES, f, FLOATS);
            storeComponent(m, sp, GeneratedCode.SPARSE_ROW_START, f + "$start", INTS);
            storeComponent(m, sp, GeneratedCode.SPARSE_COL_INDEX, f + "$col", INTS);
            storeComponent(m, sp, GeneratedCode.SPARSE_COL_START, f + "$colStart", INTS);
            storeComponent(m, sp, GeneratedCode.SPARSE_ROW_INDEX, f + "$rowIndex", INTS);
            storeComponent(m, sp, GeneratedCode.SPARSE_POSITION, f + "$position", INTS);
        } else if (isConvKernel(param)) {
            int[] dims = param.shape().dims();
            gen.loadThis();
            gen.loadThis();
            gen.push(param.name());
            if (param.isFixed()) {
                m.invoke(GeneratedCode.STRUCTURE);
                m.invoke(GeneratedCode.TENSOR_DATA);
            } else {
                pushInts(m, dims);
                pushMaskName(m, param);
                pushFrozenName(m, param);
                m.invoke(GeneratedCode.CONV_PARAM);
            }
            gen.putField(self, f, FLOATS);
            gen.loadThis();
            gen.loadThis();
            pushMaskName(m, param);
            gen.push(dims[1]);
            gen.push(dims[0]);
            m.invoke(GeneratedCode.CHANNEL_PAIRS);
            gen.putField(self, f + "$pairs", INTS);
        } else {
            gen.loadThis();
            gen.loadThis();
            gen.push(param.name());
            if (param.isFixed()) {
                m.invoke(GeneratedCode.STRUCTURE);
                m.invoke(GeneratedCode.TENSOR_DATA);
            } else {
                pushInts(m, param.shape().dims());
                if (param.present() != null) gen.push(param.maskName());
                else gen.push((String) null);
                m.invoke(GeneratedCode.FLAT_PARAM);
            }
            gen.putField(self, f, FLOATS);
        }
    }

    private static void pushMaskName(MethodBuilder m, Param param) {
        if (param.present() != null) m.g.push(param.maskName());
        else m.g.push((String) null);
    }

    private static void pushFrozenName(MethodBuilder m, Param param) {
        if (param.frozen() != null) m.g.push(param.frozenName());
        else m.g.push((String) null);
    }

    private void storeComponent(MethodBuilder m, int sparseLocal, GeneratedCode.Ref accessor, String field, Type type) {
        m.g.loadThis();
        m.g.loadLocal(sparseLocal);
        m.invoke(accessor);
        m.g.putField(self, field, type);
    }

    static void pushInts(MethodBuilder m, int[] values) {
        m.g.push(values.length);
        m.g.newArray(Type.INT_TYPE);
        for (int i = 0; i < values.length; i++) {
            m.g.dup();
            m.g.push(i);
            m.g.push(values[i]);
            m.g.arrayStore(Type.INT_TYPE);
        }
    }

    /** The pass {@code name()} calls the kernels in order, split into methods when there are very many (the 64 KB limit). */
    private void sequence(GeneratedCode.Action1<CompiledNetwork> pass, int access, List<String> kernelMethods) {
        sequence(Call.of(pass).method(), access, kernelMethods);
    }

    private void sequence(org.objectweb.asm.commons.Method method, int access, List<String> kernelMethods) {
        String name = method.getName();
        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < kernelMethods.size(); from += STEPS_PER_METHOD) {
            String chunk = name + chunks.size();
            MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_PRIVATE, "void " + chunk + "()", 0);
            for (String k : kernelMethods.subList(from, Math.min(kernelMethods.size(), from + STEPS_PER_METHOD))) {
                m.g.loadThis();
                m.g.invokeVirtual(self, org.objectweb.asm.commons.Method.getMethod("void " + k + "()"));
            }
            m.end(self);
            chunks.add(chunk);
        }
        MethodBuilder m = new MethodBuilder(cw, access, method, 0);
        for (String c : chunks) {
            m.g.loadThis();
            m.g.invokeVirtual(self, org.objectweb.asm.commons.Method.getMethod("void " + c + "()"));
        }
        m.end(self);
    }
}
