package nnet.ir;

/**
 * A Keras LSTM: kernel {@code [F, 4*units]} and recurrent kernel {@code [units, 4*units]} in gate
 * order i, f, c, o, bias {@code [4*units]}; zero initial state. Connectivity of each kernel is the
 * same pattern repeated for the four gates; the Params' connectivity holds the expanded form.
 */
public record LstmSpec(Param kernel, Param recurrent, Param bias, int units, boolean sequences) {}
