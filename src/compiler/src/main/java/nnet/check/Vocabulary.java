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
        Args.Signature s = Layers.signature(callee);
        return s == null ? List.of() : s.named();
    }

    /**
     * A built-in call's parameters, for signature help.
     *
     * @param positional in order; a last one ending in {@code ...} takes any number more
     * @param required   how many of the positional ones must be given
     * @param named      those given only by name
     */
    public record Signature(List<String> positional, int required, List<String> named) {}

    /** The parameters of a built-in call, or empty for a name that is none. */
    public static java.util.Optional<Signature> signature(String callee) {
        return java.util.Optional.ofNullable(Layers.signature(callee)).map(s -> new Signature(s.positional(), s.required(), s.named()));
    }
}
