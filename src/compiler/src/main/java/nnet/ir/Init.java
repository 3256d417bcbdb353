package nnet.ir;

/** How a trainable weight starts: the {@code init:} argument of a layer. */
public sealed interface Init {
    /** Glorot/Xavier uniform: U(-l, l), l = sqrt(6 / (fanIn + fanOut)), counted over present connections. */
    record Glorot() implements Init {}

    /** He normal: N(0, 2 / fanIn). */
    record He() implements Init {}

    record Zeros() implements Init {}

    record Normal(double std) implements Init {}

    record Uniform(double low, double high) implements Init {}

    /** {@code weights: init [[...]]} or {@code bias: init [...]}: these values, then trained. */
    record Values(float[] values) implements Init {}
}
