package nnet.lsp;

import java.util.List;
import java.util.Map;

/** Words that stand as the value of a named argument (LANGUAGE.md §3, §6), for completion and signature help; patterns come from the checker. */
final class ArgumentValues {
    static final Map<String, List<String>> WORDS = Map.of(
            "init", List.of("glorot", "he", "zeros", "normal", "uniform"),
            "pad", List.of("valid", "same"),
            "bias", List.of("true", "false", "fixed", "init", "mask"),
            "weights", List.of("fixed", "init"),
            "sequences", List.of("true", "false"));

    /** The arguments whose value is a connectivity pattern. */
    static boolean takesPattern(String argument) {
        return argument.equals("connect") || argument.equals("recurrent") || argument.equals("freeze");
    }

    private ArgumentValues() {}
}
