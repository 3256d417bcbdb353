package nnet.interchange.onnx;

import java.util.Arrays;
import java.util.List;
import nnet.interchange.onnx.OnnxValue.Computed;
import nnet.interchange.onnx.OnnxValue.Filled;
import nnet.interchange.onnx.OnnxValue.Floats;
import nnet.ir.PoolSpec;
import nnet.runtime.Tensor;

/**
 * The ONNX nodes that hold weights, as nnet layers: Gemm and MatMul (with the Add of its bias) as
 * {@code dense}, Conv as {@code conv2d}, the pools, BatchNormalization as {@code batchnorm} and LayerNormalization as {@code layernorm}. PyTorch's Linear weight is
 * {@code [out, in]} (Gemm's {@code transB}); nnet's kernel is Keras' {@code [in, out]}. Conv
 * weights are {@code [F, C, kh, kw]} in both.
 */
final class OnnxLayers {
    private final OnnxImport k;

    OnnxLayers(OnnxImport k) {
        this.k = k;
    }

    /** {@code Y = alpha * A B + beta * C}, A the input {@code [N, F]}. */
    Computed gemm(OnnxNode n, List<OnnxValue> in) {
        Computed x = k.computed(n, in, 0);
        if (!x.plain() || x.shape().length != 1) throw k.error(n, "it multiplies " + x.describe() + "; nnet's dense reads [N, features] here");
        if (n.integer("transA", 0) != 0) throw k.error(n, "transA=1 (the batch transposed) is not supported");
        Floats b = k.weights(n, in, 1);
        if (b.shape().length != 2) throw k.error(n, "its weight is " + Arrays.toString(b.shape()) + ", not a matrix");
        Floats kernel = n.integer("transB", 0) != 0 ? OnnxConstants.transpose(b, null) : b;
        float alpha = n.real("alpha", 1), beta = n.real("beta", 1);
        int m = kernel.shape()[1];
        float[] bias = null;
        if (in.size() > 2 && in.get(2) != null) bias = bias(n, in.get(2), m, beta);
        return dense(n, n, x, scaled(kernel, alpha), bias);
    }

    /** A MatMul by a weight on the last axis; an Add of a constant vector that alone reads it is its bias. */
    Computed matmul(OnnxNode n, List<OnnxValue> in) {
        Computed x = k.computed(n, in, 0);
        if (!x.plain()) throw k.error(n, "it multiplies " + x.describe() + " with its axes permuted from the order nnet computes");
        if (in.get(1) instanceof Computed) throw k.error(n, "it multiplies two computed tensors; nnet's dense multiplies by a weight");
        Floats w = k.weights(n, in, 1);
        if (w.shape().length != 2) throw k.error(n, "its weight is " + Arrays.toString(w.shape()) + ", not a matrix");
        int m = w.shape()[1];
        OnnxNode add = k.soleReader(n.outputs().get(0));
        OnnxValue biasValue = null;
        if (add != null && add.op().equals("Add")) {
            String other = add.input(0).equals(n.outputs().get(0)) ? add.input(1) : add.input(0);
            OnnxValue c = k.constantAhead(other);
            if (c instanceof Floats f && f.data().length == m) biasValue = c;
        }
        if (biasValue == null) return dense(n, n, x, w, null);
        Computed y = dense(n, add, x, w, bias(add, biasValue, m, 1));
        k.absorb(add, y);
        return y;
    }

    private Computed dense(OnnxNode n, OnnxNode last, Computed x, Floats kernel, float[] bias) {
        int f = kernel.shape()[0], m = kernel.shape()[1];
        if (x.shape()[x.shape().length - 1] != f) throw k.error(n, "its weight has " + f + " rows for an input " + x.describe());
        String name = k.statementName(n, last);
        k.net.weight(name + ".kernel", kernel.tensor());
        if (bias != null) k.net.weight(name + ".bias", new Tensor(new int[] {m}, bias));
        long zeros = 0;
        for (float v : kernel.data()) if (v == 0) zeros++;
        if (zeros > 0)
            k.net.note(n.describe() + ": its weight has " + zeros + " of " + kernel.data().length + " entries exactly 0, as a mask multiplied into it"
                    + " (and folded by the export) leaves them. It is imported as the dense layer " + name + ", whose zeros training would move:"
                    + " to keep those connections absent, add connect: mask [...] (rows inputs, columns units) to its statement");
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = m;
        k.net.line(name + " = dense(" + x.name() + ", " + m + (bias == null ? ", bias: false" : "") + ")");
        return new Computed(name, shape, x.axes(), null);
    }

