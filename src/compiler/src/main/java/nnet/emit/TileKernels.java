package nnet.emit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.lower.Program;
import nnet.lower.Tiling;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The tiled forward pass and train step of a {@link Tiling}: per buffer its tile rows
 * {@code <buffer>$t} ({@code [feature][lane]}, registered with the runtime, which loads inputs and
 * targets into them); {@code forwardTile(count)} and {@code trainTile(count)} run the steps, each a
 * method: a batched kernel over the tile rows ({@link ContractionTiles}, {@link ElementwiseSamples},
 * {@link RowTiles}, {@link ConvTiles}), whose contractions and convolutions first hand over to the Vector API forms in
 * {@code <Network>$Vector} (or {@code $Vector16}, {@link VectorClasses}) when {@code VECTOR} is set at class initialisation; and a per-sample run,
 * a loop over the lanes that gathers each lane into the per-sample buffers, calls the per-sample
 * kernels and scatters the results back.
 */
final class TileKernels {
    /** Per-lane scratch rows: a softmax's max and sum, its gradient's dot product. */
    static final String LANES_A = "t$lanesA", LANES_B = "t$lanesB";
    static final String VECTOR_FLAG = "VECTOR";

    private final ClassVisitor cv;
    private final Type self;
    private final Program p;
    private final Tiling tiling;
    private final VectorClasses vectors;
    private int steps;

    TileKernels(ClassVisitor cv, Type self, Program p, VectorClasses vectors) {
        this.cv = cv;
        this.self = self;
        this.p = p;
        this.tiling = p.tiling();
        this.vectors = vectors;
    }

    static String rowsField(Buffer b) {
        return b.field() + "$t";
    }

    /**
     * Sample-major rows {@code [lane][unit]} of a dense kernel's output side: its forward pass (plain
     * form) sums into them, its weight gradient reads dz copied into them. One per kernel (the steps of
     * an lstm share theirs): kernels run one at a time.
     */
    static String sampleMajorField(Param p) {
        return ClassEmitter.fieldOf(p) + "$sampleMajor";
    }

    /** Sample-major rows {@code [lane][input]} of a dense kernel's input side, for the Vector API forward pass. */
    static String inputSampleMajorField(Param p) {
        return ClassEmitter.fieldOf(p) + "$inputSampleMajor";
    }

    void fields() {
        for (Buffer b : p.buffers()) field(rowsField(b), ClassEmitter.ROWS);
        if (zeroRows() > 0) field(LoopKernels.ZERO_ROWS, ClassEmitter.ROWS);
        field(LANES_A, ClassEmitter.FLOATS);
        field(LANES_B, ClassEmitter.FLOATS);
        for (Param param : denseKernels()) {
            field(sampleMajorField(param), ClassEmitter.ROWS);
            field(inputSampleMajorField(param), ClassEmitter.ROWS);
        }
        ConvTiles.fields(cv, tiling);
    }

    private void field(String name, Type type) {
        cv.visitField(Opcodes.ACC_PRIVATE, name, type.getDescriptor(), null, null).visitEnd();
    }

    /** The dense kernels whose forward pass or weight gradient runs batched: they have sample-major rows. */
    private Set<Param> denseKernels() {
        Set<Param> out = new LinkedHashSet<>();
        for (Kernel k : batchedKernels()) {
            if (k instanceof Kernel.WeightGrad w && w.path() == Kernel.LinearPath.ROWS) out.add(w.kernel());
            if (k instanceof Kernel.Linear l && l.path() == Kernel.LinearPath.ROWS) out.add(l.kernel());
        }
        return out;
    }

    /** Every kernel that runs batched, those of loop bodies included. */
    private List<Kernel> batchedKernels() {
        List<Kernel> out = new ArrayList<>();
        for (List<Tiling.Step> steps : tiling.stepLists())
            for (Tiling.Step s : steps) if (s instanceof Tiling.Batched b) addWithBodies(b.kernel(), out);
        return out;
    }

    private static void addWithBodies(Kernel k, List<Kernel> out) {
        out.add(k);
        if (k instanceof Kernel.Loop l) for (Kernel b : l.body()) addWithBodies(b, out);
    }

