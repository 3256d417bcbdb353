package nnet.cli;

import picocli.CommandLine.Option;

/** {@code --allow-nonfinite}, for every command that reads a weights file: NaN and infinities load only when asked for. */
final class NonFiniteOption {
    @Option(names = "--allow-nonfinite", description = "load a weights file that holds NaN or infinite values (an error otherwise, naming the first)")
    boolean allowed;
}
