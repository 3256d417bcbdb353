package nnet.emit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.ir.Param;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import nnet.runtime.ConvPlan;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * conv2d, maxpool and avgpool over tile rows in plain Java, and what both kernel forms share: the
 * {@link ConvPlan} of each conv as int arrays of the network ({@code <kernel>$fwdJobs}, ... built by
 * the constructor), and the rows a kernel starts from (the bias, or 0). Every step of a plain loop
 * is {@code row[s] += w * other[s]} over the lanes, the same index on both sides (C2 vectorizes
 * it); a product takes four taps per pass over its target row. {@link ConvVectors} has the
 * register-blocked forms, which the method calls first when the Vector API is there.
 */
final class ConvTiles {
    static final List<String> PLAN_PARTS = List.of("Jobs", "Taps", "Positions");
    private static final int LANES = Tiling.SIZE, FOUR = 4;
    private static final Type INT = Type.INT_TYPE, PLAN = Type.getType(ConvPlan.class);

    private final MethodBuilder m;
    private final GeneratorAdapter g;
    private final Type self;

    ConvTiles(MethodBuilder m, Type self) {
        this.m = m;
        this.g = m.g;
        this.self = self;
    }

    /** The network field holding part of a conv's forward plan (also its kernel gradient's) or input-gradient plan. */
    static String planField(Param kernel, boolean forward, String part) {
        return ClassEmitter.fieldOf(kernel) + (forward ? "$fwd" : "$bwd") + part;
    }

    /** The plan as the constructor will build it, from the same table: the emitter reads its block sizes. */
    static ConvPlan plan(Kernel.Conv c, boolean forward) {
        int[] pairs = ConvPlan.pairs(c.geo().c(), c.geo().f(), c.kernel()::has);
        return forward ? ConvPlan.forward(pairs, c.geo()) : ConvPlan.inputGradient(pairs, c.geo());
    }

    /** The plans the tiled program reads: per conv kernel, forward and/or input gradient, with its geometry. */
    private static Map<List<Object>, Kernel.Conv> plans(Tiling tiling) {
        Map<List<Object>, Kernel.Conv> out = new LinkedHashMap<>();
        for (List<Tiling.Step> steps : tiling.stepLists())
            for (Tiling.Step s : steps)
                if (s instanceof Tiling.Batched b && b.kernel() instanceof Kernel.Conv c) out.putIfAbsent(List.of(c.kernel(), c.role() != Kernel.ConvRole.INPUT_GRAD), c);
        return out;
    }

    static void fields(ClassVisitor cv, Tiling tiling) {
        plans(tiling).forEach((key, c) -> {
            for (String part : PLAN_PARTS)
                cv.visitField(Opcodes.ACC_PRIVATE, planField(c.kernel(), (Boolean) key.get(1), part), ClassEmitter.INTS.getDescriptor(), null, null).visitEnd();
        });
    }

    /** {@code plan = ConvPlan.of(<kernel>$pairs, sizes, forward)}, its arrays into the plan fields. */
    static List<ClassEmitter.Step> constructorSteps(Type self, Tiling tiling) {
        List<ClassEmitter.Step> out = new ArrayList<>();
        plans(tiling).forEach((key, c) -> out.add(m -> {
            boolean forward = (Boolean) key.get(1);
            ConvPlan.Geometry geo = c.geo();
            int plan = m.local("plan", PLAN);
            m.g.loadThis();
            m.g.getField(self, ClassEmitter.fieldOf(c.kernel()) + "$pairs", ClassEmitter.INTS);
            ClassEmitter.pushInts(m, new int[] {geo.c(), geo.h(), geo.w(), geo.f(), geo.oh(), geo.ow(), geo.kh(), geo.kw(), geo.strideY(), geo.strideX(), geo.padTop(), geo.padLeft()});
            m.g.push(forward);
            m.invoke(GeneratedCode.CONV_PLAN);
            m.g.storeLocal(plan);
            for (String part : PLAN_PARTS) {
                m.g.loadThis();
                m.g.loadLocal(plan);
                m.g.getField(PLAN, part.toLowerCase(), ClassEmitter.INTS);
                m.g.putField(self, planField(c.kernel(), forward, part), ClassEmitter.INTS);
            }
        }));
        return out;
    }