    /** How many zero rows the batched loops need. */
    private int zeroRows() {
        return LoopKernels.zeroRows(batchedKernels().stream().filter(k -> k instanceof Kernel.Loop).map(k -> (Kernel.Loop) k).toList());
    }

    /** Constructor steps: tile rows for every buffer (registered with the runtime), the scratch rows. */
    List<ClassEmitter.Step> constructorSteps() {
        List<ClassEmitter.Step> out = new ArrayList<>();
        for (Buffer b : p.buffers())
            out.add(m -> {
                m.g.loadThis();
                m.g.loadThis();
                m.g.loadThis();
                m.g.getField(self, b.field(), ClassEmitter.FLOATS);
                m.g.push(Tiling.SIZE);
                m.invoke(GeneratedCode.TILE_ROWS);
                m.g.putField(self, rowsField(b), ClassEmitter.ROWS);
            });
        int zeros = zeroRows();
        if (zeros > 0)
            out.add(m -> { // Arrays.fill(zeroRows = new float[zeros][], new float[SIZE])
                m.g.loadThis();
                m.g.push(zeros);
                m.g.newArray(ClassEmitter.FLOATS);
                m.g.dup();
                m.g.push(Tiling.SIZE);
                m.g.newArray(Type.FLOAT_TYPE);
                m.invoke(Call.FILL_ALL);
                m.g.putField(self, LoopKernels.ZERO_ROWS, ClassEmitter.ROWS);
            });
        for (String lanes : List.of(LANES_A, LANES_B))
            out.add(m -> {
                m.g.loadThis();
                m.g.push(Tiling.SIZE);
                m.g.newArray(Type.FLOAT_TYPE);
                m.g.putField(self, lanes, ClassEmitter.FLOATS);
            });
        for (Param param : denseKernels())
            out.add(m -> {
                m.g.loadThis();
                m.g.push(Tiling.SIZE);
                m.g.push(CompiledNetwork.paddedRow(param.shape().dim(1)));
                m.g.visitMultiANewArrayInsn(ClassEmitter.ROWS.getDescriptor(), 2);
                m.g.putField(self, sampleMajorField(param), ClassEmitter.ROWS);
                m.g.loadThis();
                m.g.push(Tiling.SIZE);
                m.g.push(param.shape().dim(0));
                m.g.visitMultiANewArrayInsn(ClassEmitter.ROWS.getDescriptor(), 2);
                m.g.putField(self, inputSampleMajorField(param), ClassEmitter.ROWS);
            });
        out.addAll(ConvTiles.constructorSteps(self, tiling));
        return out;
    }

    /** {@code forwardTile(count)} and, with a loss, {@code trainTile(count)}: the steps' methods in order; {@code methodOf} names the per-sample kernels. */
    void methods(Map<Kernel, String> methodOf) {
        List<String> forward = stepMethods(tiling.forward(), methodOf, false);
        sequence(Call.of(GeneratedCode.FORWARD_TILE).method(), forward, Opcodes.ACC_PROTECTED);
        if (p.training() == null) return;
        if (p.training().staged()) { // stage k: the steps of stage k; per-sample runs of the backward pass (the losses) fill past lanes with 0
            java.util.Set<Kernel> backward = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            backward.addAll(p.training().backward());
            List<String> stages = new ArrayList<>();
            for (int k = 0; k < tiling.stages().size(); k++) {
                sequence(new Method("tileStage" + k, "(I)V"), stepMethods(tiling.stages().get(k), methodOf, run -> run.kernels().stream().anyMatch(backward::contains)), Opcodes.ACC_PRIVATE);
                stages.add("tileStage" + k);
            }
            StagedSteps.dispatch(cv, self, GeneratedCode.TRAIN_TILE_STAGE, stages);
            return;
        }
        List<String> all = new ArrayList<>(tiling.trainForward() == tiling.forward() ? forward : stepMethods(tiling.trainForward(), methodOf, false));
        all.addAll(stepMethods(tiling.backward(), methodOf, true));
        sequence(Call.of(GeneratedCode.TRAIN_TILE).method(), all, Opcodes.ACC_PROTECTED);
    }

