package nnet.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnet.runtime.io.Csv;
import nnet.runtime.DataFormatException;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;

/**
 * The readers of users' data files, CSV and safetensors, on any bytes: a file is read or refused
 * with a {@link DataFormatException} naming the place; anything else (an exception of another
 * kind, a hang) is a failure. What is read writes back to what reads the same.
 */
class DataFilesFuzzTest {
    private static final Path SCRATCH;

    static {
        try {
            SCRATCH = Files.createTempFile("nnet-fuzz", ".safetensors");
            SCRATCH.toFile().deleteOnExit();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The first byte says what the rest is: 'c' a CSV file, '1'..'8' a CSV file whose rows must have
     * that many columns, 's' a safetensors stream, anything else a safetensors file (whose size
     * is known up front). The seeds are such files with that byte before them.
     */
    @FuzzTest(maxDuration = "2s")
    void csvAndSafetensors(byte[] input) throws Exception {
        if (input.length == 0) return;
        byte kind = input[0];
        byte[] bytes = java.util.Arrays.copyOfRange(input, 1, input.length);
        Watchdog.run("reading " + bytes.length + " bytes as " + (char) kind, () -> {
            if (kind == 'c') csv(bytes, 0);
            else if (kind >= '1' && kind <= '8') csv(bytes, kind - '0');
            else safetensors(bytes, kind != 's');
        });
    }

    static void csv(byte[] bytes, int columns) {
        float[][] rows;
        try (InputStreamReader r = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8)) {
            rows = columns > 0 ? Csv.read(r, "x.csv", columns, "input x[" + columns + "]") : Csv.read(r, "x.csv");
        } catch (DataFormatException e) {
            return;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        StringWriter w = new StringWriter();
        Csv.write(w, rows);
        float[][] again = Csv.read(new StringReader(w.toString()), "again.csv");
        assertEquals(rows.length, again.length);
        for (int i = 0; i < rows.length; i++) assertArrayEquals(rows[i], again[i], "row " + i + " after a round trip");
    }

    static void safetensors(byte[] bytes, boolean asFile) throws java.io.IOException {
        Map<String, Tensor> tensors;
        try {
            if (asFile) {
                Files.write(SCRATCH, bytes);
                tensors = Safetensors.read(SCRATCH);
            } else tensors = Safetensors.read(new ByteArrayInputStream(bytes), "w.safetensors");
        } catch (DataFormatException e) {
            return;
        }
        Map<String, Tensor> again = Safetensors.read(new ByteArrayInputStream(Safetensors.toBytes(tensors)), "again.safetensors");
        assertEquals(tensors, again, "a round trip changes nothing");
    }
}
