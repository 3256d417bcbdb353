package nnet.runtime.io;

import nnet.runtime.DataFormatException;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Numeric CSV: one row of float32 values per line, comma-separated. Blank lines and lines starting
 * with {@code #} are skipped, and so is a first line that is a header: every cell a name
 * ({@code x1}, {@code pixel 3}, {@code y[0]}) or empty, none a way to write a missing value ({@code NA}).
 * A first row of {@code NA,NA} is data with a mistake, reported, not dropped.
 * Every malformed input is reported as a {@link DataFormatException} naming {@code file:line:column}.
 */
public final class Csv {
    /** Decimal notation only: Float.parseFloat would also take "1f", "0x1p3" and surrounding spaces. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /** How Java, numpy and spreadsheets spell the non-finite values, recognised to reject them by name. */
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
    /**
     * A header cell: a name, as column titles are written (a comma only inside quotes, {@code "y, label"}),
     * or a unit of a node by its name as predict writes it ({@code genes[HERC2]}).
     */
    private static final Pattern HEADER_CELL = Pattern.compile("[A-Za-z_][A-Za-z0-9_ .,()\\[\\]-]*|[A-Za-z_][A-Za-z0-9_.]*\\[[^\\[\\]]+\\]");
    /** How spreadsheets, R and pandas write a missing value: such a row is data with holes, not a header. */
    private static final Pattern MISSING = Pattern.compile("na|n/a|nan|null|none|nil|missing|\\?|-|", Pattern.CASE_INSENSITIVE);
    private static final int ANY_COLUMNS = -1;
    private static final int MAX_SHOWN_CELL = 40;

    private Csv() {}

    public static float[][] read(Path file) {
        return readFile(file, ANY_COLUMNS, null);
    }

    /**
     * Like {@link #read(Path)}, and every row must have {@code expectedColumns} columns because
     * {@code what} (e.g. "input x[2]") needs that many.
     */
    public static float[][] read(Path file, int expectedColumns, String what) {
        checkExpectation(expectedColumns, what);
        return readFile(file, expectedColumns, what);
    }

    /** Rows of any (but one) width with the line each came from, so a later check can name {@code file:line}. */
    public record Table(float[][] rows, int[] lines) {}

    /** Like {@link #read(Path)}, keeping each row's line number. */
    public static Table readTable(Path file) {
        String name = file.toString();
        try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            return readTable(r, name);
        } catch (IOException e) {
            throw IoErrors.failure("read", name, e);
        }
    }

    /** {@link #readTable(Path)} from {@code r}, read to its end (not closed); {@code displayName} stands for the file in error messages. */
    public static Table readTable(Reader r, String displayName) {
        Rows rows = readLines(r, displayName, ANY_COLUMNS, null);
        return new Table(rows.toArray(), rows.lines.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Reads {@code r} to its end (without closing it); {@code displayName} stands for the file in error messages. */
    public static float[][] read(Reader r, String displayName) {
        return readRows(r, displayName, ANY_COLUMNS, null);
    }

    /** Like {@link #read(Reader, String)}, and every row must have {@code expectedColumns} columns, as {@code what} needs. */
    public static float[][] read(Reader r, String displayName, int expectedColumns, String what) {
        checkExpectation(expectedColumns, what);
        return readRows(r, displayName, expectedColumns, what);
    }

    private static void checkExpectation(int expectedColumns, String what) {
        if (expectedColumns < 1) throw new IllegalArgumentException("expectedColumns must be positive: " + expectedColumns);
        Objects.requireNonNull(what, "what");
    }

    private static float[][] readFile(Path file, int expectedColumns, String what) {
        String name = file.toString();
        // InputStreamReader replaces undecodable bytes, which then show up in the error for their cell.
        try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            return readRows(r, name, expectedColumns, what);
        } catch (IOException e) {
            throw IoErrors.failure("read", name, e);
        }
    }

    private static float[][] readRows(Reader r, String displayName, int expectedColumns, String what) {
        return readLines(r, displayName, expectedColumns, what).toArray();
    }

    private static Rows readLines(Reader r, String displayName, int expectedColumns, String what) {
        Rows rows = new Rows(displayName, expectedColumns, what);
        BufferedReader lines = new BufferedReader(r);
        try {
            int lineNumber = 0;
            for (String line; (line = lines.readLine()) != null; ) {
                lineNumber++;
                // A UTF-8 byte order mark, as some spreadsheet programs write, is not part of the first cell.
                if (lineNumber == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                rows.add(line, lineNumber);
            }
        } catch (IOException e) {
            throw IoErrors.failure("read", displayName, e);
        }
        return rows;
    }

    /** Writes the rows atomically, one line each. */
    public static void write(Path file, float[][] rows) {
        write(file, null, rows);
    }

    /** The same under a header line of column names (none when {@code header} is null); the reader skips it. */
    public static void write(Path file, String[] header, float[][] rows) {
        AtomicFiles.write(file, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            writeRows(w, header, rows);
            w.flush();
        });
    }

    /** Writes the rows to {@code w}, one line each, and flushes it (without closing it). */
    public static void write(Writer w, float[][] rows) {
        write(w, null, rows);
    }

    /** The same under a header line (none when null). */
    public static void write(Writer w, String[] header, float[][] rows) {
        try {
            writeRows(w, header, rows);
            w.flush();
        } catch (IOException e) {
            throw IoErrors.failure("write", "CSV output", e);
        }
    }

    /**
     * Integral values below 1e7 without a decimal point ("0", "-2"), as people write them; others in
     * Float.toString's notation, which reads back to the same float.
     */
    public static String format(float v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7f) {
            // (long) -0.0f would print as "0" and lose the sign on the way back
            return v == 0 && Math.copySign(1f, v) < 0 ? "-0" : Long.toString((long) v);
        }
        return Float.toString(v);
    }

    private static void writeRows(Writer w, String[] header, float[][] rows) throws IOException {
        if (header != null) {
            for (int i = 0; i < header.length; i++) w.write((i > 0 ? "," : "") + quoted(header[i]));
            w.write('\n');
        }
        for (float[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) w.write(',');
                w.write(format(row[i]));
            }
            w.write('\n');
        }
    }

    /** The cells of a header line as RFC 4180 quotes them (as {@link #quoted} writes them), trimmed. */
    private static String[] unquoted(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int p = 0; p < line.length(); p++) {
            char ch = line.charAt(p);
            if (ch == '"' && quoted && p + 1 < line.length() && line.charAt(p + 1) == '"') cell.append(line.charAt(++p));
            else if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else cell.append(ch);
        }
        cells.add(cell.toString().strip());
        return cells.toArray(new String[0]);
    }

    /** A header cell as RFC 4180 writes it: in double quotes (a quote doubled) when it holds a comma, a quote or a line break. */
    private static String quoted(String cell) {
        return cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r") ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
    }

    /** The rows read so far, and what they must agree on. */
    private static final class Rows {
        private final String file;
        private final int expectedColumns;
        private final String what;
        private final List<float[]> rows = new ArrayList<>();
        private final List<Integer> lines = new ArrayList<>();
        private boolean headerDecided;
        private int columns;
        private int firstRowLine;

        Rows(String file, int expectedColumns, String what) {
            this.file = file;
            this.expectedColumns = expectedColumns;
            this.what = what;
        }

        void add(String line, int lineNumber) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) return;
            String[] cells = cells(line, file + ":" + lineNumber);
            for (int i = 0; i < cells.length; i++) cells[i] = cells[i].strip();
            if (!headerDecided) {
                headerDecided = true;
                if (isHeader(line.indexOf('"') >= 0 ? unquoted(line) : cells)) return;
            }
            checkColumns(cells.length, lineNumber);
            float[] row = new float[cells.length];
            for (int i = 0; i < cells.length; i++) row[i] = parse(cells[i], lineNumber, i + 1);
            rows.add(row);
            lines.add(lineNumber);
        }

        float[][] toArray() {
            if (rows.isEmpty()) throw new DataFormatException(file + ": no data rows");
            return rows.toArray(new float[0][]);
        }

        private void checkColumns(int n, int lineNumber) {
            if (expectedColumns != ANY_COLUMNS && n != expectedColumns)
                throw error(Integer.toString(lineNumber), "row has " + columns(n) + ", but " + what + " needs " + expectedColumns);
            if (rows.isEmpty()) {
                columns = n;
                firstRowLine = lineNumber;
            } else if (n != columns) {
                throw error(Integer.toString(lineNumber), "row has " + columns(n) + ", expected " + columns + " (as in row " + firstRowLine + ")");
            }
        }

        private float parse(String cell, int lineNumber, int column) {
            return number(cell, file + ":" + lineNumber + ":" + column);
        }

        private DataFormatException error(String place, String problem) {
            return new DataFormatException(file + ":" + place + ": " + problem);
        }

        private static String columns(int n) {
            return n == 1 ? "1 column" : n + " columns";
        }

        private static String quote(String cell) {
            return "'" + (cell.length() <= MAX_SHOWN_CELL ? cell : cell.substring(0, MAX_SHOWN_CELL) + "...") + "'";
        }
    }

    /**
     * The cells of a line with quoted ones, as pandas writes every cell under {@code
     * quoting=csv.QUOTE_ALL} ({@code "x1","x2"} then {@code "0.5","1"}) and spreadsheets write
     * names with commas: a quoted cell is its text ({@code ""} inside is one quote), commas in it
     * included. {@code place} ({@code file:line}) is where errors are.
     */
    static String[] cells(String line, String place) {
        if (line.indexOf('"') < 0) return line.split(",", -1);
        List<String> cells = new ArrayList<>();
        int i = 0, n = line.length();
        while (true) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
            StringBuilder cell = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) throw new DataFormatException(place + ":" + (cells.size() + 1) + ": the quote that opens this cell is not closed on its line");
                    char c = line.charAt(i++);
                    if (c != '"') cell.append(c);
                    else if (i < n && line.charAt(i) == '"') cell.append(line.charAt(i++));
                    else break;
                }
                while (i < n && line.charAt(i) != ',') {
                    if (!Character.isWhitespace(line.charAt(i))) throw new DataFormatException(place + ":" + (cells.size() + 1) + ": expected ',' after the quoted cell");
                    i++;
                }
            } else {
                while (i < n && line.charAt(i) != ',') cell.append(line.charAt(i++));
            }
            cells.add(cell.toString());
            if (i >= n) return cells.toArray(new String[0]);
            i++; // the comma
        }
    }

    /** A cell's number, or an error at {@code place} ({@code file:line:column}) saying what the cell is instead. */
    static float number(String cell, String place) {
        if (cell.isEmpty()) throw new DataFormatException(place + ": empty cell, expected a number");
        if (NON_FINITE.matcher(cell).matches()) throw new DataFormatException(place + ": " + Rows.quote(cell) + " is not a finite number");
        if (MISSING.matcher(cell).matches()) throw new DataFormatException(place + ": " + Rows.quote(cell) + " is not a number (a missing value? fill it in or drop the row)");
        if (!DECIMAL.matcher(cell).matches()) throw new DataFormatException(place + ": " + Rows.quote(cell) + " is not a number");
        float v = Float.parseFloat(cell);
        if (Float.isInfinite(v)) throw new DataFormatException(place + ": " + Rows.quote(cell) + " is too large for a float32");
        return v;
    }

    /** Names, and empty cells only beside names (pandas writes {@code ,a,b} above an index column). */
    private static boolean isHeader(String[] cells) {
        return Arrays.stream(cells).anyMatch(c -> !c.isEmpty()) && Arrays.stream(cells).allMatch(c -> c.isEmpty()
                || (HEADER_CELL.matcher(c).matches() && !MISSING.matcher(c).matches() && !NON_FINITE.matcher(c).matches()));
    }
}
