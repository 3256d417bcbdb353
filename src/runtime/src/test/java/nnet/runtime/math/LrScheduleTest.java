package nnet.runtime.math;

import nnet.runtime.UserError;

import nnet.runtime.math.LrSchedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Learning-rate schedules against rates computed by hand, and the command line's form of them. */
class LrScheduleTest {
    @Test
    void stepHalvesEveryThreeEpochs() {
        LrSchedule s = LrSchedule.parse("step(0.08, every: 3, factor: 0.5)");
        double[] byEpoch = {0.08, 0.08, 0.08, 0.04, 0.04, 0.04, 0.02, 0.02, 0.02, 0.01};
        for (int e = 1; e <= 10; e++) assertEquals(byEpoch[e - 1], s.at(e * 7L, e, 10), 1e-15, "epoch " + e);
        assertEquals(0.08, s.base());
    }

    @Test
    void cosineFallsFromTheRateTowardsTheMinimum() {
        LrSchedule s = LrSchedule.parse("cosine(0.1, min: 0.02)");
        assertEquals(0.1, s.at(1, 1, 4), 1e-15);
        assertEquals(0.02 + 0.08 * (1 + Math.cos(Math.PI / 4)) / 2, s.at(9, 2, 4), 1e-15);
        assertEquals(0.06, s.at(17, 3, 4), 1e-15, "halfway: the mean of rate and minimum");
        assertEquals(0.02 + 0.08 * (1 + Math.cos(3 * Math.PI / 4)) / 2, s.at(25, 4, 4), 1e-15);
        assertEquals(0.0, ((LrSchedule.Cosine) LrSchedule.parse("cosine(0.1)")).min(), "min defaults to 0");
    }

    @Test
    void warmupRampsEveryStepThenHandsOver() {
        LrSchedule s = LrSchedule.parse("warmup(4, step(0.2, every: 1, factor: 0.5))");
        assertEquals(0.05, s.at(1, 1, 3), 1e-15);
        assertEquals(0.10, s.at(2, 1, 3), 1e-15);
        assertEquals(0.075, s.at(3, 2, 3), 1e-15, "3/4 of epoch 2's 0.1");
        assertEquals(0.1, s.at(4, 2, 3), 1e-15);
        assertEquals(0.05, s.at(5, 3, 3), 1e-15);
        assertEquals(0.003, LrSchedule.parse("warmup(10, 0.003)").at(10, 1, 1), 1e-15);
        assertEquals(0.2, s.base());
    }

    @Test
    void aNumberIsAConstantRate() {
        assertEquals(new LrSchedule.Constant(0.01), LrSchedule.parse(" 0.01 "));
        assertEquals("warmup(5, cosine(0.01, min: 0.001))", LrSchedule.describe(LrSchedule.parse("warmup(5,cosine(0.01,min:0.001))")));
    }

    @Test
    void mistakesNameTheirColumn() {
        assertMessage("step(0.01, every: 2, factor: 0)", "column 22: factor must be in (0, 1], found 0");
        assertMessage("warmup(3, warmup(2, 0.1))", "column 11: a warmup inside a warmup");
        assertMessage("linear(0.1)", "column 1: unknown learning-rate schedule 'linear': expected a number, step, cosine, warmup");
        assertMessage("cosine(0.1", "column 11: expected ',' or ')'");
        assertMessage("cosine(0.1) x", "column 13: unexpected 'x'");
        assertMessage("fast", "column 1: expected a number or a schedule (step, cosine, warmup), found 'fast'");
        assertMessage("0", "the learning rate must be positive, found 0");
        assertMessage("step(0.1, 2, every: 1, factor: 0.5)", "column 11: step takes the rate first");
    }

    private static void assertMessage(String text, String expected) {
        UserError e = assertThrows(UserError.class, () -> LrSchedule.parse(text));
        assertTrue(e.getMessage().startsWith("--lr '" + text + "': ") && e.getMessage().contains(expected), e.getMessage());
    }
}
