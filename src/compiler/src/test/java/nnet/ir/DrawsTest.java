package nnet.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DrawsTest {
    @Test
    void everyDrawIsSplittableRandomsOwn() {
        for (long seed : new long[] {0, 7, -3, Long.MIN_VALUE, 0x1234_5678_9abcL}) {
            Draws d = new Draws(seed);
            SplittableRandom longs = new SplittableRandom(seed), units = new SplittableRandom(seed), bounded = new SplittableRandom(seed);
            for (int k = 0; k < 10_000; k++) {
                assertEquals(longs.nextLong(), d.nextLong(k));
                assertEquals(units.nextDouble(), d.unit(k));
                assertEquals(bounded.nextDouble(-0.37, 0.37), d.uniform(k, -0.37, 0.37));
            }
        }
    }
}
