package nnet.check;

import java.util.Collection;
import java.util.List;
import nnet.diag.Fix;
import nnet.diag.Span;

/**
 * "did you mean 'dense'?" in the checker: the words of {@link nnet.runtime.Suggest} (which the
 * command lines share), and the fix that writes the closest word in place of the misspelt one.
 */
final class Suggest {
    private Suggest() {}

    static String didYouMean(String word, Collection<String> known) {
        return nnet.runtime.Suggest.didYouMean(word, known);
    }

    static String closest(String word, Collection<String> known) {
        return nnet.runtime.Suggest.closest(word, known);
    }

    /** The change of the misspelt {@code word} at {@code span} into the closest known word; none when no word is close. */
    static List<Fix> fix(Span span, String word, Collection<String> known) {
        String best = closest(word, known);
        return best == null ? List.of() : List.of(new Fix("Change to '" + best + "'", span, best));
    }
}
