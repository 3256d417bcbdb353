package nnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The epoch line, Keras' way, and how the bar keeps the lines above it. */
class ProgressTest {
    private static Evaluation evaluation(double loss, double penalty, Map<String, Double> metrics) {
        return new Evaluation(40, loss, penalty, List.of(new Evaluation.Head("y", loss, 36, new int[2][2], metrics, null)));
    }

    private static final EpochLoop.Report REPORT = new EpochLoop.Report(3, 20, 12,
            evaluation(0.1234, 0.002, Map.of("accuracy", 0.9, "auc", 0.97125, "f1", 0.5)),
            evaluation(0.2, 0.002, Map.of("accuracy", 0.95, "auc", 0.96)), 0.001, 12345, 0.52);

    @Test
    void aLinePerEpochHasTheMeanLossTheFiguresTheRateTheSpeedAndTheTime() {
        assertEquals("epoch 3/20: loss 0.1234, penalty 0.002000, accuracy 90.0%, auc 0.9713, held-out loss 0.2000, held-out penalty 0.002000, "
                + "held-out accuracy 95.0%, held-out auc 0.9600, lr 0.001, 12,345 samples/s, 0.52 s", Progress.line(REPORT));
        assertEquals("4 min 05 s", Progress.time(245));
    }

    /** On a terminal: each epoch's line is printed whole, from the start of the bar's row (erased), ending the row; the bar goes on below. */
    @Test
    void theBarKeepsEachEpochsLineAboveIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress bar = new Progress.Bar("N", 40, err)) {
            for (int s = 0; s < 12; s++) bar.step(1, 3, 0.5f, 100);
            bar.epoch(REPORT);
            bar.step(2, 3, 0.4f, 100);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("\r\033[2K" + Progress.line(REPORT) + "\n"), out);
        assertTrue(out.lastIndexOf("train N") > out.indexOf(Progress.line(REPORT)), "the bar again after the line: " + out);
    }
}
