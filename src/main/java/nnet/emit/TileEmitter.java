package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.lower.Program;
import nnet.lower.Tiling;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The tiled forward pass and train step of a {@link Tiling}: per buffer a copy for each sample of the tile
 * ({@code <buffer>$tile}) and, where a sparse contraction reads or writes it, a feature-major copy
 * ({@code <buffer>$fm}, {@code [feature][sample]}); {@code select(s)} points every buffer field at
 * sample s's copy, so the per-sample kernels run unchanged; {@code forwardTile(count)} and
 * {@code trainTile(count)} run the steps.
 * The batched contractions put the samples innermost: per present connection one loop
 * {@code zRow[b] += w * xRow[b]} over row arrays with the same index, the form C2 vectorizes;
 * dense ones loop over units for a block of samples ({@link DenseBlocks}).
 */
final class TileEmitter {
    private static final Type ARRAYS = Type.getType(java.util.Arrays.class);

    private final ClassVisitor cv;
    private final Type self;
    private final Program p;
    private final Tiling tiling;
    /** The method of each batched step emitted so far: forwardTile and trainTile share the forward ones. */
    private final Map<Tiling.Step, String> batchedMethods = new java.util.IdentityHashMap<>();

    TileEmitter(ClassVisitor cv, Type self, Program p) {
        this.cv = cv;
        this.self = self;
        this.p = p;
        this.tiling = p.tiling();
    }

    static String tileField(Buffer b) {
        return b.field() + "$tile";
    }

    static String featureMajorField(Buffer b) {
        return b.field() + "$fm";
    }

    void fields() {
        for (Buffer b : p.buffers()) field(tileField(b));
        for (Buffer b : tiling.featureMajor()) field(featureMajorField(b));
        for (nnet.ir.Param param : transposedParams()) field(transposedField(param));
    }

    private void field(String name) {
        cv.visitField(Opcodes.ACC_PRIVATE, name, ClassEmitter.ROWS.getDescriptor(), null, null).visitEnd();
    }

    /** Constructor steps: {@code b$tile = tileOf(b, size)} (registered with the runtime) and {@code b$fm = new float[n][size]}. */
    List<ClassEmitter.Step> constructorSteps() {
        List<ClassEmitter.Step> steps = new ArrayList<>();
        for (Buffer b : p.buffers())
            steps.add(m -> {
                m.g.loadThis();
                m.g.loadThis();
                m.g.loadThis();
                m.g.getField(self, b.field(), ClassEmitter.FLOATS);
                m.g.push(tiling.size());
                m.g.invokeVirtual(ClassEmitter.BASE, Method.getMethod("float[][] tileOf(float[], int)"));
                m.g.putField(self, tileField(b), ClassEmitter.ROWS);
            });
        for (Buffer b : tiling.featureMajor())
            steps.add(m -> {
                m.g.loadThis();
                m.g.push(b.size());
                m.g.push(tiling.size());
                m.g.visitMultiANewArrayInsn(ClassEmitter.ROWS.getDescriptor(), 2);
                m.g.putField(self, featureMajorField(b), ClassEmitter.ROWS);
            });
        for (nnet.ir.Param param : transposedParams())
            steps.add(m -> {
                m.g.loadThis();
                m.g.push(param.shape().dim(1));
                m.g.push(param.shape().dim(0));
                m.g.visitMultiANewArrayInsn(ClassEmitter.ROWS.getDescriptor(), 2);
                m.g.putField(self, transposedField(param), ClassEmitter.ROWS);
            });
        return steps;
    }

    /** The methods: {@code select}, the copies, the batched kernels, {@code forwardTile} and {@code trainTile}; {@code methodOf} names the per-sample kernels. */
    void methods(Map<Kernel, String> methodOf) {
        String select = select();
        steps("forwardTile", tiling.forward(), select, methodOf);
        if (p.training() != null) {
            List<Tiling.Step> all = new ArrayList<>(tiling.forward());
            all.addAll(tiling.backward());
            steps("trainTile", all, select, methodOf);
        }
    }

