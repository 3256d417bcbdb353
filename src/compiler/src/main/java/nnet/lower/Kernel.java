package nnet.lower;

import java.util.List;
import nnet.diag.Span;
import nnet.ir.BatchNormSpec;
import nnet.ir.LayerNormSpec;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.runtime.math.ConvPlan;
import nnet.runtime.math.LossFunction;

/** One loop nest of the forward or backward pass; the emitter turns each into one method. */
public sealed interface Kernel {
    /** The source place of the node the kernel computes: the generated method's line number. */
    Span span();

    /** A readable name for the generated method. */
    String label();

    /** How a dense contraction visits its connections (LANGUAGE.md §4: absent ones never). */
    enum LinearPath {
        /** Every connection exists: loop over rows of the kernel, the inner loop axpy-shaped. */
        ROWS,
        /** Compressed sparse rows: visit only the present connections. */
        CSR,
        /** Fixed and small: straight-line code with the weights as constants, zeros dropped. */
        UNROLLED
    }

    /** {@code out[r, j] = sum_i in[r, i] * W[i, j]} over present (i, j), for each of {@code outer} rows. */
    record Linear(Span span, String label, Buffer out, Buffer in, Param kernel, int outer, int n, int m, LinearPath path) implements Kernel {}

    /**
     * The input gradient of a contraction: {@code out[r, i] = sum_j W[i, j] * in[r, j]} over present (i, j).
     * With {@code activeIf}, rows whose {@code activeIf[r, i]} is not positive are 0 without being
     * computed: a relu derivative multiplies them by 0 next (the relu's input is {@code activeIf}).
     */
    record LinearT(Span span, String label, Buffer out, Buffer in, Param kernel, int outer, int n, int m, LinearPath path, Buffer activeIf) implements Kernel {}

    /**
     * The weight gradient of a contraction, added to the param's gradient storage (same layout as
     * the weights: rows, or CSR values): {@code grad[i, j] += sum_r x[r, i] * dz[r, j]} over present (i, j).
     * {@code dzRow} (rows over several outer rows, else null): a row of m floats the plain one-sample
     * form copies each dz row into, so its axpy reads both arrays at the same index (C2 vectorizes that).
     */
    record WeightGrad(Span span, String label, Param kernel, Buffer x, Buffer dz, int outer, int n, int m, LinearPath path, Buffer dzRow) implements Kernel {}

    /** One loop over {@code extent} elements computing each store at index {@code j}. */
    record Map(Span span, String label, int extent, List<Store> stores) implements Kernel {}

    /** What a fused loop does with one computed element. */
    sealed interface Store {
        Expr value();
    }

    /** {@code out[offset + j] = value}: the whole buffer, or a part of it (a part of a concat, computed in place). */
    record Assign(Buffer out, int offset, Expr value) implements Store {}

    /**
     * {@code grad(param)[(j / per) % size] += value}: a bias gradient, summed over rows and samples
     * ({@code per} 1), or over the positions of a conv2d filter ({@code per} = its output height x width).
     */
    record AddToGrad(Param param, int size, int per, Expr value) implements Store {}

    /** Softmax over rows of {@code m}, max-subtracted for stability. */
    record Softmax(Span span, String label, Buffer out, Buffer in, int rows, int m) implements Kernel {}

    /** The input gradient of a softmax, per row: {@code out = y * (dy - sum(dy * y))}. */
    record SoftmaxGrad(Span span, String label, Buffer out, Buffer y, Buffer dy, int rows, int m) implements Kernel {}

    /** For each of {@code outer} blocks, copy {@code lengths[p]} values of each part in turn. */
    record Concat(Span span, String label, Buffer out, List<Buffer> parts, int outer, int[] lengths) implements Kernel {}

    /** The inverse of one part of a concat: for each of {@code outer} blocks of {@code inLength}, copy {@code length} values from {@code offset}. */
    record Slice(Span span, String label, Buffer out, Buffer in, int outer, int inLength, int offset, int length) implements Kernel {}

    /** What a conv2d loop nest does at each (pair, tap, position). */
    enum ConvRole {
        /** {@code out[o, y, x] += K[o, i, ky, kx] * in[i, y sy + ky - pt, x sx + kx - pl]}, after {@code out[o] = bias[o]}. */
        FORWARD,
        /** {@code dx[i, ...] += K[o, i, ky, kx] * dy[o, y, x]}, after {@code dx = 0}. */
        INPUT_GRAD,
        /** {@code grad(K)[o, i, ky, kx] += sum over (y, x) of dy[o, y, x] * x[i, ...]}. */
        KERNEL_GRAD
    }

    /**
     * A conv2d loop nest over the present channel pairs (i, o) only, then the kernel taps, then output
     * positions, whose ranges leave out the zero padding. {@code a} is what is read per position on the
     * input side (the input image; unused for INPUT_GRAD), {@code b} on the output side (out, or dy).
     */
    record Conv(Span span, String label, ConvRole role, ConvPlan.Geometry geo, Param kernel, Param bias, Buffer image, Buffer outputSide) implements Kernel {}

    /** The sizes of a pool: input {@code [c, h, w]}, output {@code [c, oh, ow]}, {@code k x k} windows every {@code strideY} rows and {@code strideX} columns. */
    record PoolGeometry(int c, int h, int w, int oh, int ow, int k, int strideY, int strideX) {}

