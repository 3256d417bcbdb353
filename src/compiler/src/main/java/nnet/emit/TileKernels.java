package nnet.emit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.lower.Program;
import nnet.lower.Tiling;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The tile column of the grid ({@code package-info}): the tiled forward pass and train step of a
 * {@link Tiling}. Per buffer its tile rows ({@link Fields#tileRows}, {@code [feature][lane]},
 * registered with the runtime, which loads inputs and targets into them); {@code forwardTile(count)}
 * and {@code trainTile(count)} run the steps, each a method: a batched kernel over the tile rows
 * (its family's {@code <Family>Tiles}), whose contractions, convolutions and maps first hand over to
 * their Vector API forms in {@code <Network>$Vector} (or {@code $Vector16}, {@link VectorClasses}) when
 * {@code VECTOR} is set at class initialisation; or a per-sample run, a loop over the lanes that
 * gathers each lane into the per-sample buffers, calls the per-sample kernels and scatters the
 * results back.
 */
final class TileKernels {
    private final ClassBuilder c;
    private final Program p;
    private final Tiling tiling;
    private final VectorClasses vectors;
    private int steps;
    /** The params whose gradient the first tile of a batch's part sets ({@link Tiling#gradientsSetByTiles}). */
    private final Set<Param> setByTiles;
    /** The method of each batched kernel made so far: a train step's forward pass shares the predicting pass's. */
    private final Map<Kernel, String> batchedMethodOf = new IdentityHashMap<>();
    /**
     * A dense forward product over at least this many outer rows packs its weights into panels ({@link Fields#panels})
     * and reads them from there: an lstm's input projection (a row per step) takes one packing for all the steps.
     */
    private static final int PANELLED_ROWS = 8;
    /** The dense forward products of loops' steps: their vector forms read the weights from panels the loop packs ({@link Fields#panels}). */
    private final Set<Kernel> stepProducts = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * Dense weight gradients over the same dz, next to each other in a step list (an lstm's input and recurrent kernels),
     * by the first: its vector form copies dz sample-major once for all of them, reading dz's rows, far apart, once.
     */
    private final Map<Kernel, List<Kernel.WeightGrad>> sharingDz = new IdentityHashMap<>();
    /** The others of {@link #sharingDz}: their vector form is the first's. */
    private final Set<Kernel> dzShared = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The vector classes' packing methods made so far, by param. */
    private final Map<Param, String> packingOf = new java.util.HashMap<>();

    TileKernels(ClassBuilder c, Program p, VectorClasses vectors) {
        this.c = c;
        this.p = p;
        this.tiling = p.tiling();
        this.vectors = vectors;
        this.setByTiles = tiling.gradientsSetByTiles();
        for (List<Tiling.Step> list : tiling.stepLists()) groupSharingDz(list);
        for (List<Tiling.Step> list : tiling.stepLists()) keepRunsWhole(list);
    }

    /** Drops a run of {@link #sharingDz} where a step list holds one of its kernels but not the whole run around it, in order. */
    private void keepRunsWhole(List<Tiling.Step> list) {
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Tiling.Batched b)) continue;
            for (List<Kernel.WeightGrad> run : List.copyOf(sharingDz.values())) {
                int first = i - run.indexOf(b.kernel());
                if (first > i) continue; // not in this run
                boolean whole = first >= 0 && first + run.size() <= list.size();
                for (int q = 0; whole && q < run.size(); q++) whole = list.get(first + q) instanceof Tiling.Batched a && a.kernel() == run.get(q);
                if (!whole) {
                    sharingDz.remove(run.get(0));
                    run.forEach(dzShared::remove);
                }
            }
        }
    }

    /** Runs of {@link #sharingDz} in one step list. */
    private void groupSharingDz(List<Tiling.Step> list) {
        List<Kernel.WeightGrad> run = new ArrayList<>();
        for (Tiling.Step s : list) {
            Kernel.WeightGrad w = s instanceof Tiling.Batched b && b.kernel() instanceof Kernel.WeightGrad g && g.path() == Kernel.LinearPath.ROWS ? g : null;
            if (w == null || run.isEmpty() || w.dz() != run.get(0).dz() || w.outer() != run.get(0).outer()) {
                sharedRun(run);
                run = new ArrayList<>();
            }
            if (w != null) run.add(w);
        }
        sharedRun(run);
    }

    private void sharedRun(List<Kernel.WeightGrad> run) {
        if (run.size() < 2 || sharingDz.containsKey(run.get(0)) || dzShared.contains(run.get(0))) return;
        sharingDz.put(run.get(0), run);
        dzShared.addAll(run.subList(1, run.size()));
    }

    void fields() {
        for (Buffer b : p.buffers()) c.field(Fields.tileRows(b));
        if (zeroRows() > 0) c.field(Fields.ZERO_ROWS);
        c.field(Fields.LANES_A);
        c.field(Fields.LANES_B);
        for (Param param : denseKernels()) {
            c.field(Fields.sampleMajor(param));
            c.field(Fields.flatSampleMajor(param));
        }
        for (Param param : stepKernels().keySet()) {
            c.field(Fields.stepInputs(param));
            c.field(Fields.stepGradients(param));
        }
        for (Param param : panelled()) c.field(Fields.panels(param));
        ConvTiles.fields(c, tiling);
    }

    /** The dense kernels read many times a run ({@link Fields#panels}): by a loop's step, or over many rows; packed once. */
    private Set<Param> panelled() {
        Set<Param> out = new LinkedHashSet<>();
        for (Kernel k : batchedKernels()) {
            if (k instanceof Kernel.Loop loop)
                for (Kernel b : loop.body()) if (b instanceof Kernel.Linear l && l.path() == Kernel.LinearPath.ROWS) out.add(l.kernel());
            if (overManyRows(k)) out.add(((Kernel.Linear) k).kernel());
        }
        return out;
    }

    /** A dense forward product over {@link #PANELLED_ROWS} outer rows or more (in a loop's step too: the step packs nothing). */
    private static boolean overManyRows(Kernel k) {
        return k instanceof Kernel.Linear l && l.path() == Kernel.LinearPath.ROWS && l.outer() >= PANELLED_ROWS;
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

    /** The sparse kernels whose weight gradient sums over a sequence's steps from scratch copies, with their inputs' count. */
    private Map<Param, Integer> stepKernels() {
        Map<Param, Integer> out = new java.util.LinkedHashMap<>();
        for (Kernel k : batchedKernels())
            if (k instanceof Kernel.WeightGrad w && ContractionVectors.overSteps(w)) out.merge(w.kernel(), w.n(), Math::max);
        return out;
    }

    /** Every kernel that runs batched, those of loop bodies included. */
    private List<Kernel> batchedKernels() {
        List<Kernel> out = new ArrayList<>();
        for (List<Tiling.Step> list : tiling.stepLists())
            for (Tiling.Step s : list) if (s instanceof Tiling.Batched b) addWithBodies(b.kernel(), out);
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
    List<Registrations.Step> constructorSteps() {
        List<Registrations.Step> out = new ArrayList<>();
        for (Buffer b : p.buffers())
            out.add(m -> m.putField(Fields.tileRows(b), () -> {
                m.loadThis();
                m.getField(Fields.buffer(b));
                m.push(Tiling.SIZE);
                m.invoke(GeneratedCode.TILE_ROWS);
            }));
        int zeros = zeroRows();
        if (zeros > 0)
            out.add(m -> m.putField(Fields.ZERO_ROWS, () -> { // Arrays.fill(zeroRows = new float[zeros][], new float[SIZE])
                m.push(zeros);
                m.newArray(Fields.FLOATS);
                m.dup();
                m.push(Tiling.SIZE);
                m.newArray(Type.FLOAT_TYPE);
                m.invoke(Call.FILL_ALL);
            }));
        for (Fields.Field lanes : List.of(Fields.LANES_A, Fields.LANES_B))
            out.add(m -> m.putField(lanes, () -> {
                m.push(Tiling.SIZE);
                m.newArray(Type.FLOAT_TYPE);
            }));
        for (Param param : denseKernels())
            out.add(m -> {
                ifVector(m, false, () -> m.putField(Fields.sampleMajor(param), () -> {
                    m.push(Tiling.SIZE);
                    m.push(Fields.flatStride(param.shape().dim(1))); // a line past the padded row: rows of 1,024 units 4 KB apart share an L1 set
                    m.newArray2(Fields.ROWS);
                }));
                ifVector(m, true, () -> m.putField(Fields.flatSampleMajor(param), () -> {
                    m.push(Tiling.SIZE * Fields.flatStride(param.shape().dim(1)));
                    m.newArray(Type.FLOAT_TYPE);
                }));
            });
        stepKernels().forEach((param, inputs) -> out.add(m -> {
            m.putField(Fields.stepInputs(param), () -> {
                m.push(inputs * Fields.stepStride());
                m.newArray(Type.FLOAT_TYPE);
            });
            m.putField(Fields.stepGradients(param), () -> {
                m.push(2 * Fields.stepStride());
                m.newArray(Type.FLOAT_TYPE);
            });
        }));
        for (Param param : panelled())
            out.add(m -> ifVector(m, true, () -> m.putField(Fields.panels(param), () -> {
                m.push(param.shape().dim(0) * param.shape().dim(1));
                m.newArray(Type.FLOAT_TYPE);
            })));
        out.addAll(ConvTiles.constructorSteps(tiling));
        return out;
    }

    /** {@code if (VECTOR == vector) body}: scratch that only one form of the kernels reads (a plain run has no panels). */
    private static void ifVector(MethodBuilder m, boolean vector, Runnable body) {
        Label skip = new Label();
        m.getStatic(Fields.VECTOR);
        m.ifZCmp(vector ? GeneratorAdapter.EQ : GeneratorAdapter.NE, skip);
        body.run();
        m.mark(skip);
    }

    /** {@code forwardTile(count)} and, with a loss, {@code trainTile(count)}: the steps' methods in order; {@code methodOf} names the per-sample kernels. */
    void methods(Map<Kernel, String> methodOf) {
        List<String> forward = stepMethods(tiling.forward(), methodOf, run -> false);
        sequence(Call.of(GeneratedCode.FORWARD_TILE).method(), forward, Opcodes.ACC_PROTECTED);
        if (p.training() == null) return;
        if (p.training().staged()) { // stage k: the steps of stage k; per-sample runs of the backward pass (the losses) fill past lanes with 0
            Set<Kernel> backward = Collections.newSetFromMap(new IdentityHashMap<>());
            backward.addAll(p.training().backward());
            List<String> stages = new ArrayList<>();
            for (int k = 0; k < tiling.stages().size(); k++) {
                sequence(new Method("tileStage" + k, "(I)V"), stepMethods(tiling.stages().get(k), methodOf, run -> run.kernels().stream().anyMatch(backward::contains)), Opcodes.ACC_PRIVATE);
                stages.add("tileStage" + k);
            }
            StagedSteps.dispatch(c, GeneratedCode.TRAIN_TILE_STAGE, stages);
            return;
        }
        List<String> all = new ArrayList<>(tiling.trainForward() == tiling.forward() ? forward : stepMethods(tiling.trainForward(), methodOf, run -> false));
        all.addAll(stepMethods(tiling.backward(), methodOf, run -> true));
        sequence(Call.of(GeneratedCode.TRAIN_TILE).method(), all, Opcodes.ACC_PROTECTED);
    }

    /** The steps' methods; {@code backward} says which per-sample runs belong to the backward pass (their past lanes get 0). */
    private List<String> stepMethods(List<Tiling.Step> list, Map<Kernel, String> methodOf, Predicate<Tiling.PerSample> backward) {
        List<String> names = new ArrayList<>();
        for (Tiling.Step s : list)
            names.add(s instanceof Tiling.Batched b ? batchedMethodOf.computeIfAbsent(b.kernel(), this::batched)
                    : perSample((Tiling.PerSample) s, methodOf, backward.test((Tiling.PerSample) s)));
        return names;
    }

    /** {@code name(count)}: each step method with the tile's count of real samples. */
    private void sequence(Method method, List<String> stepMethods, int access) {
        MethodBuilder m = c.method(access, method, 0);
        int count = m.argument("count", Type.INT_TYPE);
        for (String step : stepMethods) m.callThis(step, count);
        m.end();
    }

    /**
     * A loop over the tile rows: its body's batched methods, called step by step; with the Vector API, the
     * weights of the step's dense products packed into panels first (the weights do not change during a run).
     */
    private String batchedLoop(Kernel.Loop loop) {
        List<String> body = new ArrayList<>();
        Set<Param> packed = new LinkedHashSet<>();
        for (Kernel k : loop.body()) {
            if (k instanceof Kernel.Linear l && l.path() == Kernel.LinearPath.ROWS) {
                stepProducts.add(k);
                packed.add(l.kernel());
            }
            body.add(batched(k));
        }
        String name = "tile" + steps++ + "$" + loop.label();
        int line = loop.span() == null ? 0 : loop.span().line();
        MethodBuilder m = c.method(Opcodes.ACC_PRIVATE, "void " + name + "(int)", line);
        int count = m.argument("count", Type.INT_TYPE);
        for (Param param : packed) pack(m, param, line);
        LoopKernels.tile(m, loop, body, count);
        m.end();
        return name;
    }

    /** {@code if (VECTOR) pack$<param>(weights, panels)}: the vector class's packing, made once. */
    private void pack(MethodBuilder m, Param param, int line) {
        String packing = packingOf.computeIfAbsent(param, q -> {
            String method = "pack$" + Fields.values(q).name();
            vectors.emitPanels(q, method, line);
            return method;
        });
        vectors.callIfVector(m, packing, List.of(Fields.values(param), Fields.panels(param)));
    }

    /** One batched kernel as a method over the tile rows: its Vector API form when there is one and VECTOR is set, else its plain form. */
    private String batched(Kernel k) {
        if (k instanceof Kernel.Loop loop) return batchedLoop(loop);
        String label = k.label().length() > 40 ? k.label().substring(0, 40) : k.label();
        String name = "tile" + steps++ + "$" + label;
        int line = k.span() == null ? 0 : k.span().line();
        MethodBuilder m = c.method(Opcodes.ACC_PRIVATE, "void " + name + "(int)", line);
        m.argument("count", Type.INT_TYPE);
        List<Fields.Field> args = VectorClass.arguments(k);
        boolean sets = k instanceof Kernel.WeightGrad w && setByTiles.contains(w.kernel());
        if (args != null && sets) args = ContractionVectors.withSetsGradients(args);
        if (dzShared.contains(k)) {
            vectors.returnIfVector(m);
            args = null;
        } else if (sharingDz.containsKey(k)) {
            List<Kernel.WeightGrad> grads = sharingDz.get(k);
            List<Boolean> setting = grads.stream().map(g -> setByTiles.contains(g.kernel())).toList();
            List<Fields.Field> shared = ContractionVectors.sharedArguments(grads, setting);
            String vectorName = "k" + (steps - 1) + "$" + label;
            vectors.emitWeightGradients(grads, setting, vectorName, shared, line);
            vectors.callFirst(m, vectorName, shared);
            args = null;
        }
        boolean packedByLoop = stepProducts.contains(k);
        if (args != null && (packedByLoop || overManyRows(k))) {
            Param kernel = ((Kernel.Linear) k).kernel();
            if (!packedByLoop) pack(m, kernel, line);
            args = ContractionVectors.withPanels(args, kernel);
        }
        if (args != null) {
            String vectorName = "k" + (steps - 1) + "$" + label;
            vectors.emit(k, vectorName, args, line);
            vectors.callFirst(m, vectorName, args);
        }
        if (k instanceof Kernel.Linear l) new ContractionTiles(m).linear(l);
        else if (k instanceof Kernel.LinearT l) new ContractionTiles(m).linearTransposed(l);
        else if (k instanceof Kernel.WeightGrad w) {
            ContractionTiles tiles = new ContractionTiles(m);
            if (sets) tiles.zeroGradientIfSet(w.kernel());
            tiles.weightGrad(w);
        }
        else if (k instanceof Kernel.Map map) new ElementwiseTiles(m).emit(map);
        else if (k instanceof Kernel.Conv conv) new ConvTiles(m).conv(conv);
        else if (k instanceof Kernel.Pool pool) new PoolTiles(m).pool(pool);
        else if (k instanceof Kernel.PoolGrad pool) new PoolTiles(m).poolGrad(pool);
        else if (RuntimeKernels.handles(k)) RuntimeKernels.tile(m, k);
        else new RowTiles(m).emit(k);
        m.end();
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
        MethodBuilder m = c.method(Opcodes.ACC_PRIVATE, "void " + name + "(int)", run.kernels().get(0).span() == null ? 0 : run.kernels().get(0).span().line());
        int count = m.argument("count", Type.INT_TYPE);
        int s = m.local("s", Type.INT_TYPE), f = m.local("f", Type.INT_TYPE), row = m.local("row", Fields.FLOATS);
        m.forLoop(s, m.constant(0), m.value(count), () -> {
            for (Buffer b : run.gather()) laneCopy(m, b, s, f, true);
            for (Kernel k : run.kernels()) m.callThis(methodOf.get(k));
            for (Buffer b : run.scatter()) laneCopy(m, b, s, f, false);
        });
        for (Buffer b : run.scatter()) {
            int rows = m.fieldToLocal(Fields.tileRows(b));
            m.forLoop(f, 0, b.size(), () -> { // Arrays.fill(row, count, LANES, backward ? 0 : row[count - 1])
                m.rowOf(rows, m.value(f), row);
                m.loadLocal(row);
                m.loadLocal(count);
                m.push(Tiling.SIZE);
                if (backward) m.push(0f);
                else m.elementOf(row, m.at(count, -1)).emit();
                m.invoke(Call.FILL_RANGE);
            });
        }
        m.end();
        return name;
    }

    /** {@code for f: b[f] = b$t[f][s]} ({@code gather}) or {@code b$t[f][s] = b[f]}. */
    private static void laneCopy(MethodBuilder m, Buffer b, int s, int f, boolean gather) {
        m.forLoop(f, 0, b.size(), () -> {
            if (gather) {
                m.getField(Fields.buffer(b));
                m.loadLocal(f);
                tileRow(m, b, f);
                m.loadLocal(s);
                m.arrayLoad(Type.FLOAT_TYPE);
            } else {
                tileRow(m, b, f);
                m.loadLocal(s);
                m.getField(Fields.buffer(b));
                m.loadLocal(f);
                m.arrayLoad(Type.FLOAT_TYPE);
            }
            m.arrayStore(Type.FLOAT_TYPE);
        });
    }

    /** Pushes {@code b$t[f]}. */
    private static void tileRow(MethodBuilder m, Buffer b, int f) {
        m.getField(Fields.tileRows(b));
        m.loadLocal(f);
        m.arrayLoad(Fields.FLOATS);
    }
}
