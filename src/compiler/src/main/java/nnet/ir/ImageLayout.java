package nnet.ir;

/**
 * How an image input's data is ordered in files ({@code input img[3, 32, 32] layout: nhwc}), the
 * arg of its INPUT node; null is nnet's own order, {@code [C, H, W]}. The network computes on
 * {@code [C, H, W]} either way: only the data readers of the commands (predict, train, grad,
 * evaluate, and a compiled jar's predict) reorder rows given as {@code [H, W, C]}, Keras' order.
 */
public enum ImageLayout {
    NHWC
}
