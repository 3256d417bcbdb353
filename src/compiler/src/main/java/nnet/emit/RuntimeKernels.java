package nnet.emit;

import nnet.ir.BatchNormSpec;
import nnet.ir.LayerNormSpec;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.runtime.math.BatchNorm;
import nnet.runtime.math.Dropout;
import nnet.runtime.math.Embedding;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Type;

/**
 * Kernels computed by a static method of the runtime ({@link Dropout}, {@link BatchNorm},
 * {@link LayerNorm}, {@link Embedding}) called with the kernel's buffers (one sample's arrays, or the tile rows and the
 * count of real lanes), params and constants, as the loss kernel calls its {@code LossFunction} row:
 * dropout and batchnorm, which train differently, and an embedding's lookup and sparse gradient. Their
 * loops are plain Java, which the JIT compiles like the generated ones; a batchnorm's batch statistics
 * are buffers the runtime fills between stages.
 */
final class RuntimeKernels {
    /** Fields of the runtime's base class the dropout kernel reads: the step's key, the index of the first sample. */
    private static final Fields.Field DROPOUT_KEY = new Fields.Field("dropoutKey", Type.LONG_TYPE), FIRST_SAMPLE = new Fields.Field("firstSample", Type.INT_TYPE);

    private final MethodBuilder m;
    /** The tile form (tile rows and the count, argument 0), or one sample's. */
    private final boolean tile;

    private RuntimeKernels(MethodBuilder m, boolean tile) {
        this.m = m;
        this.tile = tile;
    }

    static boolean handles(Kernel k) {
        return k instanceof Kernel.Dropout || k instanceof Kernel.Norm || k instanceof Kernel.Lookup || k instanceof Kernel.LookupGrad || k instanceof Kernel.LayerNorm;
    }

    /** One sample's form, in a method without arguments. */
    static void perSample(MethodBuilder m, Kernel k) {
        new RuntimeKernels(m, false).emit(k);
    }

    /** The tile form, in a method whose argument 0 is the count of real lanes. */
    static void tile(MethodBuilder m, Kernel k) {
        new RuntimeKernels(m, true).emit(k);
    }

    private void emit(Kernel k) {
        if (k instanceof Kernel.Lookup l) {
            values(l.tokens());
            values(l.out());
            m.getField(Fields.values(l.embeddings()));
            constant(l.embeddings().shape().dim(1));
            call(GeneratedCode.EMBEDDING_LOOKUP, GeneratedCode.EMBEDDING_LOOKUP_TILE);
            return;
        }
        if (k instanceof Kernel.LookupGrad l) {
            values(l.tokens());
            values(l.dy());
            m.getField(Fields.gradient(l.embeddings()));
            m.getField(Fields.touchedRows(l.embeddings()));
            constant(l.embeddings().shape().dim(1));
            countIfTile();
            call(GeneratedCode.EMBEDDING_GRADIENT, GeneratedCode.EMBEDDING_GRADIENT_TILE);
            return;
        }
        if (k instanceof Kernel.Dropout d) {
            values(d.in());
            values(d.out());
            m.getBaseField(DROPOUT_KEY);
            constant(d.spec().salt());
            m.getBaseField(FIRST_SAMPLE);
            constant(d.spec().rate());
            call(GeneratedCode.DROPOUT, GeneratedCode.DROPOUT_TILE);
            return;
        }
        if (k instanceof Kernel.LayerNorm l) {
            layerNorm(l);
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
                m.getField(Fields.gradient(gamma ? b.gamma() : b.beta()));
                m.push(gamma);
                channels(b);
                countIfTile();
                call(GeneratedCode.BATCHNORM_PARAM_GRAD, GeneratedCode.BATCHNORM_PARAM_GRAD_TILE);
            }
        }
    }

    private void layerNorm(Kernel.LayerNorm l) {
        LayerNormSpec spec = l.spec();
        values(l.x());
        switch (l.role()) {
            case FORWARD -> {
                values(l.out());
                param(spec.gamma());
                param(spec.beta());
            }
            case GRAD -> {
                values(l.dy());
                values(l.out());
                param(spec.gamma());
            }
            case GAMMA_GRAD, BETA_GRAD -> {
                boolean gamma = l.role() == Kernel.LayerNormRole.GAMMA_GRAD;
                values(l.dy());
                m.getField(Fields.gradient(gamma ? spec.gamma() : spec.beta()));
                m.push(gamma);
            }
        }
        constant(spec.epsilon());
        constant(spec.features());
        if (l.role() != Kernel.LayerNormRole.FORWARD) countIfTile();
        switch (l.role()) {
            case FORWARD -> call(GeneratedCode.LAYERNORM_FORWARD, GeneratedCode.LAYERNORM_FORWARD_TILE);
            case GRAD -> call(GeneratedCode.LAYERNORM_GRAD, GeneratedCode.LAYERNORM_GRAD_TILE);
            case GAMMA_GRAD, BETA_GRAD -> call(GeneratedCode.LAYERNORM_PARAM_GRAD, GeneratedCode.LAYERNORM_PARAM_GRAD_TILE);
        }
    }

    /** A buffer as the kernel's form reads it: one sample's array, or its tile rows. */
    private void values(Buffer b) {
        m.getField(tile ? Fields.tileRows(b) : Fields.buffer(b));
    }

    /** A buffer of the whole batch's statistics or of a part's sums: one array in either form. */
    private void flat(Buffer b) {
        m.getField(Fields.buffer(b));
    }

    /** A flat param's values, or null for an absent one (no scale, no center). */
    private void param(Param p) {
        if (p == null) m.push((String) null);
        else m.getField(Fields.values(p));
    }

    private void channels(BatchNormSpec b) {
        constant(b.channels());
        constant(b.inner());
    }

    private void countIfTile() {
        if (!tile) return;
        m.loadArg(0);
    }

    private void constant(int v) {
        m.push(v);
    }

    private void constant(float v) {
        m.push(v);
    }

    /** The runtime's method of the kernel's form. */
    private void call(GeneratedCode.Ref perSample, GeneratedCode.Ref tiled) {
        m.invoke(tile ? tiled : perSample);
    }
}
