package nnet.emit;

import nnet.ir.BatchNormSpec;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.runtime.BatchNorm;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.Dropout;
import nnet.runtime.Embedding;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Kernels computed by a static method of the runtime ({@link Dropout}, {@link BatchNorm},
 * {@link Embedding}) called with the kernel's buffers (one sample's arrays, or the tile rows and the
 * count of real lanes), params and constants, as the loss kernel calls its {@code LossFunction} row:
 * dropout and batchnorm, which train differently, and an embedding's lookup and sparse gradient. Their
 * loops are plain Java, which the JIT compiles like the generated ones; a batchnorm's batch statistics
 * are buffers the runtime fills between stages.
 */
final class RuntimeKernels {
    private static final Type BASE = Type.getType(CompiledNetwork.class), FLAGS = Type.getType(boolean[].class);

    private final MethodBuilder m;
    private final Type self;
    /** The tile form (tile rows and the count, argument 0), or one sample's. */
    private final boolean tile;

    private RuntimeKernels(MethodBuilder m, Type self, boolean tile) {
        this.m = m;
        this.self = self;
        this.tile = tile;
    }

    static boolean handles(Kernel k) {
        return k instanceof Kernel.Dropout || k instanceof Kernel.Norm || k instanceof Kernel.Lookup || k instanceof Kernel.LookupGrad;
    }

    /** One sample's form, in a method without arguments. */
    static void perSample(MethodBuilder m, Type self, Kernel k) {
        new RuntimeKernels(m, self, false).emit(k);
    }

    /** The tile form, in a method whose argument 0 is the count of real lanes. */
    static void tile(MethodBuilder m, Type self, Kernel k) {
        new RuntimeKernels(m, self, true).emit(k);
    }

    /** The field of the flags of an embedding's rows that a batch touched. */
    static String touchedField(Param embeddings) {
        return ClassEmitter.gradFieldOf(embeddings) + "$touched";
    }

    private void emit(Kernel k) {
        if (k instanceof Kernel.Lookup l) {
            values(l.tokens());
            values(l.out());
            rows(ClassEmitter.fieldOf(l.embeddings()));
            constant(l.embeddings().shape().dim(1));
            call(GeneratedCode.EMBEDDING_LOOKUP, GeneratedCode.EMBEDDING_LOOKUP_TILE);
            return;
        }
        if (k instanceof Kernel.LookupGrad l) {
            values(l.tokens());
            values(l.dy());
            rows(ClassEmitter.gradFieldOf(l.embeddings()));
            m.g.loadThis();
            m.g.getField(self, touchedField(l.embeddings()), FLAGS);
            constant(l.embeddings().shape().dim(1));
            countIfTile();
            call(GeneratedCode.EMBEDDING_GRADIENT, GeneratedCode.EMBEDDING_GRADIENT_TILE);
            return;
        }
        if (k instanceof Kernel.Dropout d) {
            values(d.in());
            values(d.out());
            m.g.loadThis();
            m.g.getField(BASE, "dropoutKey", Type.LONG_TYPE);
            constant(d.spec().salt());
            m.g.loadThis();
            m.g.getField(BASE, "firstSample", Type.INT_TYPE);
            constant(d.spec().rate());
            call(GeneratedCode.DROPOUT, GeneratedCode.DROPOUT_TILE);
            return;
        }
        Kernel.Norm n = (Kernel.Norm) k;
        BatchNormSpec b = n.spec();
        switch (n.role()) {
            case PREDICT -> {
                values(n.x());
                values(n.out());
                param(b.movingMean());
                param(b.movingVariance());
                param(b.gamma());
                param(b.beta());
                constant(b.epsilon());
                channels(b);
                call(GeneratedCode.BATCHNORM_PREDICT, GeneratedCode.BATCHNORM_PREDICT_TILE);
            }
            case MOMENTS -> {
                values(n.x());
                flat(n.out());
                channels(b);
                countIfTile();
                call(GeneratedCode.BATCHNORM_MOMENTS, GeneratedCode.BATCHNORM_MOMENTS_TILE);
            }
            case NORMALIZE -> {
                values(n.x());
                values(n.out());
                flat(n.stats());
                param(b.gamma());
                param(b.beta());
                channels(b);
                call(GeneratedCode.BATCHNORM_NORMALIZE, GeneratedCode.BATCHNORM_NORMALIZE_TILE);
            }
            case GRAD_SUMS -> {
                values(n.x());
                values(n.dy());
                flat(n.stats());
                flat(n.out());
                channels(b);
                countIfTile();
                call(GeneratedCode.BATCHNORM_GRAD_SUMS, GeneratedCode.BATCHNORM_GRAD_SUMS_TILE);
            }
            case GRAD -> {
                values(n.x());
                values(n.dy());
                values(n.out());
                flat(n.stats());
                flat(n.gradStats());
                param(b.gamma());
                channels(b);
                countIfTile();
                call(GeneratedCode.BATCHNORM_GRAD, GeneratedCode.BATCHNORM_GRAD_TILE);
            }
            case GAMMA_GRAD, BETA_GRAD -> {
                boolean gamma = n.role() == Kernel.NormRole.GAMMA_GRAD;
                values(n.x());
                values(n.dy());
                flat(n.stats());
                m.g.loadThis();
                m.g.getField(self, ClassEmitter.gradFieldOf(gamma ? b.gamma() : b.beta()), ClassEmitter.FLOATS);
                m.g.push(gamma);
                channels(b);
                countIfTile();
                call(GeneratedCode.BATCHNORM_PARAM_GRAD, GeneratedCode.BATCHNORM_PARAM_GRAD_TILE);
            }
        }
    }

    /** A buffer as the kernel's form reads it: one sample's array, or its tile rows. */
    private void values(Buffer b) {
        m.g.loadThis();
        if (tile) m.g.getField(self, TileKernels.rowsField(b), ClassEmitter.ROWS);
        else m.g.getField(self, b.field(), ClassEmitter.FLOATS);
    }

    /** A buffer of the whole batch's statistics or of a part's sums: one array in either form. */
    private void flat(Buffer b) {
        m.g.loadThis();
        m.g.getField(self, b.field(), ClassEmitter.FLOATS);
    }

    /** A param's (or its gradient's) rows. */
    private void rows(String field) {
        m.g.loadThis();
        m.g.getField(self, field, ClassEmitter.ROWS);
    }

    /** A flat param's values, or null for an absent one (no scale, no center). */
    private void param(Param p) {
        if (p == null) m.g.visitInsn(Opcodes.ACONST_NULL);
        else {
            m.g.loadThis();
            m.g.getField(self, ClassEmitter.fieldOf(p), ClassEmitter.FLOATS);
        }
    }

    private void channels(BatchNormSpec b) {
        constant(b.channels());
        constant(b.inner());
    }

    private void countIfTile() {
        if (!tile) return;
        m.g.loadArg(0);
    }

    private void constant(int v) {
        m.g.push(v);
    }

    private void constant(float v) {
        m.g.push(v);
    }

    /** The runtime's method of the kernel's form. */
    private void call(GeneratedCode.Ref perSample, GeneratedCode.Ref tiled) {
        m.invoke(tile ? tiled : perSample);
    }
}
