package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntFunction;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import nnet.runtime.math.ConvPlan;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The drivers of the conv2d and maxpool-gradient kernels in {@code <Network>$Vector}: scalar loops
 * over blocks of lanes and the jobs of a {@link ConvPlan}, calling {@link ConvMicroKernels} with
 * bounded work per call (a chunk of taps, or of positions). A job's block size picks the
 * micro-kernel; the sizes a plan uses are known when the network is compiled (the plan is built
 * from the same table then and when the network is constructed), so only those are emitted.
 */
final class ConvVectors {
    /** Taps per call of a product micro-kernel, positions per call of a kernel-gradient one: bounded loops. */
    static final int TAPS_PER_CALL = 128, POSITIONS_PER_CALL = 256;
    private static final Type INT = Type.INT_TYPE;

    private final ConvMicroKernels micro;
    private final VectorShape shape;

    ConvVectors(ConvMicroKernels micro, VectorShape shape) {
        this.micro = micro;
        this.shape = shape;
    }

    /** The arguments of a conv's or a maxpool gradient's vector form, in order; null for kernels without one. */
    static List<Fields.Field> arguments(Kernel k) {
        if (k instanceof Kernel.Conv c) return arguments(c, Fields::tileRows, forward -> part -> Fields.tilePlan(c.kernel(), forward, part));
        if (k instanceof Kernel.PoolGrad p && p.max()) return List.of(Fields.tileRows(p.x()), Fields.tileRows(p.dy()), Fields.tileRows(p.dx()));
        return null;
    }

    /**
     * A conv's arguments in either Vector API form, a tile's or one sample's: the side it reads, the side
     * it writes, the weights (or gradient storage) and the bias, then the parts of its plan.
     */
    static List<Fields.Field> arguments(Kernel.Conv c, Function<Buffer, Fields.Field> rows, Function<Boolean, Function<String, Fields.Field>> plan) {
        List<Fields.Field> a = sides(c, rows);
        for (String part : Fields.PLAN_PARTS) a.add(plan.apply(c.role() != Kernel.ConvRole.INPUT_GRAD).apply(part));
        return a;
    }

    /** The first of a conv's {@link #arguments}: the side it reads, the side it writes, the weights (or gradient storage) and the bias. */
    static List<Fields.Field> sides(Kernel.Conv c, Function<Buffer, Fields.Field> rows) {
        List<Fields.Field> a = new ArrayList<>();
        switch (c.role()) {
            case FORWARD -> {
                a.add(rows.apply(c.image()));
                a.add(rows.apply(c.outputSide()));
                a.add(Fields.values(c.kernel()));
                if (c.bias() != null) a.add(Fields.values(c.bias()));
            }
            case INPUT_GRAD -> {
                a.add(rows.apply(c.outputSide()));
                a.add(rows.apply(c.image()));
                a.add(Fields.values(c.kernel()));
            }
            case KERNEL_GRAD -> {
                a.add(rows.apply(c.image()));
                a.add(rows.apply(c.outputSide()));
                a.add(Fields.gradient(c.kernel()));
            }
        }
        return a;
    }

    /** The body of a kernel's vector method, its arguments in locals {@code a} (in the order of {@link #arguments}). */
    void emit(Kernel k, MethodBuilder m, int[] a) {
        if (k instanceof Kernel.Conv c) {
            ConvPlan plan = ConvTiles.plan(c, c.role() != Kernel.ConvRole.INPUT_GRAD, shape);
            int n = a.length;
            int jobs = a[n - 3], taps = a[n - 2], positions = a[n - 1];
            switch (c.role()) {
                case FORWARD -> {
                    ConvTiles.startFromBias(m, a[1], c.bias() == null ? -1 : a[3], c.geo());
                    products(m, a[0], a[1], a[2], jobs, taps, positions, plan, false);
                }
                case INPUT_GRAD -> {
                    ConvTiles.zeroRows(m, a[1]);
                    products(m, a[0], a[1], a[2], jobs, taps, positions, plan, false);
                }
                case KERNEL_GRAD -> kernelGradient(m, a[0], a[1], a[2], jobs, taps, positions, plan, false);
            }
        } else if (k instanceof Kernel.PoolGrad p) maxPoolGradient(m, a[0], a[1], a[2], p.geo());
    }

