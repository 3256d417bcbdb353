package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import nnet.runtime.CompiledNetwork;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The tile contractions with the Vector API, in a class of their own ({@code <Network>$Vector}, or
 * {@code $Vector16} for the other row of the {@link VectorShape} table), loaded only when
 * {@code jdk.incubator.vector} is in the JVM. A kernel method is a driver of
 * scalar loops that calls register-blocked micro-kernels, each a method with its accumulators in
 * locals and one loop of at most {@link #KC} iterations (block sizes are the shape's):
 * <ul>
 * <li>dense forward, sample-major: samples x vectors of units; per input i, a row of weights loaded,
 *     each sample's input broadcast; input gradient: rows x 2 vectors of lanes, per unit a row of
 *     dz loaded and each row's weight broadcast;
 * <li>dense weight gradient, inputs x 2 vectors of units: per lane s, the inputs broadcast and a
 *     row of the sample-major copy of dz loaded (weight rows are padded to whole vectors);
 * <li>sparse: per unit (or input), its present connections: one weight broadcast, a row loaded,
 *     2 fused multiply-adds; the weight gradient a product over the lanes, reduced, per connection.
 * </ul>
 * Rules these follow (measured, ../shared/FACTS.md and the session notes): one species per process
 * ({@code SPECIES_PREFERRED}); no vector value crosses a branch or a call that is not inlined; no more
 * accumulators than the register file holds with the step's loads; and a bounded loop per call: a
 * long loop gets compiled on stack replacement with its vectors boxed, 100 times slower.
 */
final class VectorClass {
    /** Iterations of a micro-kernel's loop per call. */
    static final int KC = 64;

    static final Type VECTOR = Type.getObjectType("jdk/incubator/vector/FloatVector");
    static final Type SPECIES = Type.getObjectType("jdk/incubator/vector/VectorSpecies");
    private static final Type F1 = ClassEmitter.FLOATS, F2 = ClassEmitter.ROWS, I1 = ClassEmitter.INTS;

    /** An argument of a kernel method: the field of the network class it is loaded from, and its type. */
    record Arg(String field, Type type) {}

    private final ClassWriter cw;
    private final Type self;
    private final VectorShape shape;
    private final ContractionMicroKernels micro;
    private final ConvVectors conv;
    private final ElementwiseVectors maps;
    private final ContractionSampleVectors products;
    private int kernels;

    VectorClass(Type network, String sourceFile, VectorShape shape) {
        this.self = Type.getObjectType(network.getInternalName() + shape.suffix());
        this.shape = shape;
        this.cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        cw.visit(Opcodes.V17, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, self.getInternalName(), null, "java/lang/Object", null);
        cw.visitSource(sourceFile, null);
        cw.visitField(Opcodes.ACC_STATIC | Opcodes.ACC_FINAL, "S", SPECIES.getDescriptor(), null, null).visitEnd();
        cw.visitField(Opcodes.ACC_STATIC | Opcodes.ACC_FINAL, "V", "I", null, null).visitEnd();
        staticInit();
        fits();
        bits();
        micro = new ContractionMicroKernels(cw, self);
        conv = new ConvVectors(self, new ConvMicroKernels(cw, self), shape);
        maps = new ElementwiseVectors(cw, self);
        products = new ContractionSampleVectors(cw, self);
    }

    Type type() {
        return self;
    }

    boolean isEmpty() {
        return kernels == 0;
    }

    byte[] classFile() {
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** {@code S = FloatVector.SPECIES_PREFERRED; V = S.length()}: one vector shape for the process. */
    private void staticInit() {
        MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_STATIC, "void <clinit>()", 0);
        m.g.getStatic(VECTOR, "SPECIES_PREFERRED", SPECIES);
        m.g.dup();
        m.g.putStatic(self, "S", SPECIES);
        m.g.invokeInterface(SPECIES, Method.getMethod("int length()"));
        m.g.putStatic(self, "V", Type.INT_TYPE);
        m.end(self);
    }

    /** {@code fits()}: a tile is a whole number of 2-vector blocks (every x86 vector width is). */
    private void fits() {
        MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_STATIC, "boolean fits()", 0);
        m.g.push(Tiling.SIZE);
        m.g.getStatic(self, "V", Type.INT_TYPE);
        m.g.push(2);
        m.g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.g.math(GeneratorAdapter.REM, Type.INT_TYPE);
        org.objectweb.asm.Label no = new org.objectweb.asm.Label();
        m.g.ifZCmp(GeneratorAdapter.NE, no);
        m.g.push(true);
        m.g.returnValue();
        m.g.mark(no);
        m.g.push(false);
        m.end(self);
    }

    /** {@code bits()}: the length of the vectors in bits, {@code 32 V}. */
    private void bits() {
        MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_STATIC, "int bits()", 0);
        m.g.getStatic(self, "V", Type.INT_TYPE);
        m.g.push(Float.SIZE);
        m.g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.g.returnValue();
        m.end(self);
    }

    /** The arguments of a contraction's vector form, in order, or null when it has none (a fixed kernel folded into code). */
    static List<Arg> arguments(Kernel k) {
        if (k instanceof Kernel.Conv || k instanceof Kernel.PoolGrad) return ConvVectors.arguments(k);
        if (k instanceof Kernel.Map map) return ElementwiseVectors.arguments(map);
        List<Arg> a = new ArrayList<>();
        if (k instanceof Kernel.Linear l) {
            if (l.path() == Kernel.LinearPath.UNROLLED) return null;
            kernelArgs(a, ClassEmitter.fieldOf(l.kernel()), l.path(), true);
            a.add(new Arg(TileKernels.rowsField(l.in()), F2));
            a.add(new Arg(TileKernels.rowsField(l.out()), F2));
            if (l.path() == Kernel.LinearPath.ROWS) {
                a.add(new Arg(TileKernels.inputSampleMajorField(l.kernel()), F2));
                a.add(new Arg(TileKernels.sampleMajorField(l.kernel()), F2));
            }
        } else if (k instanceof Kernel.LinearT l) {
            if (l.path() == Kernel.LinearPath.UNROLLED) return null;
            kernelArgs(a, ClassEmitter.fieldOf(l.kernel()), l.path(), false);
            a.add(new Arg(TileKernels.rowsField(l.in()), F2));
            a.add(new Arg(TileKernels.rowsField(l.out()), F2));
        } else if (k instanceof Kernel.WeightGrad w) {
            boolean rows = w.path() == Kernel.LinearPath.ROWS;
            a.add(new Arg(ClassEmitter.gradFieldOf(w.kernel()), rows ? F2 : F1));
            if (!rows) {
                a.add(new Arg(ClassEmitter.fieldOf(w.kernel()) + "$colStart", I1));
                a.add(new Arg(ClassEmitter.fieldOf(w.kernel()) + "$rowIndex", I1));
            }
            a.add(new Arg(TileKernels.rowsField(w.x()), F2));
            a.add(new Arg(TileKernels.rowsField(w.dz()), F2));
            if (rows) a.add(new Arg(TileKernels.sampleMajorField(w.kernel()), F2));
        } else return null;
        return a;
    }

    /**
     * A kernel's weights: rows, or the sparse values (stored by unit) with the index its loop walks:
     * by unit for the forward pass; by input for the input gradient, with where each entry sits among the values.
     */
    private static void kernelArgs(List<Arg> a, String f, Kernel.LinearPath path, boolean forward) {
        if (path == Kernel.LinearPath.ROWS) {
            a.add(new Arg(f, F2));
            return;
        }
        a.add(new Arg(f, F1));
        if (forward) {
            a.add(new Arg(f + "$colStart", I1));
            a.add(new Arg(f + "$rowIndex", I1));
        } else {
            a.add(new Arg(f + "$start", I1));
            a.add(new Arg(f + "$col", I1));
            a.add(new Arg(f + "$position", I1));
        }
    }

    static String descriptor(List<Arg> args) {
        return Type.getMethodDescriptor(Type.VOID_TYPE, args.stream().map(Arg::type).toArray(Type[]::new));
    }

    /** Emits the driver of a contraction as {@code static void name(args)}: scalar loops that call the micro-kernels. */
    void emit(Kernel k, String name, List<Arg> args, int line) {
        kernels++;
        MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_STATIC, new Method(name, descriptor(args)), line);
        int[] a = new int[args.size()];
        for (int i = 0; i < a.length; i++) a[i] = m.argument(args.get(i).field(), args.get(i).type());
        if (k instanceof Kernel.Conv || k instanceof Kernel.PoolGrad || k instanceof Kernel.Map) {
            if (k instanceof Kernel.Map map) maps.emit(map, name, m, a, args, line);
            else conv.emit(k, m, a);
            m.end(self);
            return;
        }
        Driver d = new Driver(m);
        if (k instanceof Kernel.Linear l && l.path() == Kernel.LinearPath.ROWS) d.denseForward(a[0], a[1], a[2], a[3], a[4], l.outer(), l.n(), l.m());
        else if (k instanceof Kernel.Linear l) d.sparse(false, a[0], a[1], a[2], -1, a[3], a[4], l.outer(), l.n(), l.m());
        else if (k instanceof Kernel.LinearT l && l.path() == Kernel.LinearPath.ROWS) d.denseInputGradient(a[0], a[1], a[2], l.outer(), l.n(), l.m());
        else if (k instanceof Kernel.LinearT l) d.sparse(true, a[0], a[1], a[2], a[3], a[4], a[5], l.outer(), l.m(), l.n());
        else if (k instanceof Kernel.WeightGrad w && w.path() == Kernel.LinearPath.ROWS) d.denseWeightGradient(a[0], a[1], a[2], a[3], w.outer(), w.n(), w.m());
        else if (k instanceof Kernel.WeightGrad w) d.sparseWeightGradient(a[0], a[1], a[2], a[3], a[4], w.outer(), w.n(), w.m());
        m.end(self);
    }

    /** One sample's dense contraction with the Vector API as {@code static void name(args)} (see {@link ContractionSampleVectors}). */
    void emitSampleProduct(Kernel k, String name, List<Arg> args, int line) {
        emitSample(name, args, line, (m, a) -> products.emit(k, m, a));
    }

    /**
     * One sample's elementwise map with the Vector API as {@code static int name(args)}: its whole vectors
     * of elements, returning where the plain form goes on (see {@link ElementwiseVectors#emitSample}).
     */
    void emitSampleMap(Kernel.Map map, String name, List<Arg> args, int line) {
        kernels++;
        MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_STATIC, new Method(name, Type.INT_TYPE, args.stream().map(Arg::type).toArray(Type[]::new)), line);
        int[] a = new int[args.size()];
        for (int i = 0; i < a.length; i++) a[i] = m.argument(args.get(i).field(), args.get(i).type());
        maps.emitSample(map, name, m, a, args, line);
        m.end(self);
    }

    /** One sample's conv with the Vector API as {@code static void name(args)} (see {@link ConvSampleVectors}). */
    void emitSample(Kernel.Conv c, String name, List<Arg> args, int line) {
        emitSample(name, args, line, (m, a) -> conv.emitSample(c, m, a));
    }

    /** {@code static void name(args)} whose body {@code body} writes, the arguments in locals. */
    private void emitSample(String name, List<Arg> args, int line, java.util.function.BiConsumer<MethodBuilder, int[]> body) {
        kernels++;
        MethodBuilder m = new MethodBuilder(cw, Opcodes.ACC_STATIC, new Method(name, descriptor(args)), line);
        int[] a = new int[args.size()];
        for (int i = 0; i < a.length; i++) a[i] = m.argument(args.get(i).field(), args.get(i).type());
        body.accept(m, a);
        m.end(self);
    }

    // ---- drivers: scalar loops over outer rows, lane blocks, register blocks and chunks of KC

    private final class Driver {
        private final MethodBuilder m;
        private final GeneratorAdapter g;
        private final int r, lane, b, k0;

        Driver(MethodBuilder m) {
            this.m = m;
            this.g = m.g;
            this.r = m.local("r", Type.INT_TYPE);
            this.lane = m.local("lane", Type.INT_TYPE);
            this.b = m.local("block", Type.INT_TYPE);
            this.k0 = m.local("k0", Type.INT_TYPE);
        }

        /** {@code for lane = 0; lane < LANES; lane += 2 V}. */
        private void overLaneBlocks(MethodBuilder.Body body) {
            m.forLoopBy(lane, m.constant(0), m.constant(Tiling.SIZE), () -> {
                g.getStatic(self, "V", Type.INT_TYPE);
                g.push(2);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            }, body);
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

        /** Blocks of {@code block} along an axis of {@code size}, then single ones for the rest. */
        private void overBlocks(int size, int block, java.util.function.IntConsumer blockOfWidth) {
            int full = size - size % block;
            if (full > 0) m.forLoop(b, 0, full, block, () -> blockOfWidth.accept(block));
            if (full < size) m.forLoop(b, full, size, 1, () -> blockOfWidth.accept(1));
        }

        /**
         * Sample-major: x copied to {@code xs[s][i]}, then {@code zs[s][j..] = sum_i xs[s][i] W[i][j..]} in blocks of
         * the shape's samples x vectors of units (the samples' inputs broadcast from rows indexed by the loop, a row of
         * weights loaded; the tile's last samples in a smaller block, the last vectors one at a time), then zs copied
         * back to z's rows.
         */
        void denseForward(int w, int x, int z, int xs, int zs, int outer, int n, int units) {
            int width = CompiledNetwork.paddedRow(units), j = m.local("j", Type.INT_TYPE), s = m.local("s", Type.INT_TYPE), full = m.local("full", Type.INT_TYPE);
            int samples = shape.forwardSamples(), wholeSamples = Tiling.SIZE - Tiling.SIZE % samples, vectors = shape.forwardVectors();
            m.forLoop(r, 0, outer, () -> {
                transpose(x, xs, r, n, j, s, true);
                m.forLoop(s, 0, Tiling.SIZE, () -> {
                    int row = m.local("zsRow", F1);
                    m.rowOf(zs, m.value(s), row);
                    m.zero(row);
                });
                m.set(full, wholeBlocks(width, vectors));
                m.forLoop(b, 0, wholeSamples, samples, () -> forwardBlocks(samples, vectors, w, xs, zs, j, full, width, n));
                if (wholeSamples < Tiling.SIZE) {
                    m.set(b, m.constant(wholeSamples));
                    forwardBlocks(Tiling.SIZE - wholeSamples, vectors, w, xs, zs, j, full, width, n);
                }
                transpose(z, zs, r, units, j, s, false);
            });
        }

        /** The samples from {@code b} over the units: blocks of {@code vectors} vectors up to {@code full}, then one vector at a time. */
        private void forwardBlocks(int samples, int vectors, int w, int xs, int zs, int j, int full, int width, int n) {
            m.forLoopBy(j, m.constant(0), m.value(full), vectors(vectors), () -> overChunks(m.constant(0), m.constant(n), () ->
                    call(micro.sampleBlock(samples, vectors), xs, w, zs, m.value(b), m.value(j), m.value(k0), chunkEnd(m.constant(n)))));
            m.forLoopBy(j, m.value(full), m.constant(width), vectors(1), () -> overChunks(m.constant(0), m.constant(n), () ->
                    call(micro.sampleBlock(samples, 1), xs, w, zs, m.value(b), m.value(j), m.value(k0), chunkEnd(m.constant(n)))));
        }

        /** {@code width - width % (k V)}: where blocks of k vectors end in a padded row (a multiple of 16). */
        private MethodBuilder.Body wholeBlocks(int width, int k) {
            return () -> {
                g.push(width);
                g.push(width);
                vectors(k).emit();
                g.math(GeneratorAdapter.REM, Type.INT_TYPE);
                g.math(GeneratorAdapter.SUB, Type.INT_TYPE);
            };
        }

        /** {@code sampleMajor[s][f] = rows[r size + f][s]} ({@code toSampleMajor}), or back. */
        private void transpose(int rows, int sampleMajor, int r, int size, int f, int s, boolean toSampleMajor) {
            int row = m.local("row", F1);
            m.forLoop(f, 0, size, () -> {
                m.rowOf(rows, m.sum(m.scaled(r, size, 0), m.value(f)), row);
                m.forLoop(s, 0, Tiling.SIZE, () -> {
                    if (toSampleMajor) {
                        m.elementOf(sampleMajor, s).emit();
                        g.loadLocal(f);
                        m.elementOf(row, s).emit();
                    } else {
                        g.loadLocal(row);
                        g.loadLocal(s);
                        m.elementOf(sampleMajor, m.value(s), m.value(f)).emit();
                    }
                    g.arrayStore(Type.FLOAT_TYPE);
                });
            });
        }

        void denseInputGradient(int w, int dz, int dx, int outer, int n, int units) {
            m.forLoop(r, 0, outer, () -> {
                zeroRows(dx, n);
                overLaneBlocks(() -> overBlocks(n, shape.gradientRows(), width -> overChunks(m.constant(0), m.constant(units), () ->
                        call(micro.inputGradientBlock(width), w, dz, dx, m.scaled(r, units, 0), m.scaled(r, n, 0), m.value(b), m.value(k0), chunkEnd(m.constant(units)), m.value(lane)))));
            });
        }

        /** dz copied sample-major ({@code dzT[s][j]}) per outer row, then blocks of inputs x 2 vectors of units over all lanes. */
        void denseWeightGradient(int grad, int x, int dz, int dzT, int outer, int n, int units) {
            int width = CompiledNetwork.paddedRow(units), j = m.local("j", Type.INT_TYPE), s = m.local("s", Type.INT_TYPE), full = m.local("full", Type.INT_TYPE);
            m.forLoop(r, 0, outer, () -> {
                transpose(dz, dzT, r, units, j, s, true);
                // two vectors of units at a time, then one where a padded row (a multiple of 16) leaves one over
                m.set(full, wholeBlocks(width, 2));
                overBlocks(n, shape.weightInputs(), inputs -> {
                    m.forLoopBy(j, m.constant(0), m.value(full), vectors(2), () -> call(micro.weightBlock(inputs, 2), grad, x, dzT, m.scaled(r, n, 0), m.value(b), m.value(j)));
                    m.forLoopBy(j, m.value(full), m.constant(width), vectors(1), () -> call(micro.weightBlock(inputs, 1), grad, x, dzT, m.scaled(r, n, 0), m.value(b), m.value(j)));
                });
            });
        }

        /** Pushes {@code k V}. */
        private MethodBuilder.Body vectors(int k) {
            return () -> {
                g.getStatic(self, "V", Type.INT_TYPE);
                g.push(k);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            };
        }

        /**
         * A sum over each output's present connections: by unit through the column index (forward: the
         * values' own order) or by input through the row index ({@code positioned}: the input gradient, where
         * {@code position} says where each entry sits among the values).
         */
        void sparse(boolean positioned, int values, int start, int index, int position, int in, int out, int outer, int nIn, int nOut) {
            int o = m.local("o", Type.INT_TYPE);
            m.forLoop(r, 0, outer, () -> {
                zeroRows(out, nOut);
                overLaneBlocks(() -> m.forLoop(o, 0, nOut, () -> overChunks(m.elementOf(start, o), m.elementOf(start, m.at(o, 1)), () -> {
                    if (positioned) call(micro.gather(true), values, index, position, in, out, m.scaled(r, nIn, 0), m.scaled(r, nOut, 0), m.value(o), m.value(k0),
                            chunkEnd(m.elementOf(start, m.at(o, 1))), m.value(lane));
                    else call(micro.gather(false), values, index, in, out, m.scaled(r, nIn, 0), m.scaled(r, nOut, 0), m.value(o), m.value(k0),
                            chunkEnd(m.elementOf(start, m.at(o, 1))), m.value(lane));
                })));
            });
        }

        /** By unit: per present connection k of unit j, {@code grad[k] += sum over lanes of x[rowIndex[k]] dz[j]} (the values' order). */
        void sparseWeightGradient(int grad, int start, int input, int x, int dz, int outer, int n, int units) {
            int j = m.local("j", Type.INT_TYPE);
            m.forLoop(r, 0, outer, () -> overLaneBlocks(() -> m.forLoop(j, 0, units, () -> overChunks(m.elementOf(start, j), m.elementOf(start, m.at(j, 1)), () ->
                    call(micro.sparseWeightBlock(), grad, input, x, dz, m.scaled(r, n, 0), m.scaled(r, units, 0), m.value(j), m.value(k0),
                            chunkEnd(m.elementOf(start, m.at(j, 1))), m.value(lane))))));
        }

        /** {@code Self.micro(args)}: array arguments are locals, int arguments code that pushes them. */
        private void call(Method micro, Object... args) {
            for (Object arg : args) {
                if (arg instanceof Integer local) g.loadLocal(local);
                else ((MethodBuilder.Body) arg).emit();
            }
            g.invokeStatic(self, micro);
        }
    }
}