    private float[] bias(OnnxNode n, OnnxValue c, int m, float beta) {
        float[] b = new float[m];
        if (c instanceof Filled f) Arrays.fill(b, f.value() * beta);
        else {
            Floats f = OnnxConstants.floats(c);
            if (f.data().length != m && f.data().length != 1) throw k.error(n, "its bias has " + f.data().length + " values for " + m + " units");
            for (int j = 0; j < m; j++) b[j] = f.data()[f.data().length == 1 ? 0 : j] * beta;
        }
        return b;
    }

    private static Floats scaled(Floats f, float by) {
        if (by == 1) return f;
        float[] d = f.data().clone();
        for (int i = 0; i < d.length; i++) d[i] *= by;
        return new Floats(f.shape(), d);
    }

    /** A 2-D convolution whose padding is none ({@code valid}) or nnet's {@code same} (the odd extra row and column after the image). */
    Computed conv(OnnxNode n, List<OnnxValue> in) {
        Computed x = image(n, in);
        Floats w = k.weights(n, in, 1);
        if (n.integer("group", 1) != 1) throw k.error(n, "grouped convolution (group=" + n.integer("group", 1) + ") is not supported");
        if (w.shape().length != 4 || w.shape()[1] != x.shape()[0]) throw k.error(n, "its weight " + Arrays.toString(w.shape()) + " does not fit the image " + x.describe());
        int filters = w.shape()[0], kh = w.shape()[2], kw = w.shape()[3];
        long[] strides = n.ints("strides", new long[] {1, 1}), dilations = n.ints("dilations", new long[] {1, 1});
        if (dilations[0] != 1 || dilations[1] != 1) throw k.error(n, "dilation " + Arrays.toString(dilations) + " is not supported");
        int sy = (int) strides[0], sx = (int) strides[1], h = x.shape()[1], wd = x.shape()[2];
        boolean same = padding(n, new int[] {kh, kw}, new int[] {sy, sx}, h, wd);
        int oh = same ? (h + sy - 1) / sy : (h - kh) / sy + 1, ow = same ? (wd + sx - 1) / sx : (wd - kw) / sx + 1;
        String name = k.statementName(n, n);
        k.net.weight(name + ".kernel", w.tensor());
        boolean bias = in.size() > 2 && in.get(2) != null;
        if (bias) k.net.weight(name + ".bias", new Tensor(new int[] {filters}, bias(n, in.get(2), filters, 1)));
        String size = kh == kw ? Integer.toString(kh) : "[" + kh + ", " + kw + "]";
        k.net.line(name + " = conv2d(" + x.name() + ", " + filters + ", " + size + stride(sy, sx, 1) + (same ? ", pad: same" : "") + (bias ? "" : ", bias: false") + ")");
        return new Computed(name, new int[] {filters, oh, ow});
    }

    /** Whether the node's padding is nnet's same (false: none); any other padding is an error. */
    private boolean padding(OnnxNode n, int[] kernel, int[] strides, int h, int w) {
        String auto = n.text("auto_pad", "NOTSET");
        if (auto.equals("VALID")) return false;
        if (auto.equals("SAME_UPPER")) return true;
        long[] pads = n.ints("pads", new long[4]);
        if (!auto.equals("NOTSET") && !auto.equals("SAME_LOWER")) throw k.error(n, "auto_pad " + auto + " is not supported");
        if (auto.equals("NOTSET") && Arrays.stream(pads).allMatch(p -> p == 0)) return false;
        int[] size = {h, w};
        long[] same = new long[4];
        for (int d = 0; d < 2; d++) {
            int out = (size[d] + strides[d] - 1) / strides[d], total = Math.max((out - 1) * strides[d] + kernel[d] - size[d], 0);
            same[d] = total / 2;
            same[d + 2] = total - total / 2;
        }
        if (auto.equals("SAME_LOWER") ? same[0] == same[2] && same[1] == same[3] : Arrays.equals(pads, same)) return true;
        throw k.error(n, "its padding " + Arrays.toString(pads) + " is neither none nor nnet's 'same' (" + Arrays.toString(same)
                + " here: top, left, bottom, right); nnet pads valid or same");
    }