    /**
     * The body of one sample's conv vector form ({@link ConvSampleVectors#arguments} in {@code a}): the
     * image copied into its scratch rows (or dy into its own), the products or gradient over the
     * one-sample plan, and scratch rows copied back where the buffer's rows are not whole vectors.
     * The scratch layout depends on the vector length, so its widths are computed here from V.
     */
    void emitSample(Kernel.Conv c, MethodBuilder m, int[] a) {
        ConvPlan.Geometry g = c.geo();
        ConvPlan plan = ConvSampleVectors.plan(c, c.role() != Kernel.ConvRole.INPUT_GRAD);
        int n = a.length, jobs = a[n - 4], taps = a[n - 3], positions = a[n - 2], scratch = a[n - 1];
        int lanes = m.local("lanes", INT), inWidth = m.local("inWidth", INT), outWidth = m.local("outWidth", INT), dyWidth = m.local("dyWidth", INT),
                dxWidth = m.local("dxWidth", INT), target = m.local("target", Fields.FLOATS), r = m.local("r", INT);
        m.set(lanes, () -> m.getStatic(Fields.LENGTH));
        m.set(outWidth, roundUp(m, g.ow(), lanes));
        m.set(inWidth, m.sum(m.value(outWidth), m.constant(g.kw() - 1)));
        m.set(dxWidth, roundUp(m, g.w(), lanes));
        m.set(dyWidth, m.sum(m.value(dxWidth), m.constant(g.kw() - 1)));
        switch (c.role()) {
            case FORWARD -> {
                copyRows(m, a[0], g.w(), scratchPart(m, scratch, ConvPlan.IN), inWidth, g.padLeft(), g.c() * g.h(), r);
                inPlaceOr(m, target, a[1], g.ow(), outWidth, scratch, ConvPlan.OUT);
                int o = m.local("o", INT), size = m.local("size", INT);
                m.set(size, m.scaled(outWidth, g.oh(), 0));
                m.forLoop(o, 0, g.f(), () -> { // Arrays.fill(target, o size, (o + 1) size, bias[o] or 0)
                    m.loadLocal(target);
                    m.loadLocal(o);
                    m.loadLocal(size);
                    m.math(GeneratorAdapter.MUL, INT);
                    m.sum(m.value(o), m.constant(1)).emit();
                    m.loadLocal(size);
                    m.math(GeneratorAdapter.MUL, INT);
                    if (c.bias() == null) m.push(0f);
                    else m.elementOf(a[3], o).emit();
                    m.invoke(Call.FILL_RANGE);
                });
                products(m, scratchPart(m, scratch, ConvPlan.IN), target, a[2], jobs, taps, positions, plan, true);
                copyBack(m, target, a[1], g.ow(), outWidth, g.f() * g.oh(), r);
            }
            case INPUT_GRAD -> {
                copyRows(m, a[0], g.ow(), scratchPart(m, scratch, ConvPlan.DY), dyWidth, g.kw() - 1 - g.padLeft(), g.f() * g.oh(), r);
                inPlaceOr(m, target, a[1], g.w(), dxWidth, scratch, ConvPlan.DX);
                m.loadLocal(target);
                m.push(0f);
                m.invoke(Call.FILL);
                products(m, scratchPart(m, scratch, ConvPlan.DY), target, a[2], jobs, taps, positions, plan, true);
                copyBack(m, target, a[1], g.w(), dxWidth, g.c() * g.h(), r);
            }
            case KERNEL_GRAD -> {
                copyRows(m, a[0], g.w(), scratchPart(m, scratch, ConvPlan.IN), inWidth, g.padLeft(), g.c() * g.h(), r);
                inPlaceOr(m, target, a[1], g.ow(), outWidth, scratch, ConvPlan.DY_ROWS);
                Label same = new Label();
                m.loadLocal(target);
                m.loadLocal(a[1]);
                m.ifCmp(Fields.FLOATS, GeneratorAdapter.EQ, same);
                copyRows(m, a[1], g.ow(), target, outWidth, 0, g.f() * g.oh(), r);
                m.mark(same);
                kernelGradient(m, scratchPart(m, scratch, ConvPlan.IN), target, a[2], jobs, taps, positions, plan, true);
            }
        }
    }

