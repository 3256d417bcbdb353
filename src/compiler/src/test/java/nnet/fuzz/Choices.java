package nnet.fuzz;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The decisions a generator makes, from a fuzzer's bytes or from a seeded random source. Driven
 * by Jazzer's bytes, each decision is a place where coverage guidance can steer; when the bytes
 * run out, the rest of the decisions come from a random source seeded by the input, so a short
 * input still makes a rich program, and the same input always the same one. Generators bound
 * their own size and depth, so generation always ends.
 */
interface Choices {
    /** A number in {@code [0, n)}. */
    int below(int n);

    default int between(int low, int high) {
        return low + below(high - low + 1);
    }

    /** True about {@code percent} times in 100 (never once the fuzzer's bytes run out). */
    default boolean chance(int percent) {
        return below(100) >= 100 - percent;
    }

    default <T> T oneOf(List<T> options) {
        return options.get(below(options.size()));
    }

    /**
     * Decisions read from {@code bytes} from offset {@code from}: one byte per decision among at
     * most 256 options, four otherwise; then, when they run out, from a random source seeded by
     * all of {@code bytes}.
     */
    static Choices of(byte[] bytes, int from) {
        SplittableRandom rest = new SplittableRandom(java.util.Arrays.hashCode(bytes));
        int[] at = {from};
        return n -> {
            if (n <= 1) return 0;
            int width = n <= 256 ? 1 : 4;
            if (at[0] + width > bytes.length) return rest.nextInt(n);
            int v = 0;
            for (int k = 0; k < width; k++) v = v << 8 | bytes[at[0]++] & 0xff;
            return Math.floorMod(v, n);
        };
    }

    static Choices of(SplittableRandom random) {
        return n -> n <= 1 ? 0 : random.nextInt(n);
    }
}