    Computed pool(OnnxNode n, List<OnnxValue> in) {
        Computed x = image(n, in);
        long[] kernel = n.ints("kernel_shape", null), strides = n.ints("strides", new long[] {1, 1}), pads = n.ints("pads", new long[4]);
        if (kernel == null || kernel.length != 2 || kernel[0] != kernel[1]) throw k.error(n, "its window " + Arrays.toString(kernel) + " is not square; nnet pools k x k windows");
        if (Arrays.stream(pads).anyMatch(p -> p != 0) || n.text("auto_pad", "NOTSET").startsWith("SAME")) throw k.error(n, "padding is not supported for pooling");
        long[] dilations = n.ints("dilations", new long[] {1, 1});
        if (dilations[0] != 1 || dilations[1] != 1) throw k.error(n, "dilation " + Arrays.toString(dilations) + " is not supported");
        int w = (int) kernel[0], sy = (int) strides[0], sx = (int) strides[1];
        int oh = PoolSpec.outputSize(x.shape()[1], w, sy), ow = PoolSpec.outputSize(x.shape()[2], w, sx);
        if (n.integer("ceil_mode", 0) != 0 && ((x.shape()[1] - w) % sy != 0 || (x.shape()[2] - w) % sx != 0))
            throw k.error(n, "ceil_mode=1 adds a partial window here; nnet's pools take whole windows");
        String fn = n.op().equals("MaxPool") ? "maxpool" : "avgpool";
        return k.bind(n, n, fn + "(" + x.name() + ", " + w + stride(sy, sx, w) + ")", new int[] {x.shape()[0], oh, ow}, Computed.batchFirstAxes(3));
    }

    /**
     * BatchNormalization in inference mode, which normalizes ONNX's axis 1 (of {@code [N, C, ...]}) by
     * the running statistics: nnet's batchnorm when that axis is the one nnet's normalizes (an image's
     * channels, the last axis of a vector or sequence). ONNX's momentum has Keras' meaning (PyTorch
     * writes {@code 1 - momentum}), as nnet's has. A scale of ones or a shift of zeros that is a
     * constant, not a stored weight, is PyTorch's {@code affine=False}: {@code scale: false},
     * {@code center: false}.
     */
    Computed batchnorm(OnnxNode n, List<OnnxValue> in) {
        if (n.integer("training_mode", 0) != 0)
            throw k.error(n, "it was exported in training mode (training_mode=1), normalizing by each batch's statistics; export the module after module.eval()");
        Computed x = k.computed(n, in, 0);
        int rank = x.shape().length, channelAxis = rank == 3 ? 0 : rank - 1;
        if (x.axes().length < 2 || x.axes()[0] != OnnxValue.BATCH_AXIS || x.axes()[1] != channelAxis)
            throw k.error(n, "it normalizes axis 1 of " + x.describe() + ", and nnet's batchnorm normalizes the channels of an image [N, C, H, W]"
                    + " or the last axis of [N, F] and [N, T, F] (a BatchNorm1d on [N, C, L] needs its input transposed to [N, L, C])");
        int channels = x.shape()[channelAxis];
        float momentum = n.real("momentum", 0.9f), epsilon = n.real("epsilon", 1e-5f);
        if (!(momentum >= 0 && momentum < 1))
            throw k.error(n, "its momentum " + momentum + " is not in [0, 1), the weight of the moving statistics at each step as nnet (and Keras) take it");
        boolean scale = !fixedTo(n, in, 1, 1, channels), center = !fixedTo(n, in, 2, 0, channels);
        String name = k.statementName(n, n);
        String[] roles = {"gamma", "beta", "moving_mean", "moving_variance"};
        for (int i = 1; i <= 4; i++) if ((i != 1 || scale) && (i != 2 || center)) normWeight(n, in, i, name + "." + roles[i - 1], channels, x);
        k.net.line(name + " = batchnorm(" + x.name() + ", momentum: " + k.literal(n, momentum) + ", epsilon: " + plain(n, epsilon)
                + (center ? "" : ", center: false") + (scale ? "" : ", scale: false") + ")");
        return new Computed(name, x.shape(), x.axes(), null);
    }