    /** Pushes {@code ceil(size / lanes) lanes}. */
    private static MethodBuilder.Body roundUp(MethodBuilder m, int size, int lanes) {
        return () -> {
            m.push(size - 1);
            m.loadLocal(lanes);
            m.math(GeneratorAdapter.ADD, INT);
            m.loadLocal(lanes);
            m.math(GeneratorAdapter.DIV, INT);
            m.loadLocal(lanes);
            m.math(GeneratorAdapter.MUL, INT);
        };
    }

    /** A new local holding {@code scratch[part]}. */
    private static int scratchPart(MethodBuilder m, int scratch, int part) {
        int l = m.local("scratch" + part, Fields.FLOATS);
        m.rowOf(scratch, m.constant(part), l);
        return l;
    }

    /** {@code target = width == rowWidth ? buffer : scratch[part]}: rows of whole vectors are written in place. */
    private static void inPlaceOr(MethodBuilder m, int target, int buffer, int rowWidth, int width, int scratch, int part) {
        Label inPlace = new Label(), done = new Label();
        m.loadLocal(width);
        m.push(rowWidth);
        m.ifICmp(GeneratorAdapter.EQ, inPlace);
        m.rowOf(scratch, m.constant(part), target);
        m.goTo(done);
        m.mark(inPlace);
        m.set(target, m.value(buffer));
        m.mark(done);
    }

    /** {@code for r < rows: arraycopy(from, r rowWidth, to, r width + at, rowWidth)}: rows into wider scratch rows. */
    private static void copyRows(MethodBuilder m, int from, int rowWidth, int to, int width, int at, int rows, int r) {
        m.forLoop(r, 0, rows, () -> {
            m.loadLocal(from);
            m.scaled(r, rowWidth, 0).emit();
            m.loadLocal(to);
            m.sum(() -> {
                m.loadLocal(r);
                m.loadLocal(width);
                m.math(GeneratorAdapter.MUL, INT);
            }, m.constant(at)).emit();
            m.push(rowWidth);
            m.invoke(Call.ARRAYCOPY);
        });
    }

    /** The rows of {@code scratch} (when it is not the buffer itself) back into the buffer's narrower rows. */
    private static void copyBack(MethodBuilder m, int scratch, int buffer, int rowWidth, int width, int rows, int r) {
        Label same = new Label();
        m.loadLocal(scratch);
        m.loadLocal(buffer);
        m.ifCmp(Fields.FLOATS, GeneratorAdapter.EQ, same);
        m.forLoop(r, 0, rows, () -> {
            m.loadLocal(scratch);
            m.loadLocal(r);
            m.loadLocal(width);
            m.math(GeneratorAdapter.MUL, INT);
            m.loadLocal(buffer);
            m.scaled(r, rowWidth, 0).emit();
            m.push(rowWidth);
            m.invoke(Call.ARRAYCOPY);
        });
        m.mark(same);
    }

