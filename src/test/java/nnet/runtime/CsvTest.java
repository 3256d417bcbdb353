package nnet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir Path tmp;

    private Path file(String text) throws IOException {
        return Files.writeString(tmp.resolve("x.csv"), text);
    }

    private void assertBad(String text, int columns, String expected) throws IOException {
        Path f = file(text);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Csv.read(f, columns, "input x[2]"));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void readsNumbersSkippingHeaderCommentsAndBlankLines() throws IOException {
        float[][] rows = Csv.read(file("a, b\n# a comment\n1, 2.5\n\n-3,1e-3\n"));
        assertEquals(2, rows.length);
        assertArrayEquals(new float[] {1, 2.5f}, rows[0]);
        assertArrayEquals(new float[] {-3, 1e-3f}, rows[1]);
    }

    @Test
    void errorsNameFileRowAndColumn() throws IOException {
        assertBad("1,2\n3,abc\n", -1, ":2:2: 'abc' is not a number");
        assertBad("1,2\n3,NaN\n", -1, ":2:2: 'NaN' is not a finite number");
        assertBad("1,2\n3,4,5\n", -1, ":2: row has 3 columns, expected 2 (as in row 1)");
        assertBad("1,2,3\n", 2, ":1: row has 3 columns, but input x[2] needs 2");
        assertBad("\n# nothing\n", -1, "no data rows");
        assertBad("1,,2\n", -1, ":1:2: '' is not a number");
    }

    @Test
    void writesWholeNumbersPlainlyAndRoundTrips() throws IOException {
        float[][] rows = {{0, -2, 1.5f}, {1e-5f, 123456789f, 0.1f}};
        Path f = tmp.resolve("out.csv");
        Csv.write(f, rows);
        assertTrue(Files.readString(f).startsWith("0,-2,1.5\n"));
        float[][] back = Csv.read(f);
        for (int r = 0; r < rows.length; r++) assertArrayEquals(rows[r], back[r]);
    }
}
