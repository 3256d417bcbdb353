package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import nnet.ir.Param;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.SparseParam;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The tile contractions with the Vector API, in the vector class ({@code <Network>$Vector}, or
 * {@code $Vector16} for the other row of the {@link VectorShape} table), loaded only when
 * {@code jdk.incubator.vector} is in the JVM. A kernel method is a driver of
 * scalar loops that calls register-blocked micro-kernels, each a method with its accumulators in
 * locals and one loop of at most {@link #KC} iterations (block sizes are the shape's):
 * <ul>
 * <li>dense forward: units x 2 vectors of lanes, per input a row of x loaded and the units' weights
 *     broadcast from its row of W (in a loop's step, from {@link Fields#panels} packed before the loop); input gradient: rows x 2 vectors of lanes, per unit a row of
 *     dz loaded and each row's weight broadcast;
 * <li>dense weight gradient, inputs x 2 vectors of units: per lane s, the inputs broadcast and a
 *     row of the sample-major copy of dz loaded (weight rows are padded to whole vectors);
 * <li>sparse: per unit (or input), its present connections: one weight broadcast, a row loaded,
 *     2 fused multiply-adds, two units of the same inputs sharing each row loaded (the input gradient of
 *     such pairs scattered by unit: their dz rows held, each input's row loaded and stored once); the weight gradient a
 *     product over the lanes, reduced, per connection (over a sequence's steps, from scratch copies of 16
 *     steps, summed in registers first, a pair of units of the same inputs at a time).
 * </ul>
 * Rules these follow (measured, ../shared/FACTS.md and the session notes): one species per process
 * ({@code SPECIES_PREFERRED}); no vector value crosses a branch or a call that is not inlined; no more
 * accumulators than the register file holds with the step's loads; and a bounded loop per call: a
 * long loop gets compiled on stack replacement with its vectors boxed, 100 times slower.
 */
final class ContractionVectors {
    /** Iterations of a micro-kernel's loop per call. */
    static final int KC = 64;
    /** Steps per chunk of the sparse weight gradient over a sequence's steps (a bounded loop; 16 sums across lanes fewer a connection). */
    static final int ROWS_PER_CALL = 16;
    /** Lane vectors per call of the sparse weight gradient over steps ({@link VectorShape#stepConnections}). */
    static final int STEP_LANE_VECTORS = 2;
    private static final Type F1 = Fields.FLOATS;

    private final ContractionMicroKernels micro;
    private final VectorShape shape;

    ContractionVectors(ContractionMicroKernels micro, VectorShape shape) {
        this.micro = micro;
        this.shape = shape;
    }

    /** The arguments of a contraction's vector form, in order, or null when it has none (a fixed kernel folded into code). */
    static List<Fields.Field> arguments(Kernel k) {
        List<Fields.Field> a = new ArrayList<>();
        if (k instanceof Kernel.Linear l) {
            if (l.path() == Kernel.LinearPath.UNROLLED) return null;
            kernelArgs(a, l.kernel(), true);
            a.add(Fields.tileRows(l.in()));
            a.add(Fields.tileRows(l.out()));
        } else if (k instanceof Kernel.LinearT l) {
            if (l.path() == Kernel.LinearPath.UNROLLED) return null;
            kernelArgs(a, l.kernel(), false);
            a.add(Fields.tileRows(l.in()));
            a.add(Fields.tileRows(l.out()));
            if (l.path() != Kernel.LinearPath.ROWS) // the index by unit and its twins, for the scattered form
                for (Fields.Index index : List.of(Fields.Index.COL_START, Fields.Index.ROW_INDEX, Fields.Index.TWINS)) a.add(Fields.index(l.kernel(), index));
        } else if (k instanceof Kernel.WeightGrad w) {
            boolean rows = w.path() == Kernel.LinearPath.ROWS;
            a.add(Fields.gradient(w.kernel()));
            if (!rows) {
                a.add(Fields.index(w.kernel(), Fields.Index.COL_START));
                a.add(Fields.index(w.kernel(), Fields.Index.ROW_INDEX));
            }
            a.add(Fields.tileRows(w.x()));
            a.add(Fields.tileRows(w.dz()));
            if (overSteps(w)) {
                a.add(Fields.index(w.kernel(), Fields.Index.TWINS));
                a.add(Fields.stepInputs(w.kernel()));
                a.add(Fields.stepGradients(w.kernel()));
            }
            if (rows) a.add(Fields.flatSampleMajor(w.kernel()));
        } else return null;
        return a;
    }

    /**
     * A dense weight gradient's arguments with the runtime's flag {@link Fields#SETS_GRADIENTS} last: for a
     * gradient {@link nnet.lower.Tiling#gradientsSetByTiles set by tiles}, the first outer row of a batch's first tile sets it.
     */
    static List<Fields.Field> withSetsGradients(List<Fields.Field> args) {
        List<Fields.Field> out = new ArrayList<>(args);
        out.add(Fields.SETS_GRADIENTS);
        return out;
    }

    /**
     * The arguments of one driver for dense weight gradients over the same dz and outer rows (an lstm's input and
     * recurrent kernels): dz, the first's sample-major copy, {@link Fields#SETS_GRADIENTS} when one of them is
     * {@code sets}, then each one's gradient and x.
     */
    static List<Fields.Field> sharedArguments(List<Kernel.WeightGrad> grads, List<Boolean> sets) {
        List<Fields.Field> a = new ArrayList<>(List.of(Fields.tileRows(grads.get(0).dz()), Fields.flatSampleMajor(grads.get(0).kernel())));
        if (sets.contains(true)) a.add(Fields.SETS_GRADIENTS);
        for (Kernel.WeightGrad w : grads) {
            a.add(Fields.gradient(w.kernel()));
            a.add(Fields.tileRows(w.x()));
        }
        return a;
    }

    /**
     * A kernel's weights: rows, or the sparse values (stored by unit) with the index its loop walks:
     * by unit for the forward pass; by input for the input gradient, with where each entry sits among the values.
     */
    private static void kernelArgs(List<Fields.Field> a, Param kernel, boolean forward) {
        a.add(Fields.values(kernel));
        if (kernel.layout() == Param.Layout.ROWS) return;
        for (Fields.Index index : forward ? List.of(Fields.Index.COL_START, Fields.Index.ROW_INDEX, Fields.Index.TWINS) : List.of(Fields.Index.START, Fields.Index.COL, Fields.Index.POSITION))
            a.add(Fields.index(kernel, index));
    }

    /**
     * Whether a sparse weight gradient sums over a sequence's steps from scratch copies of a chunk of them
     * ({@link Fields#stepInputs}): more than one step, and a copy of at most 4 MB.
     */
    static boolean overSteps(Kernel.WeightGrad w) {
        return w.path() != Kernel.LinearPath.ROWS && w.outer() > 1 && (long) w.n() * Fields.stepStride() * Float.BYTES <= (4 << 20);
    }

    /**
     * A dense forward pass's arguments where its weights are read from {@link Fields#panels} (a loop's step: the
     * loop packs them first, {@link #packPanels}).
     */
    static List<Fields.Field> withPanels(List<Fields.Field> args, Param kernel) {
        List<Fields.Field> out = new ArrayList<>(args);
        out.set(0, Fields.panels(kernel));
        return out;
    }

    /**
     * The driver's body, the arguments {@code args} ({@link #arguments}, {@link #withPanels}, {@link #withSetsGradients})
     * in locals {@code a}: scalar loops that call the micro-kernels.
     */
    void emit(Kernel k, MethodBuilder m, int[] a, List<Fields.Field> args) {
        Driver d = new Driver(m);
        if (k instanceof Kernel.Linear l && l.path() == Kernel.LinearPath.ROWS)
            d.denseForward(a[0], a[1], a[2], l.outer(), l.n(), l.m(), args.get(0).equals(Fields.panels(l.kernel())));
        else if (k instanceof Kernel.Linear l) d.sparseForward(a[0], a[1], a[2], a[3], a[4], a[5], l.outer(), l.n(), l.m());
        else if (k instanceof Kernel.LinearT l && l.path() == Kernel.LinearPath.ROWS) d.denseInputGradient(a[0], a[1], a[2], l.outer(), l.n(), l.m());
        else if (k instanceof Kernel.LinearT l) d.sparseInputGradient(a, l.outer(), l.m(), l.n());
        else if (k instanceof Kernel.WeightGrad w && w.path() == Kernel.LinearPath.ROWS)
            d.denseWeightGradients(a[2], a[3], args.contains(Fields.SETS_GRADIENTS) ? a[args.indexOf(Fields.SETS_GRADIENTS)] : -1,
                    new int[] {a[0]}, new int[] {a[1]}, List.of(true), List.of(w));
        else if (k instanceof Kernel.WeightGrad w && overSteps(w)) d.sparseWeightGradientOverSteps(a[0], a[1], a[2], a[5], a[3], a[4], a[6], a[7], w.outer(), w.n(), w.m());
        else if (k instanceof Kernel.WeightGrad w) d.sparseWeightGradient(a[0], a[1], a[2], a[3], a[4], w.outer(), w.n(), w.m());
    }

    /** The driver of dense weight gradients that share one dz, arguments {@code a} as {@link #sharedArguments} gives them. */
    void emitWeightGradients(List<Kernel.WeightGrad> grads, List<Boolean> sets, MethodBuilder m, int[] a, List<Fields.Field> args) {
        int flag = args.indexOf(Fields.SETS_GRADIENTS), first = flag < 0 ? 2 : 3;
        int[] gradients = new int[grads.size()], xs = new int[grads.size()];
        for (int g = 0; g < grads.size(); g++) {
            gradients[g] = a[first + 2 * g];
            xs[g] = a[first + 2 * g + 1];
        }
        new Driver(m).denseWeightGradients(a[0], a[1], flag < 0 ? -1 : a[flag], gradients, xs, sets, grads);
    }

    /** The packing of a dense kernel's {@link Fields#panels} from its rows, arguments {@code a} the two fields. */
    void packPanels(Param kernel, MethodBuilder m, int[] a) {
        new Driver(m).packPanels(a[0], a[1], kernel.shape().dim(0), kernel.shape().dim(1));
    }

    // ---- drivers: scalar loops over outer rows, lane blocks, register blocks and chunks of KC

    private final class Driver {
        private final MethodBuilder m;
        private final int r, lane, b, k0;

        Driver(MethodBuilder m) {
            this.m = m;
            this.r = m.local("r", Type.INT_TYPE);
            this.lane = m.local("lane", Type.INT_TYPE);
            this.b = m.local("block", Type.INT_TYPE);
            this.k0 = m.local("k0", Type.INT_TYPE);
        }

        /** {@code for k0 = from; k0 < to; k0 += KC: body(k0, min(to, k0 + KC))}. */
        private void overChunks(MethodBuilder.Body from, MethodBuilder.Body to, MethodBuilder.Body body) {
            m.forLoop(k0, from, to, KC, body);
        }

        private MethodBuilder.Body chunkEnd(MethodBuilder.Body to) {
            return m.min(to, m.at(k0, KC));
        }

        /** Zeroes rows [r size, r size + size) of a tile. */
        private void zeroRows(int rows, int size) {
            int q = m.local("q", Type.INT_TYPE), row = m.local("row", F1);
            m.forLoop(q, 0, size, () -> {
                m.rowOf(rows, m.sum(m.scaled(r, size, 0), m.value(q)), row);
                m.zero(row);
            });
        }

        /** Blocks of {@code block} along an axis of {@code size}, then one block of the rest (a micro-kernel per width: the rest of 1,024 rows in 12s is one call of 4 rows, not 4 of 1). */
        private void overBlocks(int size, int block, java.util.function.IntConsumer blockOfWidth) {
            int full = size - size % block;
            if (full > 0) m.forLoop(b, 0, full, block, () -> blockOfWidth.accept(block));
            if (full < size) {
                m.set(b, m.constant(full));
                blockOfWidth.accept(size - full);
            }
        }

        /**
         * In the tile's layout, blocks of the shape's rows of z ({@link VectorShape#gradientRows}) x 2 vectors of lanes: per
         * input a row of x loaded and the block's weights broadcast from W's row. The lane blocks innermost: a panel of
         * weights (KC inputs x the block's units) read from memory once. The first chunk of inputs sets z, the others add.
         */
        void denseForward(int w, int x, int z, int outer, int n, int units, boolean panels) {
            m.forLoop(r, 0, outer, () -> overBlocks(units, shape.gradientRows(), width -> {
                m.set(k0, m.constant(0)); // the first chunk, once
                LaneBlocks.over(m, lane, 2, () -> forwardCall(width, true, panels, w, x, z, n, units));
                if (n > KC) overChunks(m.constant(KC), m.constant(n), () -> LaneBlocks.over(m, lane, 2, () -> forwardCall(width, false, panels, w, x, z, n, units)));
            }));
        }

        private void forwardCall(int width, boolean fresh, boolean panels, int w, int x, int z, int n, int units) {
            List<Object> args = new ArrayList<>(List.of(w, x, z, m.scaled(r, n, 0), m.scaled(r, units, 0), m.value(b), m.value(k0), chunkEnd(m.constant(n)), m.value(lane)));
            if (panels) args.add(m.scaled(b, n, 0)); // the block's run starts past the blocks before it: b units of n inputs
            call(micro.forwardBlock(width, fresh, panels), args.toArray());
        }

        /** {@code panels[b n + i width + u] = w[i][b + u]}: the blocks of {@link #denseForward} (the last the rest), each input by input. */
        void packPanels(int w, int panels, int n, int units) {
            int i = m.local("i", Type.INT_TYPE), u = m.local("u", Type.INT_TYPE), row = m.local("row", F1);
            overBlocks(units, shape.gradientRows(), width -> m.forLoop(i, 0, n, () -> {
                m.rowOf(w, m.value(i), row);
                m.forLoop(u, 0, width, () -> {
                    m.loadLocal(panels);
                    m.sum(m.sum(m.scaled(b, n, 0), m.scaled(i, width, 0)), m.value(u)).emit();
                    m.elementOf(row, m.sum(m.value(b), m.value(u))).emit();
                    m.arrayStore(Type.FLOAT_TYPE);
                });
            }));
        }

        /** {@code width - width % (k V)}: where blocks of k vectors end in a padded row (a multiple of 16). */
        private MethodBuilder.Body wholeBlocks(int width, int k) {
            return () -> {
                m.push(width);
                m.push(width);
                vectors(k).emit();
                m.math(GeneratorAdapter.REM, Type.INT_TYPE);
                m.math(GeneratorAdapter.SUB, Type.INT_TYPE);
            };
        }

        /** {@code flat[s width + f] = rows[r size + f][s]}: a row of the tile's rows per f, sample-major in one array. */
        private void transpose(int rows, int flat, int r, int size, int f, int s, int width) {
            int row = m.local("row", F1);
            m.forLoop(f, 0, size, () -> {
                m.rowOf(rows, m.sum(m.scaled(r, size, 0), m.value(f)), row);
                m.forLoop(s, 0, Tiling.SIZE, () -> {
                    m.loadLocal(flat);
                    m.sum(m.scaled(s, width, 0), m.value(f)).emit();
                    m.elementOf(row, s).emit();
                    m.arrayStore(Type.FLOAT_TYPE);
                });
            });
        }

        void denseInputGradient(int w, int dz, int dx, int outer, int n, int units) {
            m.forLoop(r, 0, outer, () -> {
                zeroRows(dx, n);
                // the lane blocks innermost: a panel of weights (the block's rows x KC units) read from memory once
                overBlocks(n, shape.gradientRows(), width -> overChunks(m.constant(0), m.constant(units), () -> LaneBlocks.over(m, lane, 2, () ->
                        call(micro.inputGradientBlock(width), w, dz, dx, m.scaled(r, units, 0), m.scaled(r, n, 0), m.value(b), m.value(k0), chunkEnd(m.constant(units)), m.value(lane)))));
            });
        }

        /**
         * dz copied sample-major ({@code dzT[s stride + j]}, {@link Fields#flatStride}) per outer row, once for every
         * weight gradient {@code grads} of that dz; then each one's blocks of inputs x 2 vectors of units over all lanes.
         * {@code sets} (a local, or -1) with {@code setting.get(g)}: the first outer row of a batch's first tile sets gradient g.
         */
        void denseWeightGradients(int dz, int dzT, int sets, int[] gradients, int[] xs, List<Boolean> setting, List<Kernel.WeightGrad> grads) {
            int units = grads.get(0).m(), outer = grads.get(0).outer();
            int width = CompiledNetwork.paddedRow(units), j = m.local("j", Type.INT_TYPE), s = m.local("s", Type.INT_TYPE), full = m.local("full", Type.INT_TYPE);
            m.forLoop(r, 0, outer, () -> {
                transpose(dz, dzT, r, units, j, s, Fields.flatStride(units));
                // two vectors of units at a time, then one where a padded row (a multiple of 16) leaves one over
                m.set(full, wholeBlocks(width, 2));
                for (int g = 0; g < grads.size(); g++) {
                    int grad = gradients[g], x = xs[g], n = grads.get(g).n();
                    if (sets < 0 || !setting.get(g)) weightBlocks(grad, x, dzT, n, units, width, j, full, false);
                    else { // sets && r == 0: the gradient's entries from this tile's sums alone
                        Label add = new Label(), done = new Label();
                        m.loadLocal(sets);
                        m.ifZCmp(GeneratorAdapter.EQ, add);
                        m.loadLocal(r);
                        m.ifZCmp(GeneratorAdapter.NE, add);
                        weightBlocks(grad, x, dzT, n, units, width, j, full, true);
                        m.goTo(done);
                        m.mark(add);
                        weightBlocks(grad, x, dzT, n, units, width, j, full, false);
                        m.mark(done);
                    }
                }
            });
        }

        /** Outer row r's gradient blocks: {@code fresh}, set from this tile's sums; else added to. */
        private void weightBlocks(int grad, int x, int dzT, int n, int units, int width, int j, int full, boolean fresh) {
            int stride = Fields.flatStride(units);
            overBlocks(n, shape.weightInputs(), inputs -> {
                m.forLoopBy(j, m.constant(0), m.value(full), vectors(2), () -> call(micro.weightBlock(inputs, 2, stride, fresh), grad, x, dzT, m.scaled(r, n, 0), m.value(b), m.value(j)));
                m.forLoopBy(j, m.value(full), m.constant(width), vectors(1), () -> call(micro.weightBlock(inputs, 1, stride, fresh), grad, x, dzT, m.scaled(r, n, 0), m.value(b), m.value(j)));
            });
        }

        /** Pushes {@code k V}. */
        private MethodBuilder.Body vectors(int k) {
            return () -> {
                m.getStatic(Fields.LENGTH);
                m.push(k);
                m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            };
        }

        /**
         * The sparse input gradient, {@code a} as {@link #arguments} gives them: where units paired with a twin of the same
         * inputs ({@link SparseParam#twins}) are at least half of them, scattered by unit ({@link #scatterByUnit}), else
         * summed by input ({@link #sparseByInput}); the pairs are known when the network's index is, so the driver holds both.
         */
        void sparseInputGradient(int[] a, int outer, int units, int inputs) {
            Label byInput = new Label(), done = new Label();
            m.push(4);
            m.elementOf(a[8], m.constant(0)).emit();
            m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            m.push(units);
            m.ifICmp(GeneratorAdapter.LT, byInput);
            scatterByUnit(a[0], a[6], a[7], a[8], a[4], a[5], outer, units, inputs);
            m.goTo(done);
            m.mark(byInput);
            sparseByInput(a[0], a[1], a[2], a[3], a[4], a[5], outer, units, inputs);
            m.mark(done);
        }

        /** {@code dx = 0}, then per unit (a pair of twins at a time, then the others) and connection, {@code dx[input] += w dz[unit]}. */
        private void scatterByUnit(int values, int start, int index, int twins, int dz, int dx, int outer, int units, int inputs) {
            int o = m.local("o", Type.INT_TYPE), end = m.local("end", Type.INT_TYPE), p = m.local("p", Type.INT_TYPE), singles = m.local("singles", Type.INT_TYPE),
                    twin = m.local("twin", Type.INT_TYPE), toTwin = m.local("toTwin", Type.INT_TYPE);
            m.set(singles, m.sum(m.scaled(m.elementOf(twins, m.constant(0)), 2), m.constant(1)));
            m.forLoop(r, 0, outer, () -> {
                zeroRows(dx, inputs);
                LaneBlocks.perForm(m, shape, lane, lanes -> () -> {
                    m.forLoop(p, m.constant(1), m.value(singles), 2, () -> {
                        m.set(o, m.elementOf(twins, p));
                        m.set(twin, m.elementOf(twins, m.at(p, 1)));
                        m.set(toTwin, m.intDifference(m.elementOf(start, twin), m.elementOf(start, o)));
                        scatterChunks(true, lanes, values, start, index, dz, dx, units, inputs, o, twin, toTwin, end);
                    });
                    m.forLoop(p, m.value(singles), m.constant(units + 1), () -> {
                        m.set(o, m.elementOf(twins, p));
                        scatterChunks(false, lanes, values, start, index, dz, dx, units, inputs, o, o, o, end);
                    });
                });
            });
        }

        private void scatterChunks(boolean paired, int lanes, int values, int start, int index, int dz, int dx, int units, int inputs, int o, int twin, int toTwin, int end) {
            m.set(end, m.elementOf(start, m.at(o, 1)));
            overChunks(m.elementOf(start, o), m.value(end), () -> call(micro.scatter(paired, lanes), values, index, dz, dx, m.scaled(r, units, 0), m.scaled(r, inputs, 0),
                    m.value(o), m.value(twin), paired ? m.value(toTwin) : m.constant(0), m.value(k0), chunkEnd(m.value(end)), m.value(lane)));
        }

        /**
         * The input gradient: a sum over each input's present connections through the row index, {@code position}
         * saying where each entry sits among the values (the forward sums by unit: {@link #sparseForward}).
         */
        void sparseByInput(int values, int start, int index, int position, int in, int out, int outer, int nIn, int nOut) {
            int o = m.local("o", Type.INT_TYPE), end = m.local("end", Type.INT_TYPE);
            m.forLoop(r, 0, outer, () -> LaneBlocks.perForm(m, shape, lane, lanes -> () -> m.forLoop(o, 0, nOut, () ->
                    overConnections(true, lanes, values, start, index, position, in, out, nIn, nOut, o, end))));
        }

        /** Output o's connections in chunks of {@link #KC}: the first sets its lanes (zeros for a unit without connections), the others add to them. */
        private void overConnections(boolean positioned, int lanes, int values, int start, int index, int position, int in, int out, int nIn, int nOut, int o, int end) {
            m.set(k0, m.elementOf(start, o));
            m.set(end, m.elementOf(start, m.at(o, 1)));
            gather(positioned, lanes, true, values, index, position, in, out, nIn, nOut, o, end);
            m.forLoop(k0, m.at(k0, KC), m.value(end), KC, () -> gather(positioned, lanes, false, values, index, position, in, out, nIn, nOut, o, end));
        }

        /**
         * The forward sum by unit, the units paired with a twin of the same inputs ({@link SparseParam#twins})
         * two at a time (each input row loaded once for both), then the others.
         */
        void sparseForward(int values, int start, int index, int twins, int in, int out, int outer, int nIn, int nOut) {
            int o = m.local("o", Type.INT_TYPE), end = m.local("end", Type.INT_TYPE), p = m.local("p", Type.INT_TYPE), singles = m.local("singles", Type.INT_TYPE),
                    twin = m.local("twin", Type.INT_TYPE), toTwin = m.local("toTwin", Type.INT_TYPE);
            m.set(singles, m.sum(m.scaled(m.elementOf(twins, m.constant(0)), 2), m.constant(1)));
            m.forLoop(r, 0, outer, () -> LaneBlocks.perForm(m, shape, lane, lanes -> () -> {
                m.forLoop(p, m.constant(1), m.value(singles), 2, () -> {
                    m.set(o, m.elementOf(twins, p));
                    m.set(twin, m.elementOf(twins, m.at(p, 1)));
                    m.set(k0, m.elementOf(start, o));
                    m.set(end, m.elementOf(start, m.at(o, 1)));
                    m.set(toTwin, m.intDifference(m.elementOf(start, twin), m.value(k0)));
                    for (boolean fresh : new boolean[] {true, false}) {
                        MethodBuilder.Body chunk = () -> call(micro.gatherPair(lanes, fresh), values, index, in, out, m.scaled(r, nIn, 0), m.scaled(r, nOut, 0), m.value(o), m.value(twin),
                                m.value(toTwin), m.value(k0), chunkEnd(m.value(end)), m.value(lane));
                        if (fresh) chunk.emit();
                        else m.forLoop(k0, m.at(k0, KC), m.value(end), KC, chunk);
                    }
                });
                m.forLoop(p, m.value(singles), m.constant(nOut + 1), () -> {
                    m.set(o, m.elementOf(twins, p));
                    overConnections(false, lanes, values, start, index, -1, in, out, nIn, nOut, o, end);
                });
            }));
        }

        /** One call of a gather micro-kernel over connections [k0, min(end, k0 + KC)) of output o. */
        private void gather(boolean positioned, int lanes, boolean fresh, int values, int index, int position, int in, int out, int nIn, int nOut, int o, int end) {
            Method kernel = micro.gather(positioned, lanes, fresh);
            if (positioned) call(kernel, values, index, position, in, out, m.scaled(r, nIn, 0), m.scaled(r, nOut, 0), m.value(o), m.value(k0), chunkEnd(m.value(end)), m.value(lane));
            else call(kernel, values, index, in, out, m.scaled(r, nIn, 0), m.scaled(r, nOut, 0), m.value(o), m.value(k0), chunkEnd(m.value(end)), m.value(lane));
        }

        /** By unit, row by row: per present connection k of unit j, {@code grad[k] += sum over lanes of x[rowIndex[k]] dz[j]} (the values' order). */
        void sparseWeightGradient(int grad, int start, int input, int x, int dz, int outer, int n, int units) {
            int j = m.local("j", Type.INT_TYPE);
            m.forLoop(r, 0, outer, () -> LaneBlocks.perForm(m, shape, lane, lanes -> () -> m.forLoop(j, 0, units, () -> overChunks(m.elementOf(start, j), m.elementOf(start, m.at(j, 1)), () ->
                    call(micro.sparseWeightBlock(lanes), grad, input, x, dz, m.scaled(r, n, 0), m.scaled(r, units, 0), m.value(j), m.value(k0),
                            chunkEnd(m.elementOf(start, m.at(j, 1))), m.value(lane))))));
        }

        /**
         * Over a sequence's steps ({@link #overSteps}), a chunk of {@link #ROWS_PER_CALL} steps at a time: the chunk's
         * input rows copied input by input into {@code xs}; then the units paired with a twin of the same inputs
         * ({@code twins}, {@link SparseParam#twins}), two at a time, and the others: their dz rows copied
         * into {@code ds}, their connections a block at a time ({@link VectorShape#stepConnections}), each summed over the
         * chunk's steps in vectors and across lanes once. A pair loads each input row once for both units' sums.
         */
        void sparseWeightGradientOverSteps(int grad, int start, int input, int twins, int x, int dz, int xs, int ds, int outer, int n, int units) {
            int j = m.local("j", Type.INT_TYPE), p = m.local("p", Type.INT_TYPE), singles = m.local("singles", Type.INT_TYPE), rows = m.local("rows", Type.INT_TYPE),
                    i = m.local("i", Type.INT_TYPE), twin = m.local("twin", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE),
                    end = m.local("end", Type.INT_TYPE), toTwin = m.local("toTwin", Type.INT_TYPE);
            int stride = Fields.stepStride();
            m.set(singles, m.sum(m.scaled(m.elementOf(twins, m.constant(0)), 2), m.constant(1)));
            m.forLoop(r, 0, outer, ROWS_PER_CALL, () -> {
                m.set(rows, m.intDifference(m.min(m.constant(outer), m.at(r, ROWS_PER_CALL)), m.value(r)));
                m.forLoop(i, 0, n, () -> copySteps(x, xs, i, n, m.scaled(i, stride, 0), rows));
                m.forLoop(p, m.constant(1), m.value(singles), 2, () -> {
                    m.set(j, m.elementOf(twins, p));
                    m.set(twin, m.elementOf(twins, m.at(p, 1)));
                    copySteps(dz, ds, j, units, m.constant(0), rows);
                    copySteps(dz, ds, twin, units, m.constant(stride), rows);
                    m.set(toTwin, m.intDifference(m.elementOf(start, twin), m.elementOf(start, j)));
                    overStepBlocks(2, grad, input, xs, ds, start, j, k, end, toTwin, rows);
                });
                m.forLoop(p, m.value(singles), m.constant(units + 1), () -> {
                    m.set(j, m.elementOf(twins, p));
                    copySteps(dz, ds, j, units, m.constant(0), rows);
                    m.set(toTwin, m.constant(0));
                    overStepBlocks(1, grad, input, xs, ds, start, j, k, end, toTwin, rows);
                });
            });
        }

        /** {@code to[at + q 32 ..] = rows[(r + q) width + f]} for the chunk's steps q: one input's (or unit's) steps, one after the other ({@link ContractionMicroKernels#copySteps}). */
        private void copySteps(int rows, int to, int f, int width, MethodBuilder.Body at, int steps) {
            call(micro.copySteps(), rows, to, m.sum(m.scaled(r, width, 0), m.value(f)), m.constant(width), at, m.value(steps));
        }

        /** Unit j's (and its twin's) connections in blocks of the shape's, half of it and one, per 2 lane vectors. */
        private void overStepBlocks(int unitsPerCall, int grad, int input, int xs, int ds, int start, int j, int k, int end, int toTwin, int rows) {
            int widest = shape.stepConnections(unitsPerCall);
            int[] blocks = java.util.stream.IntStream.of(widest, widest / 2, 1).filter(b -> b >= 1).distinct().toArray();
            LaneBlocks.over(m, lane, STEP_LANE_VECTORS, () -> {
                m.set(k, m.elementOf(start, j));
                m.set(end, m.elementOf(start, m.at(j, 1)));
                for (int block : blocks)
                    m.forLoop(k, m.value(k), m.minus(m.value(end), block - 1), block, () -> call(micro.sparseWeightOverSteps(unitsPerCall, block, STEP_LANE_VECTORS), grad, input, xs, ds,
                            m.value(k), m.value(toTwin), m.value(rows), m.value(lane)));
            });
        }

        /** {@code Self.micro(args)}: array arguments are locals, int arguments code that pushes them. */
        private void call(Method micro, Object... args) {
            for (Object arg : args) {
                if (arg instanceof Integer local) m.loadLocal(local);
                else ((MethodBuilder.Body) arg).emit();
            }
            m.invokeStatic(m.owner(), micro);
        }
    }
}