    /** The ints of job {@code j} in locals, named as in {@link ConvPlan}. */
    private record Job(int dst0, int dstStride, int w0, int wStride, int block, int t0, int t1, int p0, int p1) {
        static Job load(MethodBuilder m, int jobs, int j) {
            String[] names = {"dst0", "dstStride", "w0", "wStride", "block", "t0", "t1", "p0", "p1"};
            int[] l = new int[names.length];
            for (int f = 0; f < names.length; f++) {
                l[f] = m.local(names[f], INT);
                int field = f;
                m.set(l[f], m.elementOf(jobs, m.sum(m.value(j), m.constant(field))));
            }
            return new Job(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8]);
        }
    }

    /** Over the tile's blocks of lanes ({@link LaneBlocks#perForm}), or once for one sample (whose vectors are columns of its image). */
    private void perLaneBlock(MethodBuilder m, boolean sample, int lane, IntFunction<MethodBuilder.Body> body) {
        if (sample) body.apply(2).emit(); // as the 2-vector tile kernels block their channels
        else LaneBlocks.perForm(m, shape, lane, body);
    }

    /**
     * For each block of lanes and each job: the product micro-kernel of the job's block size over its
     * positions, in chunks of taps; a block of more channels than the shape's registers hold in sub-blocks.
     */
    private void products(MethodBuilder m, int src, int dst, int w, int jobs, int taps, int positions, ConvPlan plan, boolean sample) {
        int lane = m.local("lane", INT), j = m.local("j", INT), p = m.local("p", INT), t = m.local("t", INT);
        int dstSub = m.local("dstSub", INT), wSub = m.local("wSub", INT);
        perLaneBlock(m, sample, lane, lanes -> () -> m.forLoop(j, m.constant(0), () -> {
            m.loadLocal(jobs);
            m.arrayLength();
        }, ConvPlan.JOB, () -> {
            Job job = Job.load(m, jobs, j);
            int perCall = shape.convChannels(lanes);
            for (int size : plan.blockSizes())
                m.ifEquals(job.block(), size, () -> {
                    for (int q0 = 0; q0 < size; q0 += perCall) {
                        int channels = Math.min(perCall, size - q0), first = q0;
                        m.set(dstSub, m.sum(m.value(job.dst0()), m.scaled(job.dstStride(), first, 0)));
                        m.set(wSub, m.sum(m.value(job.w0()), m.scaled(job.wStride(), first, 0)));
                        int count = sample ? shape.convSamplePositions(channels) : shape.convPositions(channels, lanes);
                        Method whole = sample ? micro.sampleProduct(channels, count) : micro.product(channels, count, lanes);
                        Method single = sample ? micro.sampleProduct(channels, 1) : micro.product(channels, 1, lanes);
                        m.set(p, m.value(job.p0()));
                        // whole groups of positions, then one at a time
                        if (count > 1) m.whileAtMost(m.sum(m.value(p), m.constant(count)), m.value(job.p1()), () -> {
                            productChunks(m, whole, src, dst, w, taps, positions, job, dstSub, wSub, p, t, sample ? -1 : lane);
                            m.iinc(p, count);
                        });
                        m.whileAtMost(m.sum(m.value(p), m.constant(1)), m.value(job.p1()), () -> {
                            productChunks(m, single, src, dst, w, taps, positions, job, dstSub, wSub, p, t, sample ? -1 : lane);
                            m.iinc(p, 1);
                        });
                    }
                });
        }));
    }

    /**
     * {@code for t = t0; t < t1; t += TAPS_PER_CALL: micro(..., t, min(t1, t + TAPS_PER_CALL), p, dst0, ..., w0, ..., [lane])}
     * for the sub-block whose first rows are {@code dst0} and {@code w0}; lane -1 for one sample's.
     */
    private void productChunks(MethodBuilder m, Method micro, int src, int dst, int w, int taps, int positions, Job job, int dst0, int w0, int p, int t, int lane) {
        m.forLoop(t, m.value(job.t0()), m.value(job.t1()), TAPS_PER_CALL, () -> {
            for (int local : new int[] {src, dst, w, taps, positions}) m.loadLocal(local);
            m.loadLocal(t);
            m.min(m.value(job.t1()), m.at(t, TAPS_PER_CALL)).emit();
            for (int local : new int[] {p, dst0, job.dstStride(), w0, job.wStride()}) m.loadLocal(local);
            if (lane >= 0) m.loadLocal(lane);
            m.invokeStatic(m.owner(), micro);
        });
    }

    /**
     * For each block of lanes and each job: the job's block in sub-blocks of at most 4 filters (the
     * shape's), each over groups of taps and chunks of positions; the last taps one at a time.
     */
    private void kernelGradient(MethodBuilder m, int x, int dy, int grad, int jobs, int taps, int positions, ConvPlan plan, boolean sample) {
        int lane = m.local("lane", INT), j = m.local("j", INT), qq = m.local("qq", INT), sub = m.local("sub", INT), t = m.local("t", INT), p = m.local("p", INT);
        int dy0 = m.local("dySub", INT), g0 = m.local("gSub", INT);
        perLaneBlock(m, sample, lane, lanes -> () -> m.forLoop(j, m.constant(0), () -> {
            m.loadLocal(jobs);
            m.arrayLength();
        }, ConvPlan.JOB, () -> {
            Job job = Job.load(m, jobs, j);
            int perCall = shape.gradientChannels(lanes);
            TreeSet<Integer> subSizes = new TreeSet<>();
            for (int size : plan.blockSizes()) for (int q = 0; q < size; q += perCall) subSizes.add(Math.min(perCall, size - q));
            m.forLoop(qq, m.constant(0), m.value(job.block()), perCall, () -> {
                m.set(sub, m.min(m.constant(perCall), () -> {
                    m.loadLocal(job.block());
                    m.loadLocal(qq);
                    m.math(GeneratorAdapter.SUB, INT);
                }));
                m.set(dy0, m.sum(m.value(job.dst0()), product(m, qq, job.dstStride())));
                m.set(g0, m.sum(m.value(job.w0()), product(m, qq, job.wStride())));
                for (int size : subSizes)
                    m.ifEquals(sub, size, () -> {
                        int count = sample ? shape.convSampleTaps(size) : shape.convTaps(size);
                        m.set(t, m.value(job.t0()));
                        if (count > 1) m.whileAtMost(m.sum(m.value(t), m.constant(count)), m.value(job.t1()), () -> {
                            gradientChunks(m, sample ? micro.sampleKernelGradient(size, count) : micro.kernelGradient(size, count, lanes), x, dy, grad, taps, positions, job, t, p, dy0, g0,
                                    sample ? -1 : lane);
                            m.iinc(t, count);
                        });
                        m.whileAtMost(m.sum(m.value(t), m.constant(1)), m.value(job.t1()), () -> {
                            gradientChunks(m, sample ? micro.sampleKernelGradient(size, 1) : micro.kernelGradient(size, 1, lanes), x, dy, grad, taps, positions, job, t, p, dy0, g0,
                                    sample ? -1 : lane);
                            m.iinc(t, 1);
                        });
                    });
            });
        }));
    }

    /** {@code for p = p0; p < p1; p += POSITIONS_PER_CALL: micro(..., t, p, min(p1, p + POSITIONS_PER_CALL), ...)}. */
    private void gradientChunks(MethodBuilder m, Method micro, int x, int dy, int grad, int taps, int positions, Job job, int t, int p, int dy0, int g0, int lane) {
        m.forLoop(p, m.value(job.p0()), m.value(job.p1()), POSITIONS_PER_CALL, () -> {
            for (int local : new int[] {x, dy, grad, taps, positions, t, p}) m.loadLocal(local);
            m.min(m.value(job.p1()), m.at(p, POSITIONS_PER_CALL)).emit();
            for (int local : new int[] {dy0, job.dstStride(), g0, job.wStride()}) m.loadLocal(local);
            if (lane >= 0) m.loadLocal(lane);
            m.invokeStatic(m.owner(), micro);
        });
    }

    /** dx zeroed, then per vector of lanes, channel and output row: the micro-kernel along the row. */
    private void maxPoolGradient(MethodBuilder m, int x, int dy, int dx, Kernel.PoolGeometry geo) {
        ConvTiles.zeroRows(m, dx);
        int lane = m.local("lane", INT), c = m.local("c", INT), y = m.local("y", INT);
        Method micro = this.micro.maxPoolGradient(geo.k());
        m.forLoopBy(lane, m.constant(0), m.constant(Tiling.SIZE), () -> m.getStatic(Fields.LENGTH), () -> m.forLoop(c, 0, geo.c(), () -> m.forLoop(y, 0, geo.oh(), () -> {
            for (int local : new int[] {x, dy, dx}) m.loadLocal(local);
            m.sum(m.scaled(c, geo.h() * geo.w(), 0), m.scaled(y, geo.strideY() * geo.w(), 0)).emit();
            m.sum(m.scaled(c, geo.oh() * geo.ow(), 0), m.scaled(y, geo.ow(), 0)).emit();
            for (int k : new int[] {geo.ow(), geo.strideX(), geo.w()}) m.push(k);
            m.loadLocal(lane);
            m.invokeStatic(m.owner(), micro);
        })));
    }

    private static MethodBuilder.Body product(MethodBuilder m, int a, int b) {
        return () -> {
            m.loadLocal(a);
            m.loadLocal(b);
            m.math(GeneratorAdapter.MUL, INT);
        };
    }
}
