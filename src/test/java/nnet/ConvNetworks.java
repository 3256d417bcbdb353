package nnet;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Small networks with conv2d and pools, for every option: shared by the differential, gradient and training tests. */
public final class ConvNetworks {
    private ConvNetworks() {}

    public static Stream<Arguments> networks() {
        return Stream.of(
                net("conv_valid", "input img[2, 6, 5]\n c = conv2d(img, 3, 3, relu)\n output c"),
                net("conv_same_stride2_rect", "input img[2, 7, 6]\n c = conv2d(img, 3, [3, 2], tanh, pad: same, stride: 2)\n output c"),
                net("conv_valid_stride3", "input img[1, 9, 8]\n c = conv2d(img, 2, 2, stride: 3, bias: false)\n output c"),
                net("conv_channel_table_bias_mask", "input img[3, 5, 5]\n c = conv2d(img, 2, 3, sigmoid, connect: mask [[1, 0], [0, 1], [1, 1]], bias: mask [1, 0])\n output c"),
                net("conv_random_table", "input img[4, 6, 6]\n c = conv2d(img, 5, 3, relu, pad: same, connect: random(0.5, seed: 4))\n output c"),
                net("pools", "input img[2, 6, 6]\n m = maxpool(img, 2)\n a = avgpool(img, 3)\n y = concat(flatten(m), flatten(a))\n output y"),
                net("gated_cnn_small", """
                        input img[1, 8, 8]
                        c1 = conv2d(img, 4, 3, relu, pad: same)
                        g = conv2d(img, 4, 3, sigmoid, pad: same)
                        next, skip = gate(c1, g)
                        c2 = conv2d(next, 4, 3, relu, pad: same) + skip
                        y = dense(flatten(maxpool(c2, 2)), 3)
                        output y"""));
    }

    private static Arguments net(String name, String body) {
        return Arguments.of(name, "network T {\n " + body + "\n}\n");
    }
}
