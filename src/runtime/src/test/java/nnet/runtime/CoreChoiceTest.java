package nnet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CoreChoiceTest {
    /** Steps of a machine on which a step takes {@code threads} or {@code caller} ns a sample; returns how many ran on the caller. */
    private static int run(CoreChoice choice, int steps, long threads, long caller) {
        int onCaller = 0;
        for (int k = 0; k < steps; k++) {
            boolean here = choice.onCaller();
            if (here) onCaller++;
            choice.took(here, 64 * (here ? caller : threads), 64);
        }
        return onCaller;
    }

    @Test
    void threadsUntilTheFirstProbeThenTheFasterWay() {
        CoreChoice choice = new CoreChoice(CoreChoice.Mode.ADAPTIVE);
        assertEquals(0, run(choice, CoreChoice.FIRST_PROBE, 10, 5), "threads before the first probe");
        assertEquals(CoreChoice.PROBE_STEPS, run(choice, 2 * CoreChoice.PROBE_STEPS, 10, 5), "a probe runs half its steps each way");
        assertTrue(choice.onCaller(), "the caller was faster");
        int rest = CoreChoice.FIRST_PROBE - 2 * CoreChoice.PROBE_STEPS; // the second probe starts FIRST_PROBE steps after the first
        assertEquals(rest, run(choice, rest, 10, 5), "on the caller until the next probe");
        // the machine changes: threads are faster now, and the next probe sees it
        assertEquals(CoreChoice.PROBE_STEPS, run(choice, 2 * CoreChoice.PROBE_STEPS, 4, 5));
        assertFalse(choice.onCaller());
    }

    @Test
    void probesThinOutToOneEveryPeriod() {
        CoreChoice choice = new CoreChoice(CoreChoice.Mode.ADAPTIVE);
        long threads = 4_000_000, caller = 5_000_000; // ns a sample: a step of 64 takes a quarter of a second, so PROBE_EVERY steps are over 10 s
        int early = run(choice, 10 * CoreChoice.PROBE_EVERY, threads, caller);
        assertTrue(early > 0 && early * 50 < 10 * CoreChoice.PROBE_EVERY, early + " steps on the caller, the slower way, in the first periods: under 2%");
        // from then on a probe every PROBE_EVERY steps, half its steps the slower way
        assertEquals(10 * CoreChoice.PROBE_STEPS, run(choice, 10 * CoreChoice.PROBE_EVERY, threads, caller));
    }

    @Test
    void shortStepsAreProbedOnceInTenSeconds() {
        CoreChoice choice = new CoreChoice(CoreChoice.Mode.ADAPTIVE);
        long threads = 15_625, caller = 31_250; // ns a sample: a step of 64 takes 1 ms on threads
        run(choice, 10 * CoreChoice.PROBE_EVERY, threads, caller);
        // 50 s of steps: 5 probes, not the 100 that one every PROBE_EVERY steps would be
        int slow = run(choice, 50_000, threads, caller);
        assertTrue(slow >= 4 * CoreChoice.PROBE_STEPS && slow <= 6 * CoreChoice.PROBE_STEPS, slow + " steps on the caller");
    }

    @Test
    void aProbeComparesEachWaysFastestStepPerSample() {
        CoreChoice choice = new CoreChoice(CoreChoice.Mode.ADAPTIVE);
        run(choice, CoreChoice.FIRST_PROBE, 1, 1);
        // threads: one slow step (a pause) and fast ones; the caller steadily between, with larger batches
        long[] threads = {900, 300, 300, 300};
        for (int k = 0; k < 2 * CoreChoice.PROBE_STEPS; k++) {
            boolean here = choice.onCaller();
            if (here) choice.took(true, 128 * 400, 128);
            else choice.took(false, 64 * threads[k / 2], 64);
        }
        assertFalse(choice.onCaller(), "300 ns a sample on threads against 400 on the caller");
    }

    @Test
    void aFixedWayIsKept() {
        assertEquals(0, run(new CoreChoice(CoreChoice.Mode.THREADS), 2000, 10, 1));
        assertEquals(2000, run(new CoreChoice(CoreChoice.Mode.CALLER), 2000, 1, 10));
    }

    @Test
    void anUnknownWayIsAUserError() {
        String before = System.getProperty("nnet.rounds");
        try {
            System.setProperty("nnet.rounds", "both");
            UserError e = assertThrows(UserError.class, CoreChoice::fromProperty);
            assertEquals("-Dnnet.rounds=both: expected adaptive, threads or caller", e.getMessage());
        } finally {
            if (before == null) System.clearProperty("nnet.rounds");
            else System.setProperty("nnet.rounds", before);
        }
    }
}
