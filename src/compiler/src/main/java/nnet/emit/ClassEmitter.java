package nnet.emit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Graph;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.lower.Program;
import nnet.runtime.io.CompactKernel;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.GeneratedCode;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.Method;

/**
 * Writes a {@link Program} as a class extending {@link CompiledNetwork}: a field per buffer and
 * weight array ({@link Fields}), a constructor that allocates and registers them
 * ({@link Registrations}), and {@code run()} calling one private method per kernel, in order.
 * Kernels become straight loops over float arrays ({@link SampleKernels}, over tiles
 * {@link TileKernels}); nothing is interpreted or allocated at run time.
 */
public final class ClassEmitter {
    public static final String PACKAGE = "nnet.generated";
    /** Constructor steps and kernel calls per method, well under the JVM's 64 KB method limit. */
    static final int STEPS_PER_METHOD = 400;

    static final Type BASE = Type.getType(CompiledNetwork.class);

    private final Program p;
    private final ClassBuilder c;
    private final Map<String, StoredTensor> structure = new LinkedHashMap<>();
    /** Params that generated code reads from fields (unrolled fixed kernels need none). */
    private final Set<Param> fieldParams = new HashSet<>();
    private int kernelCount;
    /** The method of each kernel emitted so far. */
    private final Map<Kernel, String> methodOf = new IdentityHashMap<>();
    /** The tiled forward pass and train step, when the program has them. */
    private TileKernels tiles;
    /** The Vector API classes the kernels hand over to. */
    private VectorClasses vectors;

    private ClassEmitter(Program p) {
        this.p = p;
        Type self = Type.getObjectType((PACKAGE + "." + p.graph().name()).replace('.', '/'));
        this.c = new ClassBuilder(self, Opcodes.ACC_PUBLIC, BASE, sourceFile(p.graph()));
    }

    public static GeneratedNetwork emit(Program p) {
        return new ClassEmitter(p).emit();
    }

    private static String sourceFile(Graph g) {
        return Path.of(g.sourceFile()).getFileName().toString();
    }

    private GeneratedNetwork emit() {
        Graph g = p.graph();
        for (Param param : g.params()) {
            // a trainable sparse kernel's connections go compact (O(connections)); small masks stay dense
            if (param.isSparseKernel() && !param.isFixed()) CompactKernel.putIndex(structure, param.name(), param.present().index());
            else if (param.present() != null) structure.put(param.maskName(), param.present().toMask());
            if (param.frozen() != null) CompactKernel.putMask(structure, param.frozenName(), param.frozen().index(), param.isSparseKernel()); // its kernel's form
            if (param.isFixed()) structure.put(param.name(), new Tensor(param.shape().dims(), param.fixed()));
        }
        for (Buffer b : p.buffers()) c.field(Fields.buffer(b));
        // every trainable param has storage, read or not (an lstm of one step never reads its recurrent kernel): weights files round-trip
        for (Param param : g.params()) if (!param.isFixed()) declareParam(param);
        vectors = new VectorClasses(c.type, sourceFile(g));
        SampleKernels kernels = new SampleKernels(c, vectors);
        sequence(GeneratedCode.RUN, kernelMethods(kernels, p.forward()));
        Program.Training t = p.training();
        if (t != null) {
            for (Param param : t.trainable()) c.field(Fields.gradient(param));
            for (Param param : Registrations.embeddings(g)) c.field(Fields.touchedRows(param));
            if (t.trainForward() != p.forward()) {
                sequence(GeneratedCode.TRAIN_FORWARD, kernelMethods(kernels, t.trainForward()));
                sequence(GeneratedCode.PREDICT_LOSS, kernelMethods(kernels, t.predictLoss()));
                MethodBuilder m = c.method(Opcodes.ACC_PUBLIC, Call.of(GeneratedCode.TRAINS_DIFFERENTLY).method(), 0);
                m.push(true);
                m.end();
            }
            if (t.staged()) {
                List<String> stages = new ArrayList<>();
                for (int k = 0; k < t.stages().size(); k++) {
                    stages.add("stage" + k);
                    sequence(new Method("stage" + k, "()V"), Opcodes.ACC_PRIVATE, kernelMethods(kernels, t.stages().get(k).kernels()));
                }
                StagedSteps.dispatch(c, GeneratedCode.TRAIN_STAGE, stages);
            } else {
                sequence(GeneratedCode.BACKWARD, kernelMethods(kernels, t.backward()));
                sequence(GeneratedCode.INPUT_BACKWARD, kernelMethods(kernels, t.inputBackward()));
            }
        }
        if (p.tiling() != null) {
            tiles = new TileKernels(c, p, vectors);
            tiles.fields();
            tiles.methods(methodOf);
        }
        // one sample's products and convs run through the vector class too: a sequence too long for tiles runs sample by sample
        ConvSampleVectors.fields(c, p);
        vectors.fields(c);
        MethodBuilder clinit = c.method(Opcodes.ACC_STATIC, "void <clinit>()", 0);
        vectors.staticInit(clinit);
        clinit.end();
        constructor();
        return new GeneratedNetwork(PACKAGE + "." + g.name(), c.toByteArray(), vectors.classFiles(), structure);
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
        MethodBuilder m = c.method(Opcodes.ACC_PRIVATE, "void " + name + "()", loop.span() == null ? 0 : loop.span().line());
        LoopKernels.perSample(m, loop, body);
        m.end();
        return name;
    }

