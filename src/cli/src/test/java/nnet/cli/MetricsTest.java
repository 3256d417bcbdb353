package nnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The figures against scikit-learn's own: {@code resources/metrics/make_reference.py} (run by Debian's
 * Python with {@code python3-sklearn}) wrote scores and targets with many ties, and what
 * {@code roc_auc_score}, {@code precision_score}, {@code recall_score}, {@code f1_score},
 * {@code mean_squared_error}, {@code mean_absolute_error} and {@code r2_score} make of them.
 */
class MetricsTest {
    private static final JsonObject REFERENCE = JsonParser.parseString(read("reference.json")).getAsJsonObject().getAsJsonObject("cases");

    @ParameterizedTest
    @ValueSource(strings = {"binary_ties", "binary_coarse", "binary_fine", "multilabel", "classes", "regression"})
    void figuresMatchScikitLearn(String name) {
        JsonObject expected = REFERENCE.getAsJsonObject(name);
        float[][] rows = csv(name + ".csv");
        int half = rows[0].length / 2;
        float[][] y = new float[rows.length][], t = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            y[r] = Arrays.copyOfRange(rows[r], 0, half);
            t[r] = Arrays.copyOfRange(rows[r], half, 2 * half);
        }
        Map<String, Double> got = switch (expected.get("kind").getAsString()) {
            case "binary" -> Metrics.binary(y, t);
            case "classes" -> Metrics.classes(y, t, expected.get("classes").getAsInt());
            default -> Metrics.regression(y, t);
        };
        for (String metric : expected.keySet()) {
            if (!Metrics.NAMES.contains(metric)) continue;
            assertTrue(got.containsKey(metric), name + " has " + metric);
            // scikit-learn computes in float64 from the same float32 values: only the order of sums differs
            assertEquals(expected.get(metric).getAsDouble(), got.get(metric), 1e-9, name + ": " + metric);
        }
    }

    @Test
    void aucIsTheShareOfPairsOrderedRightWithTiesCountingHalf() {
        // positives 0.8, 0.5; negatives 0.5, 0.2: pairs (0.8 > 0.5), (0.8 > 0.2), (0.5 = 0.5: one half), (0.5 > 0.2)
        assertEquals(3.5 / 4, Metrics.auc(new float[] {0.8f, 0.5f, 0.5f, 0.2f}, new boolean[] {true, true, false, false}), 1e-12);
        assertEquals(0.5, Metrics.auc(new float[] {0.3f, 0.3f, 0.3f}, new boolean[] {true, false, false}), 1e-12, "every score tied");
        assertTrue(Double.isNaN(Metrics.auc(new float[] {0.1f, 0.9f}, new boolean[] {true, true})), "one class: undefined");
    }

    private static float[][] csv(String file) {
        return read(file).lines().map(l -> {
            String[] cells = l.split(",");
            float[] row = new float[cells.length];
            for (int k = 0; k < row.length; k++) row[k] = Float.parseFloat(cells[k]);
            return row;
        }).toArray(float[][]::new);
    }

    private static String read(String file) {
        try (InputStream in = MetricsTest.class.getResourceAsStream("/metrics/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
