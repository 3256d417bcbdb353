package nnet.interchange.keras;

import nnet.runtime.Tensor;

/** Keras' weight layouts into nnet's (LANGUAGE.md §6), where they differ. */
final class KerasLayouts {
    private KerasLayouts() {}

    /** A Conv2D kernel: Keras' {@code [kh, kw, C, F]} into nnet's {@code [F, C, kh, kw]}. */
    static Tensor convKernel(Tensor keras) {
        int[] s = keras.shape();
        int kh = s[0], kw = s[1], c = s[2], f = s[3];
        float[] out = new float[keras.data().length];
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int ch = 0; ch < c; ch++)
                    for (int o = 0; o < f; o++) out[((o * c + ch) * kh + y) * kw + x] = keras.data()[((y * kw + x) * c + ch) * f + o];
        return new Tensor(new int[] {f, c, kh, kw}, out);
    }

    /**
     * Where each element of a flattened channels_last image {@code [H, W, C]} is in Keras' order: nnet holds the image channels
     * first, so its element {@code (c*H + y)*W + x} is Keras' {@code (y*W + x)*C + c}.
     */
    static int[] channelsLastOrder(int[] hwc) {
        int h = hwc[0], w = hwc[1], c = hwc[2];
        int[] order = new int[h * w * c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++) order[(ch * h + y) * w + x] = (y * w + x) * c + ch;
        return order;
    }

    /** A Dense kernel {@code [n, m]} for an input whose nnet element {@code i} is Keras' element {@code order[i]}: row i is Keras' row order[i]. */
    static Tensor rowsInOrder(Tensor kernel, int[] order) {
        int m = kernel.shape()[1];
        float[] out = new float[kernel.data().length];
        for (int i = 0; i < order.length; i++) System.arraycopy(kernel.data(), order[i] * m, out, i * m, m);
        return new Tensor(kernel.shape(), out);
    }
}
