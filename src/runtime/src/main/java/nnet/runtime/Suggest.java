package nnet.runtime;

import java.util.Collection;

/**
 * "did you mean 'dense'?" — the closest known word within a small edit distance. In the runtime so
 * that the checker and the command lines of {@code nnetc} and of compiled jars suggest alike.
 */
public final class Suggest {
    private Suggest() {}

    /** {@code "; did you mean 'dense'?"}, or "" when no known word is close. */
    public static String didYouMean(String word, Collection<String> known) {
        String best = closest(word, known);
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    /** The known word closest to {@code word}, when within about a third of its letters; else null. */
    public static String closest(String word, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(word, k);
            // a tie goes to the word that starts alike: 'unit' is 'units', not 'init'
            if (d < bestDistance || (d == bestDistance && commonPrefix(word, k) > commonPrefix(word, best))) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(1, (word.length() + 1) / 3) ? best : null;
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) n++;
        return n;
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
