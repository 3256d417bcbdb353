package nnet.check;

import java.util.List;

/**
 * The words the language gives a meaning to, for tools (completion in the language server). Read
 * from the checker's own tables, so what an editor offers is what the checker accepts.
 */
public final class Vocabulary {
    private Vocabulary() {}

    /** Built-in calls other than activations: {@code dense}, {@code conv2d}, ..., {@code gate}. */
    public static List<String> layers() {
        return Layers.CALLS.stream().sorted().toList();
    }

    /** Activations, usable as calls and as the third argument of dense/conv2d. */
    public static List<String> activations() {
        return Layers.ACTIVATIONS;
    }

    /** Connectivity patterns of {@code connect:} (LANGUAGE.md §4). */
    public static List<String> patterns() {
        return Patterns.NAMES.stream().sorted().toList();
    }

    public static List<String> losses() {
        return Layers.LOSSES;
    }

    /** The arguments a built-in call takes only by name ({@code connect}, {@code init}, ...); none for the others. */
    public static List<String> namedArguments(String callee) {
        Args.Signature s = switch (callee) {
            case "dense" -> Layers.DENSE;
            case "conv2d" -> Layers.CONV;
            case "lstm" -> Layers.LSTM;
            case "concat" -> Layers.CONCAT;
            default -> null;
        };
        return s == null ? List.of() : s.named();
    }
}
