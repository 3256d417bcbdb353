package nnet.interchange.keras;

import java.util.List;
import nnet.interchange.keras.KerasImport.Value;
import nnet.interchange.keras.KerasModel.Layer;
import nnet.ir.PoolSpec;
import nnet.runtime.Tensor;

/** Conv2D and the 2-D poolings. Keras' 'same' padding puts the odd extra row and column after the image, as nnet's does. */
final class KerasConv {
    private KerasConv() {}

    static Value conv2d(KerasImport k, Layer l, Value x) {
        int[] kernel = l.pair("kernel_size", null), strides = l.pair("strides", new int[] {1, 1}), dilation = l.pair("dilation_rate", new int[] {1, 1});
        String padding = l.string("padding", "valid");
        if (dilation[0] != 1 || dilation[1] != 1) throw k.unsupported(l, "dilation is not supported");
        if (l.integer("groups", 1) != 1) throw k.unsupported(l, "grouped convolution is not supported");
        if (!padding.equals("valid") && !padding.equals("same")) throw k.unsupported(l, "padding '" + padding + "' is not supported (valid and same are)");
        int[] hwc = hwc(k, x);
        int filters = l.integer("filters", -1), sy = strides[0], sx = strides[1];
        boolean bias = l.bool("use_bias", true);
        List<Tensor> vars = k.variables(l, bias ? 2 : 1);
        String name = k.nameOf(l);
        k.weight(name + ".kernel", KerasLayouts.convKernel(k.expectShape(l, "kernel", vars.get(0), kernel[0], kernel[1], hwc[2], filters)));
        if (bias) k.weight(name + ".bias", k.expectShape(l, "bias", vars.get(1), filters));
        boolean same = padding.equals("same");
        int oh = same ? (hwc[0] + sy - 1) / sy : (hwc[0] - kernel[0]) / sy + 1, ow = same ? (hwc[1] + sx - 1) / sx : (hwc[1] - kernel[1]) / sx + 1;
        String size = kernel[0] == kernel[1] ? Integer.toString(kernel[0]) : "[" + kernel[0] + ", " + kernel[1] + "]";
        String call = "conv2d(" + x.name() + ", " + filters + ", " + size + "%s" + strideArg(sy, sx, 1) + (same ? ", pad: same" : "") + (bias ? "" : ", bias: false") + ")";
        KerasActivation act = k.noted(l, KerasActivation.of(l, k.fileName(), false));
        return k.bind(l, act.wrap(call), shape(k, oh, ow, filters), !k.channelsFirst(), null);
    }

    static Value pool(KerasImport k, Layer l, Value x) {
        int[] size = l.pair("pool_size", new int[] {2, 2}), strides = l.pair("strides", size);
        if (size[0] != size[1]) throw k.unsupported(l, "pool_size " + size[0] + " x " + size[1] + " is not square; nnet pools k x k windows");
        if (!"valid".equals(l.string("padding", "valid"))) throw k.unsupported(l, "padding 'same' is not supported for pooling");
        int[] hwc = hwc(k, x);
        String fn = l.className().equals("MaxPooling2D") ? "maxpool" : "avgpool";
        int n = size[0], oh = PoolSpec.outputSize(hwc[0], n, strides[0]), ow = PoolSpec.outputSize(hwc[1], n, strides[1]);
        return k.bind(l, fn + "(" + x.name() + ", " + n + strideArg(strides[0], strides[1], n) + ")", shape(k, oh, ow, hwc[2]), x.image(), null);
    }

    /** {@code , stride: s} or {@code , stride: [sy, sx]}, or nothing when the strides are the default {@code usual}. */
    private static String strideArg(int sy, int sx, int usual) {
        if (sy == usual && sx == usual) return "";
        return ", stride: " + (sy == sx ? Integer.toString(sy) : "[" + sy + ", " + sx + "]");
    }

    /** Height, width and channels of an image value, in whichever layout Keras holds it. */
    private static int[] hwc(KerasImport k, Value x) {
        int[] s = x.shape();
        return k.channelsFirst() ? new int[] {s[1], s[2], s[0]} : s;
    }

    private static int[] shape(KerasImport k, int h, int w, int c) {
        return k.channelsFirst() ? new int[] {c, h, w} : new int[] {h, w, c};
    }
}