    /** A param's fields: its values, and the index of a sparse kernel or the channel pairs of a conv kernel. */
    private void declareParam(Param param) {
        if (!fieldParams.add(param)) return;
        c.field(Fields.values(param));
        if (param.layout() == Param.Layout.SPARSE) for (Fields.Index index : Fields.Index.values()) c.field(Fields.index(param, index));
        if (param.layout() == Param.Layout.CONV) c.field(Fields.channelPairs(param));
    }

    /** The constructor: the registration steps in methods of at most {@link #STEPS_PER_METHOD} (the 64 KB limit), called in turn. */
    private void constructor() {
        List<Registrations.Step> steps = new Registrations(p, fieldParams).steps();
        if (tiles != null) steps.addAll(tiles.constructorSteps());
        steps.addAll(ConvSampleVectors.constructorSteps(vectors.lengthHolder(), p));
        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < steps.size(); from += STEPS_PER_METHOD) {
            String name = "init" + chunks.size();
            MethodBuilder m = c.method(Opcodes.ACC_PRIVATE, "void " + name + "()", 0);
            for (Registrations.Step s : steps.subList(from, Math.min(steps.size(), from + STEPS_PER_METHOD))) s.emit(m);
            m.end();
            chunks.add(name);
        }
        MethodBuilder ctor = c.method(Opcodes.ACC_PUBLIC, "void <init>()", 0);
        ctor.loadThis();
        ctor.push(p.graph().name());
        // the one runtime method named here: an abstract class's constructor has no method reference (the tests link it, nnet.emit.Linkage)
        ctor.invokeConstructor(BASE, Method.getMethod("void <init>(String)"));
        for (String chunk : chunks) ctor.callThis(chunk);
        ctor.end();
    }

    /** The pass {@code name()}: calls the kernels in order. */
    private void sequence(GeneratedCode.Action1<CompiledNetwork> pass, List<String> kernelMethods) {
        sequence(Call.of(pass).method(), Opcodes.ACC_PROTECTED, kernelMethods);
    }

    /** {@code name()} calls the kernels in order, split into methods when there are very many (the 64 KB limit). */
    private void sequence(Method method, int access, List<String> kernelMethods) {
        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < kernelMethods.size(); from += STEPS_PER_METHOD) {
            String chunk = method.getName() + chunks.size();
            MethodBuilder m = c.method(Opcodes.ACC_PRIVATE, "void " + chunk + "()", 0);
            for (String k : kernelMethods.subList(from, Math.min(kernelMethods.size(), from + STEPS_PER_METHOD))) m.callThis(k);
            m.end();
            chunks.add(chunk);
        }
        MethodBuilder m = c.method(access, method, 0);
        for (String chunk : chunks) m.callThis(chunk);
        m.end();
    }
}