    /** {@code name(count)}: runs the steps over samples [0, count) of the tile, then selects sample 0 again. */
    private void steps(String name, List<Tiling.Step> steps, String select, Map<Kernel, String> methodOf) {
        MethodBuilder method = new MethodBuilder(cv, Opcodes.ACC_PROTECTED, "void " + name + "(int)", 0);
        GeneratorAdapter g = method.g;
        method.argument("count", Type.INT_TYPE);
        int s = method.local("sample", Type.INT_TYPE);
        for (Tiling.Step step : steps) {
            if (step instanceof Tiling.PerSample run) {
                method.forLoop(s, () -> g.push(0), () -> g.loadArg(0), () -> {
                    g.loadThis();
                    g.loadLocal(s);
                    g.invokeVirtual(self, Method.getMethod("void " + select + "(int)"));
                    for (Kernel k : run.kernels()) {
                        g.loadThis();
                        g.invokeVirtual(self, Method.getMethod("void " + methodOf.get(k) + "()"));
                    }
                });
            } else {
                String batched = batchedMethods.computeIfAbsent(step, st -> batched((Tiling.Batched) st, batchedMethods.size()));
                g.loadThis();
                g.loadArg(0);
                g.invokeVirtual(self, Method.getMethod("void " + batched + "(int)"));
            }
        }
        g.loadThis();
        g.push(0);
        g.invokeVirtual(self, Method.getMethod("void " + select + "(int)"));
        method.end(self);
    }

