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
     * The kernel {@code [H*W*C, m]} of a Dense that reads a Flatten of a channels_last image
     * {@code [H, W, C]}: Keras' input row {@code (y*W + x)*C + c} is nnet's row {@code (c*H + y)*W + x},
     * as nnet holds the image channels first.
     */
    static Tensor rowsInChannelsFirstOrder(Tensor kernel, int[] hwc) {
        int h = hwc[0], w = hwc[1], c = hwc[2], m = kernel.shape()[1];
        float[] out = new float[kernel.data().length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++)
                    System.arraycopy(kernel.data(), ((y * w + x) * c + ch) * m, out, ((ch * h + y) * w + x) * m, m);
        return new Tensor(kernel.shape(), out);
    }
}