    /**
     * LayerNormalization (opset 17, PyTorch's {@code LayerNorm} over the last dimension): nnet's layernorm
     * when it normalizes the last axis of {@code [N, F]} or {@code [N, T, F]}. Its scale and bias are taken as
     * batchnorm's; an absent one (PyTorch's {@code elementwise_affine=False} writes neither) is {@code scale: false}, {@code center: false}.
     */
    Computed layernorm(OnnxNode n, List<OnnxValue> in) {
        Computed x = k.computed(n, in, 0);
        long axis = n.integer("axis", -1);
        if (!x.plain() || x.shape().length > 2 || (axis != -1 && axis != x.axes().length - 1))
            throw k.error(n, "it normalizes from axis " + axis + " of " + x.describe() + ", and nnet's layernorm normalizes the last axis of [N, F] or [N, T, F]");
        int features = x.shape()[x.shape().length - 1];
        boolean scale = in.get(1) != null && !fixedTo(n, in, 1, 1, features), center = in.size() > 2 && in.get(2) != null && !fixedTo(n, in, 2, 0, features);
        String name = k.statementName(n, n);
        if (scale) normWeight(n, in, 1, name + ".gamma", features, x);
        if (center) normWeight(n, in, 2, name + ".beta", features, x);
        k.net.line(name + " = layernorm(" + x.name() + ", epsilon: " + plain(n, n.real("epsilon", 1e-5f)) + (center ? "" : ", center: false") + (scale ? "" : ", scale: false") + ")");
        return new Computed(name, x.shape(), x.axes(), null);
    }

    /** Input i, a vector of a value per channel (or feature), as the weight {@code name}. */
    private void normWeight(OnnxNode n, List<OnnxValue> in, int i, String name, int channels, Computed x) {
        Floats v = k.weights(n, in, i);
        if (v.data().length != channels) throw k.error(n, "its " + name.substring(name.lastIndexOf('.') + 1) + " has " + v.data().length + " values for " + channels + " channels of " + x.describe());
        k.net.weight(name, new Tensor(new int[] {channels}, v.data()));
    }

    /** A small positive number as the language writes it without an exponent: 0.00001. */
    private String plain(OnnxNode n, float v) {
        return new java.math.BigDecimal(k.literal(n, v)).stripTrailingZeros().toPlainString();
    }

    /** Whether input i is a constant (not a stored weight) whose every value is {@code value}. */
    private boolean fixedTo(OnnxNode n, List<OnnxValue> in, int i, float value, int channels) {
        if (k.storedWeight(n.input(i)) || !(in.get(i) instanceof Floats f) || f.data().length != channels) return false;
        for (float v : f.data()) if (v != value) return false;
        return true;
    }

    private Computed image(OnnxNode n, List<OnnxValue> in) {
        Computed x = k.computed(n, in, 0);
        if (!x.plain() || x.shape().length != 3) throw k.error(n, "it needs an image [N, C, H, W], found " + x.describe());
        return x;
    }

    /** {@code , stride: s} or {@code , stride: [sy, sx]}, or nothing when the strides are the default {@code usual}. */
    private static String stride(int sy, int sx, int usual) {
        if (sy == usual && sx == usual) return "";
        return ", stride: " + (sy == sx ? Integer.toString(sy) : "[" + sy + ", " + sx + "]");
    }
}