    /** The method of each batched kernel made so far: a train step's forward pass shares the predicting pass's. */
    private final Map<Kernel, String> batchedMethodOf = new java.util.IdentityHashMap<>();

    private List<String> stepMethods(List<Tiling.Step> steps, Map<Kernel, String> methodOf, boolean backward) {
        return stepMethods(steps, methodOf, run -> backward);
    }

    /** The steps' methods; {@code backward} says which per-sample runs belong to the backward pass (their past lanes get 0). */
    private List<String> stepMethods(List<Tiling.Step> steps, Map<Kernel, String> methodOf, java.util.function.Predicate<Tiling.PerSample> backward) {
        List<String> names = new ArrayList<>();
        for (Tiling.Step s : steps)
            names.add(s instanceof Tiling.Batched b ? batchedMethodOf.computeIfAbsent(b.kernel(), this::batched)
                    : perSample((Tiling.PerSample) s, methodOf, backward.test((Tiling.PerSample) s)));
        return names;
    }

    /** {@code name(count)}: each step method with the tile's count of real samples. */
    private void sequence(Method method, List<String> stepMethods, int access) {
        MethodBuilder m = new MethodBuilder(cv, access, method, 0);
        int count = m.argument("count", Type.INT_TYPE);
        for (String step : stepMethods) {
            m.g.loadThis();
            m.g.loadLocal(count);
            m.g.invokeVirtual(self, Method.getMethod("void " + step + "(int)"));
        }
        m.end(self);
    }

    /** A loop over the tile rows: its body's batched methods, called step by step. */
    private String batchedLoop(Kernel.Loop loop) {
        List<String> body = new ArrayList<>();
        for (Kernel k : loop.body()) body.add(batched(k));
        String name = "tile" + steps++ + "$" + loop.label();
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void " + name + "(int)", loop.span() == null ? 0 : loop.span().line());
        LoopKernels.tile(m, self, loop, body, m.argument("count", Type.INT_TYPE));
        m.end(self);
        return name;
    }

    /** One batched kernel as a method over the tile rows: its Vector API form when there is one and VECTOR is set, else its plain form. */
    private String batched(Kernel k) {
        if (k instanceof Kernel.Loop loop) return batchedLoop(loop);
        String label = k.label().length() > 40 ? k.label().substring(0, 40) : k.label();
        String name = "tile" + steps++ + "$" + label;
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void " + name + "(int)", k.span() == null ? 0 : k.span().line());
        m.argument("count", Type.INT_TYPE);
        String dzT = k instanceof Kernel.WeightGrad w ? sampleMajorField(w.kernel()) : null;
        List<VectorClass.Arg> args = VectorClass.arguments(k);
        if (args != null) {
            String vectorName = "k" + (steps - 1) + "$" + label;
            vectors.emit(k, vectorName, args, k.span() == null ? 0 : k.span().line());
            vectors.callFirst(m, vectorName, args);
        }
        if (k instanceof Kernel.Linear l) new ContractionTiles(m, self).linear(l);
        else if (k instanceof Kernel.LinearT l) new ContractionTiles(m, self).linearTransposed(l);
        else if (k instanceof Kernel.WeightGrad w) new ContractionTiles(m, self).weightGrad(w, dzT);
        else if (k instanceof Kernel.Map map) new ElementwiseSamples(m, self).tile(map);
        else if (k instanceof Kernel.Softmax s) new RowTiles(m, self).softmax(s);
        else if (k instanceof Kernel.SoftmaxGrad s) new RowTiles(m, self).softmaxGrad(s);
        else if (k instanceof Kernel.Sum s) new RowTiles(m, self).sum(s);
        else if (k instanceof Kernel.Concat c) new RowTiles(m, self).concat(c);
        else if (k instanceof Kernel.Slice s) new RowTiles(m, self).copyBlocks(s.in(), s.out(), s.outer(), s.inLength(), s.offset(), s.length(), 0, s.length(), false);
        else if (k instanceof Kernel.Embed e) new RowTiles(m, self).copyBlocks(e.in(), e.out(), e.outer(), e.length(), 0, e.outLength(), e.offset(), e.length(), true);
        else if (k instanceof Kernel.Conv c) new ConvTiles(m, self).conv(c);
        else if (k instanceof Kernel.Pool p) new ConvTiles(m, self).pool(p);
        else if (k instanceof Kernel.PoolGrad p) new ConvTiles(m, self).poolGrad(p);
        else if (RuntimeKernels.handles(k)) RuntimeKernels.tile(m, self, k);
        else throw new IllegalStateException("no batched form: " + k.label());
        m.end(self);
        return name;
    }

