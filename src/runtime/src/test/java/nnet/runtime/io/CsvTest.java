package nnet.runtime.io;

import nnet.runtime.DataFormatException;

import nnet.runtime.io.Csv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path dir;

    // ---- reading ----

    @Test
    void readsRowsSkippingBlankLinesCommentsAndAHeader() {
        String text = "x, y\n\n# a comment\n   # an indented one\n1, 2\n  3 ,4.5 \n-1e-3,+.5\n\n";
        assertArrayEquals(new float[][] {{1, 2}, {3, 4.5f}, {-1e-3f, 0.5f}}, read(text));
    }

    @Test
    void aHeaderMayFollowCommentsAndHaveEmptyCells() {
        assertArrayEquals(new float[][] {{0, 1, 2}}, read("# exported\n\n,a,b\n0,1,2\n"));
    }

    /** Files pandas wrote with quoting=csv.QUOTE_ALL (src/test/resources/pandas/make_csv.py): every cell quoted, a comma inside a quoted name. */
    @Test
    void readsEveryCellQuotedAsPandasWritesIt() {
        Path pandas = Path.of(System.getProperty("nnet.root", "../..")).resolve("src/runtime/src/test/resources/pandas");
        float[][] expected = {{0, 0, 0.25f}, {0, 1, -1.5f}, {1, 0, 3e-8f}, {1, 1, 2}};
        assertArrayEquals(expected, Csv.read(pandas.resolve("quote_all.csv"), 3, "input x[3]"));
        float[][] indexed = Csv.read(pandas.resolve("quote_all_index.csv"));
        for (int r = 0; r < 4; r++) {
            assertEquals(r, indexed[r][0], "pandas' index column");
            assertArrayEquals(expected[r], java.util.Arrays.copyOfRange(indexed[r], 1, 4));
        }
        assertArrayEquals(new float[][] {{1, 2}}, read("\"a, b\", c\n \"1\" , 2\n"), "spaces around a quoted cell, and an unquoted one beside it");
        assertError("1,\"2\"\"\"\n", "x.csv:1:2: '2\"' is not a number"); // a quote inside a quoted cell is doubled
        assertError("a,b\n1,\"2\n", "x.csv:2:2: the quote that opens this cell is not closed on its line");
        assertError("a,b\n\"1\"x,2\n", "x.csv:2:1: expected ',' after the quoted cell");
    }

    @Test
    void acceptsCrLfAndAByteOrderMark() {
        assertArrayEquals(new float[][] {{1, 2}, {3, 4}}, read("\uFEFFa,b\r\n1,2\r\n3,4\r\n"));
    }

    @Test
    void aSingleColumnIsFine() {
        assertArrayEquals(new float[][] {{1}, {2}}, read("1\n2"));
    }

    @Test
    void aFirstLineWithSomeNumbersIsData() {
        assertError("a,1\n2,3\n", "x.csv:1:1: 'a' is not a number");
    }

    @Test
    void onlyTheFirstLineCanBeAHeader() {
        assertError("a,b\nc,d\n", "x.csv:2:1: 'c' is not a number");
    }

    @Test
    void reportsCellsThatAreNotNumbers() {
        assertError("1,2\n3,4\n5,abc\n", "x.csv:3:2: 'abc' is not a number");
        // Java spellings that Float.parseFloat would take but that are not CSV numbers
        assertError("1,1f\n", "x.csv:1:2: '1f' is not a number");
        assertError("1\n0x10\n", "x.csv:2:1: '0x10' is not a number");
        assertError("1\n" + "z".repeat(100) + "\n", "x.csv:2:1: '" + "z".repeat(40) + "...' is not a number");
    }

    @Test
    void reportsEmptyCells() {
        assertError("1,,3\n", "x.csv:1:2: empty cell, expected a number");
        assertError("1,2,\n", "x.csv:1:3: empty cell, expected a number");
    }

    @Test
    void rejectsNonFiniteValues() {
        assertError("1\nNaN\n", "x.csv:2:1: 'NaN' is not a finite number");
        assertError("1,nan\n", "x.csv:1:2: 'nan' is not a finite number");
        assertError("inf\n", "x.csv:1:1: 'inf' is not a finite number");
        assertError("-Infinity\n", "x.csv:1:1: '-Infinity' is not a finite number");
        assertError("1\n1e39\n", "x.csv:2:1: '1e39' is too large for a float32");
    }

    @Test
    void reportsRowsOfTheWrongLengthWithTheirLineNumbers() {
        assertError("1,2\n\n3,4\n5,6,7\n", "x.csv:4: row has 3 columns, expected 2 (as in row 1)");
        assertError("a,b\n1,2\n3\n", "x.csv:3: row has 1 column, expected 2 (as in row 2)");
    }

    @Test
    void reportsFilesWithoutData() {
        assertError("", "x.csv: no data rows");
        assertError("a,b\n", "x.csv: no data rows");
        assertError("# nothing\n\n  \n", "x.csv: no data rows");
    }

    @Test
    void checksTheColumnsTheNetworkNeeds() throws IOException {
        Path file = Files.writeString(dir.resolve("x.csv"), "1,2,3\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Csv.read(file, 2, "input x[2]"));
        assertEquals(file + ":1: row has 3 columns, but input x[2] needs 2", e.getMessage());
        assertArrayEquals(new float[][] {{1, 2, 3}}, Csv.read(file, 3, "input x[3]"));
    }

    @Test
    void fileErrorsNameThePath() throws IOException {
        Path file = Files.writeString(dir.resolve("data.csv"), "1\nx\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Csv.read(file));
        assertEquals(file + ":2:1: 'x' is not a number", e.getMessage());

        Path missing = dir.resolve("missing.csv");
        UncheckedIOException io = assertThrows(UncheckedIOException.class, () -> Csv.read(missing));
        assertEquals("cannot read " + missing + ": no such file or directory", io.getMessage());
    }

    // ---- writing ----

    @Test
    void formatsIntegersPlainlyAndOtherValuesSoTheyReadBack() {
        assertEquals("0", Csv.format(0f));
        assertEquals("-0", Csv.format(-0f));
        assertEquals("-2", Csv.format(-2f));
        assertEquals("9999999", Csv.format(9_999_999f));
        assertEquals("1.0E7", Csv.format(1e7f));
        assertEquals("1.5", Csv.format(1.5f));
        assertEquals("0.1", Csv.format(0.1f));
        assertEquals("1.0E-5", Csv.format(1e-5f));
        assertEquals("NaN", Csv.format(Float.NaN));
        assertEquals("-Infinity", Csv.format(Float.NEGATIVE_INFINITY));
    }

    /** predict's header names units ({@code genes[RGS-4]}), quoting a name with a comma: it reads back as a header. */
    @Test
    void aHeaderOfUnitNamesIsWrittenQuotedAndReadBack() {
        StringWriter out = new StringWriter();
        Csv.write(out, new String[] {"genes[RGS-4]", "p[APC/C:Cdc20 mediated]", "p[Transport of sugars, bile salts]", "y[case \"severe\"]"}, new float[][] {{1, 2, 3, 4}});
        assertEquals("genes[RGS-4],p[APC/C:Cdc20 mediated],\"p[Transport of sugars, bile salts]\",\"y[case \"\"severe\"\"]\"\n1,2,3,4\n", out.toString());
        assertArrayEquals(new float[][] {{1, 2, 3, 4}}, read(out.toString()));
    }

    @Test
    void writesCommaSeparatedLines() {
        StringWriter out = new StringWriter();
        Csv.write(out, new float[][] {{1, 2.5f}, {-3, 0}});
        assertEquals("1,2.5\n-3,0\n", out.toString());
    }

    @Test
    void writtenFilesReadBackBitForBit() {
        Random random = new Random(7);
        float[][] rows = new float[50][3];
        for (float[] row : rows)
            for (int i = 0; i < row.length; i++) {
                float v;
                do v = Float.intBitsToFloat(random.nextInt()); while (!Float.isFinite(v));
                row[i] = v;
            }
        rows[0] = new float[] {-0f, Float.MIN_VALUE, Float.MAX_VALUE};
        rows[1] = new float[] {12345, -9_999_999f, 1e7f};
        Path file = dir.resolve("sub/out.csv");

        Csv.write(file, rows);
        float[][] back = Csv.read(file);

        assertEquals(rows.length, back.length);
        for (int r = 0; r < rows.length; r++)
            for (int i = 0; i < 3; i++)
                assertEquals(Float.floatToRawIntBits(rows[r][i]), Float.floatToRawIntBits(back[r][i]), r + ":" + i);
    }

    private static float[][] read(String text) {
        return Csv.read(new StringReader(text), "x.csv");
    }

    private static void assertError(String text, String expectedMessage) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> read(text));
        assertEquals(expectedMessage, e.getMessage());
    }

}
