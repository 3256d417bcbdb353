package nnet.emit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import nnet.runtime.math.ConvPlan;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * conv2d over tile rows in plain Java, and what its forms share: the {@link ConvPlan} of each conv
 * as int arrays of the network ({@link Fields#tilePlan}, built by the constructor), and the rows a
 * kernel starts from (the bias, or 0). Every step of a plain loop is {@code row[s] += w * other[s]}
 * over the lanes, the same index on both sides (C2 vectorizes it); a product takes four taps per
 * pass over its target row. {@link ConvVectors} has the register-blocked forms, which the method
 * calls first when the Vector API is there.
 */
final class ConvTiles {
    private static final int LANES = Tiling.SIZE, FOUR = 4;
    private static final Type INT = Type.INT_TYPE, PLAN = Type.getType(ConvPlan.class);

    private final MethodBuilder m;

    ConvTiles(MethodBuilder m) {
        this.m = m;
    }

    /** The plan as the constructor will build it for kernels of {@code shape}, from the same table: the emitter reads its block sizes. */
    static ConvPlan plan(Kernel.Conv c, boolean forward, VectorShape shape) {
        int[] pairs = ConvPlan.pairs(c.geo().c(), c.geo().f(), c.kernel()::has);
        return forward ? ConvPlan.forward(pairs, c.geo(), shape.convBlock()) : ConvPlan.inputGradient(pairs, c.geo(), shape.convBlock());
    }

    /** The plans the tiled program reads: per conv kernel, forward and/or input gradient, with its geometry. */
    private static Map<List<Object>, Kernel.Conv> plans(Tiling tiling) {
        Map<List<Object>, Kernel.Conv> out = new LinkedHashMap<>();
        for (List<Tiling.Step> steps : tiling.stepLists())
            for (Tiling.Step s : steps)
                if (s instanceof Tiling.Batched b && b.kernel() instanceof Kernel.Conv c) out.putIfAbsent(List.of(c.kernel(), c.role() != Kernel.ConvRole.INPUT_GRAD), c);
        return out;
    }

    static void fields(ClassBuilder cb, Tiling tiling) {
        plans(tiling).forEach((key, c) -> {
            for (String part : Fields.PLAN_PARTS) cb.field(Fields.tilePlan(c.kernel(), (Boolean) key.get(1), part));
        });
    }

    /**
     * {@code plan = ConvPlan.of(<kernel>$pairs, sizes, forward, NARROW ? 6 : 4)}, its arrays into the plan fields: in the
     * blocks of the kernels that run ({@link VectorShape#convBlock}; the plain kernels take any).
     */
    static List<Registrations.Step> constructorSteps(Tiling tiling) {
        List<Registrations.Step> out = new ArrayList<>();
        plans(tiling).forEach((key, c) -> out.add(m -> {
            boolean forward = (Boolean) key.get(1);
            int plan = m.local("plan", PLAN);
            m.getField(Fields.channelPairs(c.kernel()));
            m.pushInts(sizes(c.geo()));
            m.push(forward);
            Label wide = new Label(), block = new Label();
            m.getStatic(Fields.NARROW);
            m.ifZCmp(GeneratorAdapter.EQ, wide);
            m.push(VectorShape.NARROW.convBlock());
            m.goTo(block);
            m.mark(wide);
            m.push(VectorShape.WIDE.convBlock());
            m.mark(block);
            m.invoke(GeneratedCode.CONV_PLAN);
            storePlan(m, plan, part -> Fields.tilePlan(c.kernel(), forward, part));
        }));
        return out;
    }

    /** A conv's geometry as {@link ConvPlan#of} takes it. */
    static int[] sizes(ConvPlan.Geometry g) {
        return new int[] {g.c(), g.h(), g.w(), g.f(), g.oh(), g.ow(), g.kh(), g.kw(), g.strideY(), g.strideX(), g.padTop(), g.padLeft()};
    }

    /** The plan on the stack into the local {@code plan}, then each of its arrays into its field. */
    static void storePlan(MethodBuilder m, int plan, java.util.function.Function<String, Fields.Field> field) {
        m.storeLocal(plan);
        for (String part : Fields.PLAN_PARTS)
            m.putField(field.apply(part), () -> {
                m.loadLocal(plan);
                m.getFieldOf(PLAN, part.toLowerCase(), Fields.INTS);
            });
    }

    /** Every row of output channel o filled with {@code bias[o]} ({@code bias} a local, or -1 for none: 0). */
    static void startFromBias(MethodBuilder m, int rows, int bias, ConvPlan.Geometry geo) {
        int o = m.local("o", INT), r = m.local("r", INT), value = m.local("value", Type.FLOAT_TYPE), positions = geo.oh() * geo.ow();
        m.forLoop(o, 0, geo.f(), () -> {
            m.set(value, bias < 0 ? () -> m.push(0f) : m.elementOf(bias, o));
            m.forLoop(r, m.scaled(o, positions, 0), m.scaled(o, positions, positions), () -> {
                m.elementOf(rows, r).emit();
                m.loadLocal(value);
                m.invoke(Call.FILL);
            });
        });
    }

    /** Every row of a tile set to 0. */
    static void zeroRows(MethodBuilder m, int rows) {
        int r = m.local("r", INT);
        m.forLoop(r, m.constant(0), () -> {
            m.loadLocal(rows);
            m.arrayLength();
        }, () -> {
            m.elementOf(rows, r).emit();
            m.push(0f);
            m.invoke(Call.FILL);
        });
    }

    private int rows(nnet.lower.Buffer b) {
        return m.fieldToLocal(Fields.tileRows(b));
    }

    private int field(Fields.Field f) {
        return m.fieldToLocal(f);
    }

    // ---- conv2d

    void conv(Kernel.Conv c) {
        boolean forwardPlan = c.role() != Kernel.ConvRole.INPUT_GRAD;
        int jobs = field(Fields.tilePlan(c.kernel(), forwardPlan, "Jobs")), taps = field(Fields.tilePlan(c.kernel(), forwardPlan, "Taps")),
                positions = field(Fields.tilePlan(c.kernel(), forwardPlan, "Positions"));
        int image = rows(c.image()), outputSide = rows(c.outputSide());
        switch (c.role()) {
            case FORWARD -> {
                startFromBias(m, outputSide, c.bias() == null ? -1 : field(Fields.values(c.bias())), c.geo());
                products(image, outputSide, field(Fields.values(c.kernel())), jobs, taps, positions);
            }
            case INPUT_GRAD -> {
                zeroRows(m, image);
                products(outputSide, image, field(Fields.values(c.kernel())), jobs, taps, positions);
            }
            case KERNEL_GRAD -> kernelGradient(image, outputSide, field(Fields.gradient(c.kernel())), jobs, taps, positions);
        }
    }

    /** The ints of the job at {@code j}, in locals. */
    private int[] job(int jobs, int j) {
        int[] l = new int[ConvPlan.JOB];
        for (int f = 0; f < l.length; f++) {
            l[f] = m.local("job" + f, INT);
            m.set(l[f], m.elementOf(jobs, m.at(j, f)));
        }
        return l;
    }

    /** {@code for j over the jobs: for q < block: body(job, q)}. */
    private void overJobs(int jobs, java.util.function.BiConsumer<int[], Integer> body) {
        int j = m.local("j", INT), q = m.local("q", INT);
        m.forLoop(j, m.constant(0), () -> {
            m.loadLocal(jobs);
            m.arrayLength();
        }, ConvPlan.JOB, () -> {
            int[] job = job(jobs, j);
            m.forLoop(q, m.constant(0), m.value(job[4]), () -> body.accept(job, q));
        });
    }

    /** {@code local = base + q stride}. */
    private void setChannel(int local, int base, int q, int stride) {
        m.set(local, m.sum(m.value(base), () -> {
            m.loadLocal(q);
            m.loadLocal(stride);
            m.math(GeneratorAdapter.MUL, INT);
        }));
    }

    /** The product of ConvPlan's documentation: per channel and position, its target row takes the taps four at a time. */
    private void products(int src, int dst, int w, int jobs, int taps, int positions) {
        int dstBase = m.local("dstBase", INT), wBase = m.local("wBase", INT), p = m.local("p", INT), t = m.local("t", INT), base = m.local("base", INT),
                s = m.local("s", INT), target = m.local("target", Fields.FLOATS);
        int[] a = new int[FOUR], r = new int[FOUR];
        for (int k = 0; k < FOUR; k++) {
            a[k] = m.local("a" + k, Type.FLOAT_TYPE);
            r[k] = m.local("row" + k, Fields.FLOATS);
        }
        overJobs(jobs, (job, q) -> {
            setChannel(dstBase, job[0], q, job[1]);
            setChannel(wBase, job[2], q, job[3]);
            m.forLoop(p, m.value(job[7]), m.value(job[8]), () -> {
                m.rowOf(dst, m.sum(m.value(dstBase), m.elementOf(positions, m.scaled(p, 2, 1))), target);
                m.set(base, m.elementOf(positions, m.scaled(p, 2, 0)));
                m.set(t, m.value(job[5]));
                MethodBuilder.Body tapsOf = () -> {
                    for (int k = 0; k < FOUR; k++) {
                        m.set(a[k], m.elementOf(w, m.sum(m.value(wBase), m.elementOf(taps, m.scaled(t, 2, 2 * k + 1)))));
                        m.rowOf(src, m.sum(m.value(base), m.elementOf(taps, m.scaled(t, 2, 2 * k))), r[k]);
                    }
                };
                m.whileAtMost(m.at(t, FOUR), m.value(job[6]), () -> {
                    tapsOf.emit();
                    m.forLoop(s, 0, LANES, () -> m.addToElement(target, m.value(s), () -> {
                        for (int k = 0; k < FOUR; k++) {
                            m.product(m.value(a[k]), m.elementOf(r[k], s)).emit();
                            if (k > 0) m.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        }
                    }));
                    m.iinc(t, FOUR);
                });
                m.whileAtMost(m.at(t, 1), m.value(job[6]), () -> {
                    m.set(a[0], m.elementOf(w, m.sum(m.value(wBase), m.elementOf(taps, m.scaled(t, 2, 1)))));
                    m.rowOf(src, m.sum(m.value(base), m.elementOf(taps, m.scaled(t, 2, 0))), r[0]);
                    m.forLoop(s, 0, LANES, () -> m.addToElement(target, m.value(s), m.product(m.value(a[0]), m.elementOf(r[0], s))));
                    m.iinc(t, 1);
                });
            });
        });
    }

    /** Per channel and tap: the products of dy and x rows summed lane by lane into a scratch row over the positions, then over the lanes. */
    private void kernelGradient(int x, int dy, int grad, int jobs, int taps, int positions) {
        int acc = field(Fields.LANES_A), dyBase = m.local("dyBase", INT), gBase = m.local("gBase", INT), t = m.local("t", INT),
                p = m.local("p", INT), s = m.local("s", INT), offset = m.local("offset", INT), dyRow = m.local("dyRow", Fields.FLOATS),
                xRow = m.local("xRow", Fields.FLOATS), sum = m.local("sum", Type.FLOAT_TYPE);
        overJobs(jobs, (job, q) -> {
            setChannel(dyBase, job[0], q, job[1]);
            setChannel(gBase, job[2], q, job[3]);
            m.forLoop(t, m.value(job[5]), m.value(job[6]), () -> {
                m.zero(acc);
                m.set(offset, m.elementOf(taps, m.scaled(t, 2, 0)));
                m.forLoop(p, m.value(job[7]), m.value(job[8]), () -> {
                    m.rowOf(dy, m.sum(m.value(dyBase), m.elementOf(positions, m.scaled(p, 2, 1))), dyRow);
                    m.rowOf(x, m.sum(m.elementOf(positions, m.scaled(p, 2, 0)), m.value(offset)), xRow);
                    m.forLoop(s, 0, LANES, () -> m.addToElement(acc, m.value(s), m.product(m.elementOf(dyRow, s), m.elementOf(xRow, s))));
                });
                m.set(sum, () -> m.push(0f));
                m.forLoop(s, 0, LANES, () -> m.set(sum, m.add(m.value(sum), m.elementOf(acc, s))));
                m.addToElement(grad, m.sum(m.value(gBase), m.elementOf(taps, m.scaled(t, 2, 1))), m.value(sum));
            });
        });
    }
}