    /** Every row of output channel o filled with {@code bias[o]} ({@code bias} a local, or -1 for none: 0). */
    static void startFromBias(MethodBuilder m, int rows, int bias, ConvPlan.Geometry geo) {
        int o = m.local("o", INT), r = m.local("r", INT), value = m.local("value", Type.FLOAT_TYPE), positions = geo.oh() * geo.ow();
        m.forLoop(o, 0, geo.f(), () -> {
            m.set(value, bias < 0 ? () -> m.g.push(0f) : m.elementOf(bias, o));
            m.forLoop(r, m.scaled(o, positions, 0), m.scaled(o, positions, positions), () -> {
                m.elementOf(rows, r).emit();
                m.g.loadLocal(value);
                m.invoke(Call.FILL);
            });
        });
    }

    /** Every row of a tile set to 0. */
    static void zeroRows(MethodBuilder m, int rows) {
        int r = m.local("r", INT);
        m.forLoop(r, m.constant(0), () -> {
            m.g.loadLocal(rows);
            m.g.arrayLength();
        }, () -> {
            m.elementOf(rows, r).emit();
            m.g.push(0f);
            m.invoke(Call.FILL);
        });
    }

    private int rows(nnet.lower.Buffer b) {
        return m.fieldToLocal(self, TileKernels.rowsField(b), ClassEmitter.ROWS);
    }

    private int field(String name, Type type) {
        return m.fieldToLocal(self, name, type);
    }

    // ---- conv2d

