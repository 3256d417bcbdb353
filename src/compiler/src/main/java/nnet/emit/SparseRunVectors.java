package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import nnet.ir.Param;
import nnet.lower.Kernel;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * One sample's sparse contractions (a batch of fewer than four samples, an lstm's hoisted products
 * over its steps) with the Vector API, for patterns whose units read runs of consecutive inputs:
 * {@code blocks(k)}, {@code band(r)}, {@code local(w, s)}, a masked lstm's gates. A sparse kernel's
 * values are stored unit by unit ({@link Fields.Index#COL_START}, their inputs in
 * {@link Fields.Index#ROW_INDEX}), so a unit whose inputs are one run {@code [i0, i0 + len)} has its
 * weights at {@code [k0, k0 + len)}: both sides are consecutive and its products are vector ones,
 * over every outer row {@code r} (x rows {@code n} apart, z rows {@code m} apart):
 * <ul>
 * <li>forward {@code z[r, j] = w[k0 ..] . x[r, i0 ..]};
 * <li>input gradient {@code dx[r, i0 ..] += dz[r, j] w[k0 ..]}, unit by unit into a zeroed dx (rows a
 *     relu zeroes next are computed, then zeroed: the same values as the plain form's);
 * <li>weight gradient {@code grad[k0 ..] += sum over r of dz[r, j] x[r, i0 ..]}, held in registers over the rows.
 * </ul>
 * A unit is one run when its last input minus its first is its count minus one (the inputs are
 * sorted): tested per unit as the kernel runs, so the plan is the stored index itself. Units that are
 * not runs, and a run's elements past its last whole vector, take the plain scalar loops. Each
 * micro-kernel takes one chunk of a run (1 or 2 vectors) over all the outer rows: one loop, its
 * vectors in locals (FACTS.md).
 */
final class SparseRunVectors {
    private static final Type F1 = Fields.FLOATS, INT = Type.INT_TYPE, FLOAT = Type.FLOAT_TYPE;
    /** Vectors per micro-kernel call, widest first. */
    private static final int[] CHUNKS = {2, 1};
    /** A pattern takes this form when at least half of its connections are in units whose inputs are one run of this many or more. */
    static final int MIN_RUN = 8;

    private final ClassBuilder c;

    SparseRunVectors(ClassBuilder c) {
        this.c = c;
    }

    /** Whether a sparse kernel's one-sample products run here: its pattern is mostly runs ({@link nnet.ir.Connectivity#runShare}). */
    static boolean applies(Param kernel) {
        return kernel.layout() == Param.Layout.SPARSE && kernel.present().runShare(MIN_RUN) >= 0.5;
    }

    /** The arguments: the side read, the side written, the values (or gradient storage), the by-unit index; a LinearT's relu input last. */
    static List<Fields.Field> arguments(Kernel k) {
        List<Fields.Field> a = new ArrayList<>();
        Param p;
        if (k instanceof Kernel.Linear l) {
            p = l.kernel();
            a.addAll(List.of(Fields.buffer(l.in()), Fields.buffer(l.out()), Fields.values(p)));
        } else if (k instanceof Kernel.LinearT l) {
            p = l.kernel();
            a.addAll(List.of(Fields.buffer(l.in()), Fields.buffer(l.out()), Fields.values(p)));
        } else {
            Kernel.WeightGrad w = (Kernel.WeightGrad) k;
            p = w.kernel();
            a.addAll(List.of(Fields.buffer(w.x()), Fields.buffer(w.dz()), Fields.gradient(p)));
        }
        a.add(Fields.index(p, Fields.Index.COL_START));
        a.add(Fields.index(p, Fields.Index.ROW_INDEX));
        if (k instanceof Kernel.LinearT l && l.activeIf() != null) a.add(Fields.buffer(l.activeIf()));
        return a;
    }

    /** The driver: unit by unit, a run's whole vectors in chunks through the micro-kernels, the rest in scalar loops. */
    void emit(Kernel k, MethodBuilder m, int[] a) {
        int outer, n, units;
        Role role;
        if (k instanceof Kernel.Linear l) {
            role = Role.FORWARD;
            outer = l.outer();
            n = l.n();
            units = l.m();
        } else if (k instanceof Kernel.LinearT l) {
            role = Role.INPUT_GRADIENT;
            outer = l.outer();
            n = l.n();
            units = l.m();
        } else {
            Kernel.WeightGrad w = (Kernel.WeightGrad) k;
            role = Role.WEIGHT_GRADIENT;
            outer = w.outer();
            n = w.n();
            units = w.m();
        }
        int start = a[3], input = a[4];
        if (role != Role.WEIGHT_GRADIENT) // z or dx: zeroed, then added into
            m.call(Call.FILL_RANGE, m.value(a[1]), m.constant(0), m.constant(outer * (role == Role.FORWARD ? units : n)), m.constant(0f)).emit();
        int j = m.local("j", INT), k0 = m.local("k0", INT), len = m.local("length", INT), i0 = m.local("i0", INT), t = m.local("t", INT),
                whole = m.local("whole", INT), r = m.local("r", INT), kk = m.local("k", INT);
        m.forLoop(j, 0, units, () -> {
            Label next = new Label(), scalar = new Label();
            m.set(k0, m.elementOf(start, j));
            m.set(len, difference(m, m.elementOf(start, m.at(j, 1)), m.value(k0)));
            m.loadLocal(len);
            m.ifZCmp(GeneratorAdapter.EQ, next);
            m.set(i0, m.elementOf(input, k0));
            // one run: input[k0 + len - 1] - i0 == len - 1
            difference(m, m.elementOf(input, m.sum(m.value(k0), m.minus(m.value(len), 1))), m.value(i0)).emit();
            m.minus(m.value(len), 1).emit();
            m.ifICmp(GeneratorAdapter.NE, scalar);
            m.set(whole, () -> { // len - len % V
                m.loadLocal(len);
                m.loadLocal(len);
                m.getStatic(Fields.LENGTH);
                m.math(GeneratorAdapter.REM, INT);
                m.math(GeneratorAdapter.SUB, INT);
            });
            m.set(t, m.constant(0));
            for (int chunk : CHUNKS) {
                Method micro = micro(role, chunk);
                m.forLoopBy(t, m.value(t), () -> { // t + chunk V <= whole
                    m.loadLocal(whole);
                    m.getStatic(Fields.LENGTH);
                    m.push(chunk - 1);
                    m.math(GeneratorAdapter.MUL, INT);
                    m.math(GeneratorAdapter.SUB, INT);
                }, () -> {
                    m.getStatic(Fields.LENGTH);
                    m.push(chunk);
                    m.math(GeneratorAdapter.MUL, INT);
                }, () -> {
                    for (int arg : new int[] {a[0], a[1], a[2], k0, i0, t, j}) m.loadLocal(arg);
                    for (int size : new int[] {outer, n, units}) m.push(size);
                    m.invokeStatic(m.owner(), micro);
                });
            }
            // the run's last elements: positions [t, len) of it
            m.forLoop(kk, m.sum(m.value(k0), m.value(t)), m.sum(m.value(k0), m.value(len)), () ->
                    m.forLoop(r, 0, outer, () -> scalarStep(m, role, a, r, j, kk, m.sum(m.value(i0), difference(m, m.value(kk), m.value(k0))), n, units)));
            m.goTo(next);
            m.mark(scalar); // not one run: every connection by its index
            m.forLoop(kk, m.value(k0), m.sum(m.value(k0), m.value(len)), () ->
                    m.forLoop(r, 0, outer, () -> scalarStep(m, role, a, r, j, kk, m.elementOf(input, kk), n, units)));
            m.mark(next);
        });
        if (a.length > 5) { // rows a relu zeroes next: 0, as the plain form leaves them
            int e = m.local("e", INT);
            m.forLoop(e, 0, outer * n, () -> {
                Label keep = new Label();
                m.elementOf(a[5], e).emit();
                m.push(0f);
                m.ifCmp(FLOAT, GeneratorAdapter.GT, keep);
                m.storeElement(a[1], m.value(e), m.constant(0f));
                m.mark(keep);
            });
        }
    }

    private enum Role { FORWARD, INPUT_GRADIENT, WEIGHT_GRADIENT }

    /** Connection k (input {@code i}) of unit j in outer row r, as the plain form computes it. */
    private static void scalarStep(MethodBuilder m, Role role, int[] a, int r, int j, int k, MethodBuilder.Body i, int n, int units) {
        MethodBuilder.Body xAt = m.sum(m.scaled(r, n, 0), i), zAt = m.sum(m.scaled(r, units, 0), m.value(j));
        switch (role) {
            case FORWARD -> m.addToElement(a[1], zAt, m.product(m.elementOf(a[2], k), m.elementOf(a[0], xAt)));
            case INPUT_GRADIENT -> m.addToElement(a[1], xAt, m.product(m.elementOf(a[0], zAt), m.elementOf(a[2], k)));
            case WEIGHT_GRADIENT -> m.addToElement(a[2], m.value(k), m.product(m.elementOf(a[1], zAt), m.elementOf(a[0], xAt)));
        }
    }

    private static MethodBuilder.Body difference(MethodBuilder m, MethodBuilder.Body a, MethodBuilder.Body b) {
        return () -> {
            a.emit();
            b.emit();
            m.math(GeneratorAdapter.SUB, INT);
        };
    }

    /**
     * The micro-kernel of a role for {@code chunk} vectors of a run from its position t:
     * {@code (read, write, weights, k0, i0, t, j, outer, n, m)}, over every outer row.
     */
    private Method micro(Role role, int chunk) {
        String name = switch (role) {
            case FORWARD -> "runDot";
            case INPUT_GRADIENT -> "runAxpy";
            case WEIGHT_GRADIENT -> "runWeightGradient";
        } + chunk;
        Method method = new Method(name, "([F[F[FIIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int read = m.argument(role == Role.WEIGHT_GRADIENT ? "x" : role == Role.FORWARD ? "x" : "dz", F1);
        int write = m.argument(role == Role.WEIGHT_GRADIENT ? "dz" : role == Role.FORWARD ? "z" : "dx", F1);
        int w = m.argument(role == Role.WEIGHT_GRADIENT ? "grad" : "w", F1);
        int k0 = m.argument("k0", INT), i0 = m.argument("i0", INT), t = m.argument("t", INT), j = m.argument("j", INT);
        int outer = m.argument("outer", INT), n = m.argument("n", INT), units = m.argument("m", INT);
        VectorOps v = new VectorOps(m);
        int k = m.local("k", INT), xAt = m.local("xAt", INT), zAt = m.local("zAt", INT), r = m.local("r", INT);
        m.set(k, m.sum(m.value(k0), m.value(t)));
        m.set(xAt, m.sum(m.value(i0), m.value(t)));
        m.set(zAt, m.value(j));
        int[] held = new int[chunk];
        for (int q = 0; q < chunk; q++) held[q] = v.local((role == Role.WEIGHT_GRADIENT ? "grad" : "w") + q, v.load(w, v.lane(k, q)));
        switch (role) {
            case FORWARD -> { // z[r, j] += w . x[r, i0 + t ..]
                int acc = v.newLocal("acc");
                m.forLoop(r, m.constant(0), m.value(outer), () -> {
                    v.set(acc, v.mul(held[0], v.load(read, v.lane(xAt, 0))));
                    for (int q = 1; q < chunk; q++) v.set(acc, v.fma(held[q], v.load(read, v.lane(xAt, q)), acc));
                    m.addToElement(write, m.value(zAt), v.sumOfLanes(acc));
                    advance(m, xAt, n, zAt, units);
                });
            }
            case INPUT_GRADIENT -> { // dx[r, i0 + t ..] += dz[r, j] w
                int b = v.newLocal("b"), dx = v.newLocal("dx");
                m.forLoop(r, m.constant(0), m.value(outer), () -> {
                    v.set(b, v.broadcast(m.elementOf(read, zAt)));
                    for (int q = 0; q < chunk; q++) {
                        v.set(dx, v.load(write, v.lane(xAt, q)));
                        v.store(v.fma(b, held[q], dx), write, v.lane(xAt, q));
                    }
                    advance(m, xAt, n, zAt, units);
                });
            }
            case WEIGHT_GRADIENT -> { // grad[k ..] += dz[r, j] x[r, i0 + t ..], summed over the rows in registers
                int b = v.newLocal("b");
                m.forLoop(r, m.constant(0), m.value(outer), () -> {
                    v.set(b, v.broadcast(m.elementOf(write, zAt)));
                    for (int q = 0; q < chunk; q++) v.set(held[q], v.fma(b, v.load(read, v.lane(xAt, q)), held[q]));
                    advance(m, xAt, n, zAt, units);
                });
                for (int q = 0; q < chunk; q++) v.store(held[q], w, v.lane(k, q));
            }
        }
        m.end();
        return method;
    }

    /** The next outer row: {@code xAt += n; zAt += m}. */
    private static void advance(MethodBuilder m, int xAt, int n, int zAt, int units) {
        m.set(xAt, m.sum(m.value(xAt), m.value(n)));
        m.set(zAt, m.sum(m.value(zAt), m.value(units)));
    }
}