    /** maxpool / avgpool over the windows of its geometry. */
    record Pool(Span span, String label, boolean max, Buffer in, Buffer out, PoolGeometry geo) implements Kernel {}

    /** Their gradients: max to each window's first maximum (found again in {@code x}), avg spread evenly; {@code dx} zeroed first, overlapping windows add up. */
    record PoolGrad(Span span, String label, boolean max, Buffer x, Buffer dy, Buffer dx, PoolGeometry geo) implements Kernel {}

    /** The inverse of {@link Slice}: {@code out} zeroed, then each block of {@code length} values of in copied to {@code o * outLength + offset}. */
    record Embed(Span span, String label, Buffer out, Buffer in, int outer, int outLength, int offset, int length) implements Kernel {}

    /** {@code out[0] = sum of in}: the gradient of an operand broadcast from [1]. */
    record Sum(Span span, String label, Buffer out, Buffer in) implements Kernel {}

    /**
     * A loop over time ({@code t = 0 .. steps-1}, or back from the end when {@code reverse}): at each
     * step the windows show step t's blocks of their histories, then the body kernels run. Generated
     * code is one step long whatever the number of steps.
     */
    record Loop(Span span, String label, int steps, boolean reverse, List<Kernel> body, List<Window> windows) implements Kernel {}

    /**
     * What the body of a loop sees of a history at step t: {@code view} is its block {@code t + shift}
     * (blocks of the view's size), zero when there is no such block (a carried state before the first
     * step). The body reads the view ({@code written} false) or computes it ({@code written} true).
     */
    record Window(Buffer view, Buffer history, int shift, boolean written) {}

    /**
     * A loss of one sample, or its gradient with respect to {@code y} (LANGUAGE.md §2), computed by
     * the float methods of its {@link LossFunction} row; {@code m} is the size of the last axis.
     */
    record Loss(Span span, String label, Buffer out, Buffer y, Buffer target, LossFunction function, int m, boolean gradient) implements Kernel {}

    /**
     * Inverted dropout as a train step computes it ({@code nnet.runtime.math.Dropout}): the mask of sample
     * {@code firstSample + lane} of the batch under the step's key (predicting copies instead, a {@link Map}).
     */
    record Dropout(Span span, String label, Buffer out, Buffer in, Op.DropoutSpec spec) implements Kernel {}

    /** What a part of a batchnorm computes: each a method of {@code nnet.runtime.math.BatchNorm} (one sample's form and the tile form). */
    enum NormRole {
        /** {@code out} from {@code x} by the moving statistics. */
        PREDICT,
        /** The part's mean and squared deviations per channel into {@code out}: the runtime combines them into {@code stats}. */
        MOMENTS,
        /** {@code out} from {@code x} by the batch's {@code stats}. */
        NORMALIZE,
        /** The part's sums of dy and dy * xhat per channel into {@code out}: the runtime makes {@code gradStats} of them. */
        GRAD_SUMS,
        /** The input gradient {@code out} from {@code x}, {@code dy}, {@code stats} and {@code gradStats}. */
        GRAD,
        /** Gamma's or beta's gradient, added into its storage. */
        GAMMA_GRAD, BETA_GRAD
    }

    /**
     * A part of a batchnorm by its {@link NormRole}. {@code stats} and {@code gradStats} hold the batch's
     * statistics, written by the runtime between the stages of a train step ({@link Program.Stage}) from
     * the sums of MOMENTS and GRAD_SUMS ({@link #result}); a role that uses neither has null there.
     */
    record Norm(Span span, String label, NormRole role, BatchNormSpec spec, Buffer x, Buffer dy, Buffer out, Buffer stats, Buffer gradStats) implements Kernel {
        /** Whether the runtime combines what this writes over the batch before the next stage. */
        public boolean endsStage() {
            return role == NormRole.MOMENTS || role == NormRole.GRAD_SUMS;
        }

        /** Where the runtime writes what it makes of the sums of a kernel that {@link #endsStage}. */
        public Buffer result() {
            return role == NormRole.MOMENTS ? stats : gradStats;
        }
    }

    /** What a part of a layernorm computes: each a method of {@code nnet.runtime.math.LayerNorm} (one sample's form and the tile form). */
    enum LayerNormRole {
        /** {@code out} from {@code x}. */
        FORWARD,
        /** The input gradient {@code out} from {@code x} and {@code dy}. */
        GRAD,
        /** Gamma's or beta's gradient, added into its storage. */
        GAMMA_GRAD, BETA_GRAD
    }

    /** A part of a layernorm by its {@link LayerNormRole}: each row's statistics are its own sample's, computed where they are needed. */
    record LayerNorm(Span span, String label, LayerNormRole role, LayerNormSpec spec, Buffer x, Buffer dy, Buffer out) implements Kernel {}

    /** An embedding: at each position the row of {@code embeddings} its token id names ({@code nnet.runtime.math.Embedding}). */
    record Lookup(Span span, String label, Buffer out, Buffer tokens, Param embeddings) implements Kernel {}

    /**
     * An embedding's gradient: each position's {@code dy} added into the gradient row of its token, and
     * the row marked touched: the optimizer steps those rows only (LANGUAGE.md §10, Embeddings).
     */
    record LookupGrad(Span span, String label, Param embeddings, Buffer tokens, Buffer dy) implements Kernel {}
}