    void conv(Kernel.Conv c) {
        boolean forwardPlan = c.role() != Kernel.ConvRole.INPUT_GRAD;
        int jobs = field(planField(c.kernel(), forwardPlan, "Jobs"), ClassEmitter.INTS), taps = field(planField(c.kernel(), forwardPlan, "Taps"), ClassEmitter.INTS),
                positions = field(planField(c.kernel(), forwardPlan, "Positions"), ClassEmitter.INTS);
        int image = rows(c.image()), outputSide = rows(c.outputSide());
        switch (c.role()) {
            case FORWARD -> {
                startFromBias(m, outputSide, c.bias() == null ? -1 : field(ClassEmitter.fieldOf(c.bias()), ClassEmitter.FLOATS), c.geo());
                products(image, outputSide, field(ClassEmitter.fieldOf(c.kernel()), ClassEmitter.FLOATS), jobs, taps, positions);
            }
            case INPUT_GRAD -> {
                zeroRows(m, image);
                products(outputSide, image, field(ClassEmitter.fieldOf(c.kernel()), ClassEmitter.FLOATS), jobs, taps, positions);
            }
            case KERNEL_GRAD -> kernelGradient(image, outputSide, field(ClassEmitter.gradFieldOf(c.kernel()), ClassEmitter.FLOATS), jobs, taps, positions);
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
            g.loadLocal(jobs);
            g.arrayLength();
        }, ConvPlan.JOB, () -> {
            int[] job = job(jobs, j);
            m.forLoop(q, m.constant(0), m.value(job[4]), () -> body.accept(job, q));
        });
    }

    /** {@code local = base + q stride}. */
    private void setChannel(int local, int base, int q, int stride) {
        m.set(local, m.sum(m.value(base), () -> {
            g.loadLocal(q);
            g.loadLocal(stride);
            g.math(GeneratorAdapter.MUL, INT);
        }));
    }

    /** The product of ConvPlan's documentation: per channel and position, its target row takes the taps four at a time. */
    private void products(int src, int dst, int w, int jobs, int taps, int positions) {
        int dstBase = m.local("dstBase", INT), wBase = m.local("wBase", INT), p = m.local("p", INT), t = m.local("t", INT), base = m.local("base", INT),
                s = m.local("s", INT), target = m.local("target", ClassEmitter.FLOATS);
        int[] a = new int[FOUR], r = new int[FOUR];
        for (int k = 0; k < FOUR; k++) {
            a[k] = m.local("a" + k, Type.FLOAT_TYPE);
            r[k] = m.local("row" + k, ClassEmitter.FLOATS);
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
                whileAtMost(m.at(t, FOUR), m.value(job[6]), () -> {
                    tapsOf.emit();
                    m.forLoop(s, 0, LANES, () -> m.addToElement(target, m.value(s), () -> {
                        for (int k = 0; k < FOUR; k++) {
                            m.product(m.value(a[k]), m.elementOf(r[k], s)).emit();
                            if (k > 0) g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        }
                    }));
                    g.iinc(t, FOUR);
                });
                whileAtMost(m.at(t, 1), m.value(job[6]), () -> {
                    m.set(a[0], m.elementOf(w, m.sum(m.value(wBase), m.elementOf(taps, m.scaled(t, 2, 1)))));
                    m.rowOf(src, m.sum(m.value(base), m.elementOf(taps, m.scaled(t, 2, 0))), r[0]);
                    m.forLoop(s, 0, LANES, () -> m.addToElement(target, m.value(s), m.product(m.value(a[0]), m.elementOf(r[0], s))));
                    g.iinc(t, 1);
                });
            });
        });
    }

    /** Per channel and tap: the products of dy and x rows summed lane by lane into a scratch row over the positions, then over the lanes. */
    private void kernelGradient(int x, int dy, int grad, int jobs, int taps, int positions) {
        int acc = field(TileKernels.LANES_A, ClassEmitter.FLOATS), dyBase = m.local("dyBase", INT), gBase = m.local("gBase", INT), t = m.local("t", INT),
                p = m.local("p", INT), s = m.local("s", INT), offset = m.local("offset", INT), dyRow = m.local("dyRow", ClassEmitter.FLOATS),
                xRow = m.local("xRow", ClassEmitter.FLOATS), sum = m.local("sum", Type.FLOAT_TYPE);
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
                m.set(sum, () -> g.push(0f));
                m.forLoop(s, 0, LANES, () -> m.set(sum, m.add(m.value(sum), m.elementOf(acc, s))));
                m.addToElement(grad, m.sum(m.value(gBase), m.elementOf(taps, m.scaled(t, 2, 1))), m.value(sum));
            });
        });
    }

    /** {@code while (a <= b) body}. */
    private void whileAtMost(MethodBuilder.Body a, MethodBuilder.Body b, MethodBuilder.Body body) {
        org.objectweb.asm.Label test = new org.objectweb.asm.Label(), top = new org.objectweb.asm.Label();
        g.goTo(test);
        g.mark(top);
        body.emit();
        g.mark(test);
        a.emit();
        b.emit();
        g.ifICmp(GeneratorAdapter.LE, top);
    }

    // ---- pools

    /** For each window: its first row copied, then each other row taken in (the maximum, or the sum scaled to the mean). */
    void pool(Kernel.Pool p) {
        Kernel.PoolGeometry geo = p.geo();
        int in = rows(p.in()), out = rows(p.out()), s = m.local("s", INT), target = m.local("target", ClassEmitter.FLOATS), row = m.local("row", ClassEmitter.FLOATS);
        overWindows(geo, (cell, base) -> {
            m.rowOf(out, m.value(cell), target);
            m.rowOf(in, m.value(base), row);
            m.forLoop(s, 0, LANES, () -> m.storeElement(target, m.value(s), m.elementOf(row, s)));
            overWindowRows(geo, base, true, at -> {
                m.rowOf(in, m.value(at), row);
                m.forLoop(s, 0, LANES, () -> m.storeElement(target, m.value(s), p.max() ? () -> {
                    m.elementOf(target, s).emit();
                    m.elementOf(row, s).emit();
                    m.invoke(Call.MAX);
                } : m.add(m.elementOf(target, s), m.elementOf(row, s))));
            });
            if (!p.max()) m.forLoop(s, 0, LANES, () -> m.storeElement(target, m.value(s), m.product(m.elementOf(target, s), () -> g.push(1f / (geo.k() * geo.k())))));
        });
    }

    /**
     * dx zeroed, then per window: avgpool spreads dy evenly over it; maxpool gives each lane's dy to
     * the first element of the window that is its maximum (a strict comparison keeps the first).
     */
    void poolGrad(Kernel.PoolGrad p) {
        Kernel.PoolGeometry geo = p.geo();
        int dy = rows(p.dy()), dx = rows(p.dx()), s = m.local("s", INT), dyRow = m.local("dyRow", ClassEmitter.FLOATS), row = m.local("row", ClassEmitter.FLOATS);
        zeroRows(m, dx);
        if (!p.max()) {
            float share = 1f / (geo.k() * geo.k());
            overWindows(geo, (cell, base) -> {
                m.rowOf(dy, m.value(cell), dyRow);
                overWindowRows(geo, base, false, at -> {
                    m.rowOf(dx, m.value(at), row);
                    m.forLoop(s, 0, LANES, () -> m.addToElement(row, m.value(s), m.product(m.elementOf(dyRow, s), () -> g.push(share))));
                });
            });
            return;
        }
        int x = rows(p.x()), best = m.local("best", Type.FLOAT_TYPE), v = m.local("v", Type.FLOAT_TYPE), bestAt = m.local("bestAt", INT);
        overWindows(geo, (cell, base) -> {
            m.rowOf(dy, m.value(cell), dyRow);
            m.forLoop(s, 0, LANES, () -> {
                m.set(best, m.elementOf(x, m.value(base), m.value(s)));
                m.set(bestAt, m.value(base));
                overWindowRows(geo, base, true, at -> {
                    m.set(v, m.elementOf(x, m.value(at), m.value(s)));
                    org.objectweb.asm.Label keep = new org.objectweb.asm.Label();
                    g.loadLocal(v);
                    g.loadLocal(best);
                    g.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.LE, keep);
                    m.set(best, m.value(v));
                    m.set(bestAt, m.value(at));
                    g.mark(keep);
                });
                m.rowOf(dx, m.value(bestAt), row);
                m.addToElement(row, m.value(s), m.elementOf(dyRow, s));
            });
        });
    }

    private interface Window {
        void emit(int cell, int base);
    }

    /** For each channel, output row and column: {@code cell} its output row, {@code base} the first row of its window. */
    private void overWindows(Kernel.PoolGeometry geo, Window body) {
        int c = m.local("c", INT), y = m.local("y", INT), xo = m.local("x", INT), cell = m.local("cell", INT), base = m.local("base", INT);
        m.forLoop(c, 0, geo.c(), () -> m.forLoop(y, 0, geo.oh(), () -> m.forLoop(xo, 0, geo.ow(), () -> {
            m.set(cell, m.sum(m.scaled(c, geo.oh() * geo.ow(), 0), m.sum(m.scaled(y, geo.ow(), 0), m.value(xo))));
            m.set(base, m.sum(m.scaled(c, geo.h() * geo.w(), 0), m.sum(m.scaled(y, geo.strideY() * geo.w(), 0), m.scaled(xo, geo.strideX(), 0))));
            body.emit(cell, base);
        })));
    }

    /** {@code at} over the window's rows in order ({@code base + py w + px}), the first one left out when {@code skipFirst}. */
    private void overWindowRows(Kernel.PoolGeometry geo, int base, boolean skipFirst, java.util.function.IntConsumer body) {
        int e = m.local("e", INT), at = m.local("at", INT);
        m.forLoop(e, skipFirst ? 1 : 0, geo.k() * geo.k(), () -> {
            m.set(at, m.sum(m.value(base), () -> { // base + (e / k) w + e % k
                g.loadLocal(e);
                g.push(geo.k());
                g.math(GeneratorAdapter.DIV, INT);
                g.push(geo.w());
                g.math(GeneratorAdapter.MUL, INT);
                g.loadLocal(e);
                g.push(geo.k());
                g.math(GeneratorAdapter.REM, INT);
                g.math(GeneratorAdapter.ADD, INT);
            }));
            body.accept(at);
        });
    }
}
