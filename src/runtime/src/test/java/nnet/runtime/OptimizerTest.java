package nnet.runtime;

import nnet.runtime.math.Penalty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    @Test
    void anArgumentTheOptimizerDoesNotTakeIsAnErrorNotIgnored() {
        UserError e = assertThrows(UserError.class, () -> Optimizer.of("adam", Map.of("momentum", 0.9)));
        assertEquals("adam has no argument 'momentum' (it takes lr, beta1, beta2, eps)", e.getMessage());
        e = assertThrows(UserError.class, () -> Optimizer.of("sgd", Map.of("lr", 0.1, "momentun", 0.9)));
        assertEquals("sgd has no argument 'momentun'; did you mean 'momentum'? (it takes lr, momentum)", e.getMessage());
        assertThrows(UserError.class, () -> Optimizer.of("adam", Map.of("weight_decay", 0.1)), "weight_decay is adamw's");
        assertEquals(0.1, Optimizer.of("adamw", Map.of("lr", 0.1, "weight_decay", 0.1)).learningRate());
    }

    /** An embedding's table [3, 2], a row per segment, with the rows a batch touches flagged as its gradient kernel flags them. */
    private static ParamStorage embedding() {
        ParamStorage p = new ParamStorage("e.embeddings", new int[] {3, 2}, new float[][] {{1, 2}, {3, 4}, {5, 6}}, (seg, k) -> seg * 2 + k, null);
        p.allocateGrads();
        p.touchedRows();
        return p;
    }

    /** A batch of 2 that touched row 1 only, its gradient sums {2, -2}. */
    private static void touchRow1(ParamStorage p) {
        p.zeroGrads();
        p.touched[1] = true;
        p.grads[1][0] = 2;
        p.grads[1][1] = -2;
        p.finishGrads(2);
    }

    @Test
    void aPenaltyStepsAnEmbeddingsTouchedRowsOnlyAndCountsEveryRow() {
        ParamStorage p = embedding();
        p.penalty(new Penalty(0.1f, 0.5f));
        touchRow1(p);
        Optimizer.of("sgd", Map.of("lr", 0.1)).step(List.of(p));
        assertArrayEquals(new float[] {1, 2}, p.values[0], "untouched: not stepped, not decayed");
        assertArrayEquals(new float[] {5, 6}, p.values[2]);
        // row 1: w - lr (g / 2 + 0.1 sign(w) + 2 * 0.5 w)
        assertArrayEquals(new float[] {3 - 0.1f * 4.1f, 4 - 0.1f * 3.1f}, p.values[1], 1e-6f);
        assertEquals(0.1 * 21 + 0.5 * 91, p.penaltyTaken(), 1e-5, "every row's penalty, before the step");
        // computeGradients' form: the derivative at the touched rows only (the others' sums would never be zeroed)
        touchRow1(p);
        p.addPenaltyGradient();
        assertArrayEquals(new float[2], p.grads[0]);
        assertArrayEquals(new float[2], p.grads[2]);
        assertEquals(2 + 2 * (0.1f + 2 * 0.5f * p.values[1][0]), p.grads[1][0], 1e-5, "the sums scaled back: 2 (0.5 g + the derivative)");
    }

    @Test
    void anEmbeddingsStateIsSavedAndLoadedForTheRowsThatHaveOne() {
        ParamStorage p = embedding();
        Optimizer adam = Optimizer.of("adam", Map.of("lr", 0.01));
        touchRow1(p);
        adam.step(List.of(p));
        Map<String, Tensor> saved = adam.saveState(List.of(p));
        assertArrayEquals(new float[] {0, 0, 0.1f, -0.1f, 0, 0}, saved.get("e.embeddings/m").data(), 1e-7f, "rows never touched: zeros");
        ParamStorage q = embedding();
        Optimizer resumed = Optimizer.of("adam", Map.of("lr", 0.01));
        resumed.loadState(List.of(q), saved, adam.steps());
        // the next step of both: row 2 touched for the first time, row 1 again
        for (ParamStorage each : List.of(p, q)) {
            touchRow1(each);
            each.touched[2] = true;
            each.grads[2][0] = 1;
        }
        System.arraycopy(p.values[1], 0, q.values[1], 0, 2);
        adam.step(List.of(p));
        resumed.step(List.of(q));
        for (int row = 0; row < 3; row++) assertArrayEquals(p.values[row], q.values[row], "row " + row);
        assertArrayEquals(adam.saveState(List.of(p)).get("e.embeddings/v").data(), resumed.saveState(List.of(q)).get("e.embeddings/v").data());
    }
}