    /**
     * For each real lane s (below {@code count}): the gathered buffers from lane s, the per-sample
     * kernels, the written buffers back to lane s. The lanes past the batch's end are filled without
     * computing: in the forward pass with the last real lane's values (finite, like every lane's), in
     * the backward pass with 0 (a loss's gradient there is 0, and so is everything derived from it),
     * so those lanes add nothing to any weight gradient.
     */
    private String perSample(Tiling.PerSample run, Map<Kernel, String> methodOf, boolean backward) {
        String name = "lanes" + steps++;
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void " + name + "(int)", run.kernels().get(0).span() == null ? 0 : run.kernels().get(0).span().line());
        int count = m.argument("count", Type.INT_TYPE);
        int s = m.local("s", Type.INT_TYPE), f = m.local("f", Type.INT_TYPE), row = m.local("row", ClassEmitter.FLOATS);
        m.forLoop(s, m.constant(0), m.value(count), () -> {
            for (Buffer b : run.gather()) laneCopy(m, b, s, f, true);
            for (Kernel k : run.kernels()) {
                m.g.loadThis();
                m.g.invokeVirtual(self, Method.getMethod("void " + methodOf.get(k) + "()"));
            }
            for (Buffer b : run.scatter()) laneCopy(m, b, s, f, false);
        });
        for (Buffer b : run.scatter()) {
            int rows = m.fieldToLocal(self, rowsField(b), ClassEmitter.ROWS);
            m.forLoop(f, 0, b.size(), () -> { // Arrays.fill(row, count, LANES, backward ? 0 : row[count - 1])
                m.rowOf(rows, m.value(f), row);
                m.g.loadLocal(row);
                m.g.loadLocal(count);
                m.g.push(Tiling.SIZE);
                if (backward) m.g.push(0f);
                else m.elementOf(row, m.at(count, -1)).emit();
                m.invoke(Call.FILL_RANGE);
            });
        }
        m.end(self);
        return name;
    }

    /** {@code for f: b[f] = b$t[f][s]} ({@code gather}) or {@code b$t[f][s] = b[f]}. */
    private void laneCopy(MethodBuilder m, Buffer b, int s, int f, boolean gather) {
        GeneratorAdapter g = m.g;
        m.forLoop(f, 0, b.size(), () -> {
            if (gather) {
                g.loadThis();
                g.getField(self, b.field(), ClassEmitter.FLOATS);
                g.loadLocal(f);
                rowElement(g, b, f, s);
            } else {
                g.loadThis();
                g.getField(self, rowsField(b), ClassEmitter.ROWS);
                g.loadLocal(f);
                g.arrayLoad(ClassEmitter.FLOATS);
                g.loadLocal(s);
                g.loadThis();
                g.getField(self, b.field(), ClassEmitter.FLOATS);
                g.loadLocal(f);
                g.arrayLoad(Type.FLOAT_TYPE);
            }
            g.arrayStore(Type.FLOAT_TYPE);
        });
    }

    private void rowElement(GeneratorAdapter g, Buffer b, int f, int s) {
        g.loadThis();
        g.getField(self, rowsField(b), ClassEmitter.ROWS);
        g.loadLocal(f);
        g.arrayLoad(ClassEmitter.FLOATS);
        g.loadLocal(s);
        g.arrayLoad(Type.FLOAT_TYPE);
    }
}
