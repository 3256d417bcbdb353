package nnet.ir;

/**
 * A 2-D convolution: kernel {@code [filters, C, kh, kw]}, optional bias {@code [filters]} (may be null),
 * {@code connect} a {@code C x filters} channel table (absent pairs are never computed).
 * Output position {@code (y, x)} reads input rows {@code y strideY + ky - padTop} and columns
 * {@code x strideX + kx - padLeft}; {@code padTop/padLeft} are the zero rows/columns added before the
 * image ({@code same} padding), never read.
 */
public record ConvSpec(Param kernel, Param bias, int kh, int kw, int strideY, int strideX, int padTop, int padLeft) {}