    /** {@code select(s)}: every buffer field points at sample s's copy (in chunks: the 64 KB limit). */
    private String select() {
        List<Buffer> buffers = p.buffers();
        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < buffers.size(); from += ClassEmitter.STEPS_PER_METHOD) {
            String name = "select" + chunks.size();
            MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void " + name + "(int)", 0);
            m.argument("sample", Type.INT_TYPE);
            for (Buffer b : buffers.subList(from, Math.min(buffers.size(), from + ClassEmitter.STEPS_PER_METHOD))) {
                m.g.loadThis();
                m.g.loadThis();
                m.g.getField(self, tileField(b), ClassEmitter.ROWS);
                m.g.loadArg(0);
                m.g.arrayLoad(ClassEmitter.FLOATS);
                m.g.putField(self, b.field(), ClassEmitter.FLOATS);
            }
            m.end(self);
            chunks.add(name);
        }
        if (chunks.size() == 1) return chunks.get(0);
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void select(int)", 0);
        for (String c : chunks) {
            m.g.loadThis();
            m.g.loadArg(0);
            m.g.invokeVirtual(self, Method.getMethod("void " + c + "(int)"));
        }
        m.end(self);
        return "select";
    }

    /** One batched contraction as a method {@code (int count)}: copies in, the loop nest, its output copied out. */
    private String batched(Tiling.Batched step, int index) {
        Kernel k = step.kernel();
        String label = k.label().length() > 40 ? k.label().substring(0, 40) : k.label();
        String name = "tile" + index + "$" + label;
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void " + name + "(int)", k.span() == null ? 0 : k.span().line());
        m.argument("count", Type.INT_TYPE);
        if (!Tiling.featureMajor(k)) {
            if (k instanceof Kernel.Linear l)
                new DenseBlocks(m, l.n(), l.m()).linear(l.in(), l.out(), m.fieldToLocal(self, ClassEmitter.fieldOf(l.kernel()), ClassEmitter.ROWS));
            else if (k instanceof Kernel.LinearT l) new DenseBlocks(m, l.m(), l.n()).linear(l.in(), l.out(), transposed(m, l));
            else new DenseBlocks(m, ((Kernel.WeightGrad) k).n(), ((Kernel.WeightGrad) k).m()).weightGrad((Kernel.WeightGrad) k);
            m.end(self);
            return name;
        }
        for (Buffer b : step.toFeatureMajor()) toFeatureMajor(m, b);
        if (k instanceof Kernel.Linear l) contraction(m, l.kernel(), l.in(), l.out(), l.n(), l.m(), false);
        else if (k instanceof Kernel.LinearT l) contraction(m, l.kernel(), l.in(), l.out(), l.n(), l.m(), true);
        else if (k instanceof Kernel.WeightGrad w) weightGrad(m, w);
        Buffer out = Tiling.writes(k);
        if (out != null) fromFeatureMajor(m, out);
        m.end(self);
        return name;
    }

    /** {@code for i: row = b$fm[i]; for s < count: row[s] = b$tile[s][i]}. */
    private void toFeatureMajor(MethodBuilder m, Buffer b) {
        GeneratorAdapter g = m.g;
        int tile = m.fieldToLocal(self, tileField(b), ClassEmitter.ROWS), fm = m.fieldToLocal(self, featureMajorField(b), ClassEmitter.ROWS);
        int i = m.local("i", Type.INT_TYPE), s = m.local("s", Type.INT_TYPE), row = m.local("row", ClassEmitter.FLOATS);
        m.forLoop(i, 0, b.size(), () -> {
            rowOf(g, fm, i, row);
            m.forLoop(s, () -> g.push(0), () -> g.loadArg(0), () -> {
                g.loadLocal(row);
                g.loadLocal(s);
                g.loadLocal(tile);
                g.loadLocal(s);
                g.arrayLoad(ClassEmitter.FLOATS);
                g.loadLocal(i);
                g.arrayLoad(Type.FLOAT_TYPE);
                g.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    /** {@code for s < count: dst = b$tile[s]; for j: dst[j] = b$fm[j][s]}. */
    private void fromFeatureMajor(MethodBuilder m, Buffer b) {
        GeneratorAdapter g = m.g;
        int tile = m.fieldToLocal(self, tileField(b), ClassEmitter.ROWS), fm = m.fieldToLocal(self, featureMajorField(b), ClassEmitter.ROWS);
        int j = m.local("j", Type.INT_TYPE), s = m.local("s", Type.INT_TYPE), dst = m.local("dst", ClassEmitter.FLOATS);
        m.forLoop(s, () -> g.push(0), () -> g.loadArg(0), () -> {
            rowOf(g, tile, s, dst);
            m.forLoop(j, 0, b.size(), () -> {
                g.loadLocal(dst);
                g.loadLocal(j);
                g.loadLocal(fm);
                g.loadLocal(j);
                g.arrayLoad(ClassEmitter.FLOATS);
                g.loadLocal(s);
                g.arrayLoad(Type.FLOAT_TYPE);
                g.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    /**
     * The forward contraction ({@code transposed} false: out is the m side, for each row i of the
     * kernel its connections scatter into rows col[k]) or the input gradient (true: out is the n side,
     * row i gathers from rows col[k]); either way one axpy over the tile per connection:
     * {@code outRow[b] += w[k] * inRow[b]}.
     */
    private void contraction(MethodBuilder m, nnet.ir.Param param, Buffer in, Buffer out, int n, int units, boolean transposed) {
        GeneratorAdapter g = m.g;
        String f = ClassEmitter.fieldOf(param);
        int w = m.fieldToLocal(self, f, ClassEmitter.FLOATS);
        int start = m.fieldToLocal(self, f + "$start", ClassEmitter.INTS), col = m.fieldToLocal(self, f + "$col", ClassEmitter.INTS);
        int inFm = m.fieldToLocal(self, featureMajorField(in), ClassEmitter.ROWS), outFm = m.fieldToLocal(self, featureMajorField(out), ClassEmitter.ROWS);
        int i = m.local("i", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE), b = m.local("b", Type.INT_TYPE), a = m.local("a", Type.FLOAT_TYPE);
        int inRow = m.local("inRow", ClassEmitter.FLOATS), outRow = m.local("outRow", ClassEmitter.FLOATS);
        if (!transposed) m.forLoop(i, 0, units, () -> zeroRow(m, outFm, i));
        m.forLoop(i, 0, n, () -> {
            if (transposed) zeroRow(m, outFm, i);
            rowOf(g, transposed ? outFm : inFm, i, transposed ? outRow : inRow);
            m.forLoop(k, () -> KernelEmitter.rowStart(g, start, i, 0), () -> KernelEmitter.rowStart(g, start, i, 1), () -> {
                g.loadLocal(w);
                g.loadLocal(k);
                g.arrayLoad(Type.FLOAT_TYPE);
                g.storeLocal(a);
                g.loadLocal(transposed ? inFm : outFm);
                g.loadLocal(col);
                g.loadLocal(k);
                g.arrayLoad(Type.INT_TYPE);
                g.arrayLoad(ClassEmitter.FLOATS);
                g.storeLocal(transposed ? inRow : outRow);
                m.forLoop(b, () -> g.push(0), () -> g.loadArg(0), () -> {
                    g.loadLocal(outRow);
                    g.loadLocal(b);
                    g.dup2();
                    g.arrayLoad(Type.FLOAT_TYPE);
                    g.loadLocal(a);
                    g.loadLocal(inRow);
                    g.loadLocal(b);
                    g.arrayLoad(Type.FLOAT_TYPE);
                    g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                    g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                    g.arrayStore(Type.FLOAT_TYPE);
                });
            });
        });
    }

    /** {@code grad[k] += sum over the tile of x[i][b] * dz[col[k]][b]}, for each present connection k of row i. */
    private void weightGrad(MethodBuilder m, Kernel.WeightGrad wg) {
        GeneratorAdapter g = m.g;
        String f = ClassEmitter.fieldOf(wg.kernel());
        int grad = m.fieldToLocal(self, ClassEmitter.gradFieldOf(wg.kernel()), ClassEmitter.FLOATS);
        int start = m.fieldToLocal(self, f + "$start", ClassEmitter.INTS), col = m.fieldToLocal(self, f + "$col", ClassEmitter.INTS);
        int xFm = m.fieldToLocal(self, featureMajorField(wg.x()), ClassEmitter.ROWS), dzFm = m.fieldToLocal(self, featureMajorField(wg.dz()), ClassEmitter.ROWS);
        int i = m.local("i", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE), b = m.local("b", Type.INT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE);
        int xRow = m.local("xRow", ClassEmitter.FLOATS), dzRow = m.local("dzRow", ClassEmitter.FLOATS);
        m.forLoop(i, 0, wg.n(), () -> {
            rowOf(g, xFm, i, xRow);
            m.forLoop(k, () -> KernelEmitter.rowStart(g, start, i, 0), () -> KernelEmitter.rowStart(g, start, i, 1), () -> {
                g.loadLocal(dzFm);
                g.loadLocal(col);
                g.loadLocal(k);
                g.arrayLoad(Type.INT_TYPE);
                g.arrayLoad(ClassEmitter.FLOATS);
                g.storeLocal(dzRow);
                g.push(0f);
                g.storeLocal(sum);
                m.forLoop(b, () -> g.push(0), () -> g.loadArg(0), () -> {
                    g.loadLocal(sum);
                    g.loadLocal(xRow);
                    g.loadLocal(b);
                    g.arrayLoad(Type.FLOAT_TYPE);
                    g.loadLocal(dzRow);
                    g.loadLocal(b);
                    g.arrayLoad(Type.FLOAT_TYPE);
                    g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                    g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                    g.storeLocal(sum);
                });
                g.loadLocal(grad);
                g.loadLocal(k);
                g.dup2();
                g.arrayLoad(Type.FLOAT_TYPE);
                g.loadLocal(sum);
                g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                g.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    /** Samples whose dense contractions share one pass over the weight rows. */
    private static final int BLOCK = 4;

    /**
     * A dense contraction over the tile in blocks of {@link #BLOCK} samples, then one at a time for
     * the rest: each weight row (or gradient row) is read once per block, and the inner loop over
     * units is axpy-shaped for every sample of the block, all arrays indexed by the same j.
     */
    private final class DenseBlocks {
        private final MethodBuilder m;
        private final GeneratorAdapter g;
        private final int n, units;
        private final int s, i, j, row;
        private final int[] in = new int[BLOCK], out = new int[BLOCK], a = new int[BLOCK];

        DenseBlocks(MethodBuilder m, int n, int units) {
            this.m = m;
            this.g = m.g;
            this.n = n;
            this.units = units;
            s = m.local("s", Type.INT_TYPE);
            i = m.local("i", Type.INT_TYPE);
            j = m.local("j", Type.INT_TYPE);
            row = m.local("row", ClassEmitter.FLOATS);
            for (int q = 0; q < BLOCK; q++) {
                in[q] = m.local("in" + q, ClassEmitter.FLOATS);
                out[q] = m.local("out" + q, ClassEmitter.FLOATS);
                a[q] = m.local("a" + q, Type.FLOAT_TYPE);
            }
        }

        /** {@code z_q = 0; for i: row = W[i]; for j: z_q[j] += x_q[i] * row[j]} for each sample q of a block; {@code w} holds W's rows. */
        void linear(Buffer inBuffer, Buffer outBuffer, int w) {
            int xt = m.fieldToLocal(self, tileField(inBuffer), ClassEmitter.ROWS), zt = m.fieldToLocal(self, tileField(outBuffer), ClassEmitter.ROWS);
            overBlocks(size -> {
                for (int q = 0; q < size; q++) {
                    sampleArray(xt, q, in[q]);
                    sampleArray(zt, q, out[q]);
                    g.loadLocal(out[q]);
                    g.push(0f);
                    g.invokeStatic(ARRAYS, Method.getMethod("void fill(float[], float)"));
                }
                m.forLoop(i, 0, n, () -> {
                    rowOf(g, w, i, row);
                    for (int q = 0; q < size; q++) element(in[q], i, a[q]);
                    m.forLoop(j, 0, units, () -> {
                        for (int q = 0; q < size; q++) {
                            g.loadLocal(out[q]);
                            g.loadLocal(j);
                            g.dup2();
                            g.arrayLoad(Type.FLOAT_TYPE);
                            g.loadLocal(a[q]);
                            g.loadLocal(row);
                            g.loadLocal(j);
                            g.arrayLoad(Type.FLOAT_TYPE);
                            g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                            g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                            g.arrayStore(Type.FLOAT_TYPE);
                        }
                    });
                });
            });
        }

        /** {@code for i: row = grad[i]; for j: row[j] += x_0[i] * dz_0[j] + ... + x_3[i] * dz_3[j]}: a gradient row loaded and stored once per block. */
        void weightGrad(Kernel.WeightGrad wg) {
            int xt = m.fieldToLocal(self, tileField(wg.x()), ClassEmitter.ROWS), dzt = m.fieldToLocal(self, tileField(wg.dz()), ClassEmitter.ROWS);
            int grad = m.fieldToLocal(self, ClassEmitter.gradFieldOf(wg.kernel()), ClassEmitter.ROWS);
            overBlocks(size -> {
                for (int q = 0; q < size; q++) {
                    sampleArray(xt, q, in[q]);
                    sampleArray(dzt, q, out[q]);
                }
                m.forLoop(i, 0, n, () -> {
                    rowOf(g, grad, i, row);
                    for (int q = 0; q < size; q++) element(in[q], i, a[q]);
                    m.forLoop(j, 0, units, () -> {
                        g.loadLocal(row);
                        g.loadLocal(j);
                        g.dup2();
                        g.arrayLoad(Type.FLOAT_TYPE);
                        for (int q = 0; q < size; q++) {
                            g.loadLocal(a[q]);
                            g.loadLocal(out[q]);
                            g.loadLocal(j);
                            g.arrayLoad(Type.FLOAT_TYPE);
                            g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                            g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        }
                        g.arrayStore(Type.FLOAT_TYPE);
                    });
                });
            });
        }

        /** {@code for (s = 0; s + BLOCK - 1 < count; s += BLOCK) body(BLOCK); for (; s < count; s++) body(1)}. */
        private void overBlocks(java.util.function.IntConsumer body) {
            g.push(0);
            g.storeLocal(s);
            for (int size : new int[] {BLOCK, 1}) {
                org.objectweb.asm.Label test = new org.objectweb.asm.Label(), top = new org.objectweb.asm.Label();
                g.goTo(test);
                g.mark(top);
                body.accept(size);
                g.iinc(s, size);
                g.mark(test);
                g.loadLocal(s);
                g.push(size - 1);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                g.loadArg(0);
                g.ifICmp(GeneratorAdapter.LT, top);
            }
        }

        /** {@code local = tile[s + q]}. */
        private void sampleArray(int tile, int q, int local) {
            g.loadLocal(tile);
            g.loadLocal(s);
            if (q != 0) {
                g.push(q);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
            }
            g.arrayLoad(ClassEmitter.FLOATS);
            g.storeLocal(local);
        }

        /** {@code local = array[i]}. */
        private void element(int array, int index, int local) {
            g.loadLocal(array);
            g.loadLocal(index);
            g.arrayLoad(Type.FLOAT_TYPE);
            g.storeLocal(local);
        }
    }

    static String transposedField(nnet.ir.Param p) {
        return ClassEmitter.fieldOf(p) + "$T";
    }

    /**
     * The input gradient of a dense contraction is a dot product per row of W, which C2 does not
     * vectorize; over W's transpose it is axpy-shaped like the forward. So the batched input gradient
     * first copies W into {@code W$T} ({@code [m][n]}, once per tile, a small cost next to the
     * tile's contractions) and returns the local holding it.
     */
    private int transposed(MethodBuilder m, Kernel.LinearT l) {
        GeneratorAdapter g = m.g;
        int w = m.fieldToLocal(self, ClassEmitter.fieldOf(l.kernel()), ClassEmitter.ROWS);
        int wt = m.fieldToLocal(self, transposedField(l.kernel()), ClassEmitter.ROWS);
        int i = m.local("i", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), row = m.local("row", ClassEmitter.FLOATS);
        m.forLoop(i, 0, l.n(), () -> {
            rowOf(g, w, i, row);
            m.forLoop(j, 0, l.m(), () -> {
                g.loadLocal(wt);
                g.loadLocal(j);
                g.arrayLoad(ClassEmitter.FLOATS);
                g.loadLocal(i);
                g.loadLocal(row);
                g.loadLocal(j);
                g.arrayLoad(Type.FLOAT_TYPE);
                g.arrayStore(Type.FLOAT_TYPE);
            });
        });
        return wt;
    }

    /** Dense kernels whose input gradient runs batched: they keep a transposed copy. */
    private java.util.Set<nnet.ir.Param> transposedParams() {
        java.util.Set<nnet.ir.Param> out = new java.util.LinkedHashSet<>();
        for (Tiling.Step st : tiling.backward())
            if (st instanceof Tiling.Batched b && b.kernel() instanceof Kernel.LinearT l && !Tiling.featureMajor(l)) out.add(l.kernel());
        return out;
    }

    /** {@code row = rows[i]}. */
    private static void rowOf(GeneratorAdapter g, int rows, int i, int row) {
        g.loadLocal(rows);
        g.loadLocal(i);
        g.arrayLoad(ClassEmitter.FLOATS);
        g.storeLocal(row);
    }

    /** {@code Arrays.fill(rows[i], 0, count, 0)}. */
    private static void zeroRow(MethodBuilder m, int rows, int i) {
        GeneratorAdapter g = m.g;
        g.loadLocal(rows);
        g.loadLocal(i);
        g.arrayLoad(ClassEmitter.FLOATS);
        g.push(0);
        g.loadArg(0);
        g.push(0f);
        g.invokeStatic(ARRAYS, Method.getMethod("void fill(float[], int, int, float)"));
    }
}
