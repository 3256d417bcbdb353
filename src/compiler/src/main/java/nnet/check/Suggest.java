package nnet.check;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import nnet.diag.Fix;
import nnet.diag.Span;

/** "did you mean 'dense'?" — the closest known word within a small edit distance, and the fix that writes it. */
final class Suggest {
    private Suggest() {}

    static String didYouMean(String word, Collection<String> known) {
        return closest(word, known).map(b -> "; did you mean '" + b + "'?").orElse("");
    }

    /** The change of the misspelt {@code word} at {@code span} into the closest known word; none when no word is close. */
    static List<Fix> fix(Span span, String word, Collection<String> known) {
        return closest(word, known).map(b -> List.of(new Fix("Change to '" + b + "'", span, b))).orElse(List.of());
    }

    private static Optional<String> closest(String word, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(word, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(1, (word.length() + 1) / 3) ? Optional.of(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
