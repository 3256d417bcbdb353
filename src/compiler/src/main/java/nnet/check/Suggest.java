package nnet.check;

import java.util.Collection;

/** The checker's name for {@link nnet.runtime.Suggest}, which the command lines share. */
final class Suggest {
    private Suggest() {}

    static String didYouMean(String word, Collection<String> known) {
        return nnet.runtime.Suggest.didYouMean(word, known);
    }

    static String closest(String word, Collection<String> known) {
        return nnet.runtime.Suggest.closest(word, known);
    }
}
