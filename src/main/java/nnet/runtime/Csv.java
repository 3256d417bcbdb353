package nnet.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Numeric CSV: comma-separated finite numbers, one sample per row. Blank lines and {@code #}
 * lines are skipped; a first line of only non-numbers is a header. Errors name
 * {@code file:row:col} (the row is the line number in the file).
 */
public final class Csv {
    private Csv() {}

    public static float[][] read(Path file) {
        return read(file, -1, null);
    }

    /** Also checks every row has {@code expectedColumns} values, as {@code what} (e.g. {@code input x[2]}) needs. */
    public static float[][] read(Path file, int expectedColumns, String what) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString(), expectedColumns, what);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new DataFormatException(file + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new DataFormatException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static float[][] read(Reader reader, String name, int expectedColumns, String what) throws IOException {
        BufferedReader in = new BufferedReader(reader);
        List<float[]> rows = new ArrayList<>();
        int firstRowLine = 0;
        String line;
        for (int lineNo = 1; (line = in.readLine()) != null; lineNo++) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] cells = t.split(",", -1);
            if (rows.isEmpty() && firstRowLine == 0 && allNonNumeric(cells)) {
                firstRowLine = -1; // a header: skipped once
                continue;
            }
            float[] row = new float[cells.length];
            for (int c = 0; c < cells.length; c++) row[c] = number(cells[c].strip(), name, lineNo, c + 1);
            if (expectedColumns >= 0 && row.length != expectedColumns)
                throw new DataFormatException(name + ":" + lineNo + ": row has " + row.length + " column" + (row.length == 1 ? "" : "s") + ", but " + what + " needs " + expectedColumns);
            if (!rows.isEmpty() && row.length != rows.get(0).length)
                throw new DataFormatException(name + ":" + lineNo + ": row has " + row.length + " columns, expected " + rows.get(0).length + " (as in row " + firstRowLine + ")");
            if (rows.isEmpty()) firstRowLine = lineNo;
            rows.add(row);
        }
        if (rows.isEmpty()) throw new DataFormatException(name + ": no data rows");
        return rows.toArray(new float[0][]);
    }

    private static boolean allNonNumeric(String[] cells) {
        for (String c : cells) {
            try {
                Float.parseFloat(c.strip());
                return false;
            } catch (NumberFormatException e) {
                // not a number: still a header candidate
            }
        }
        return true;
    }

    private static float number(String cell, String name, int line, int col) {
        float v;
        try {
            v = Float.parseFloat(cell);
        } catch (NumberFormatException e) {
            throw new DataFormatException(name + ":" + line + ":" + col + ": '" + cell + "' is not a number");
        }
        if (!Float.isFinite(v)) throw new DataFormatException(name + ":" + line + ":" + col + ": '" + cell + "' is not a finite number");
        return v;
    }

    public static void write(Path file, float[][] rows) {
        AtomicFiles.write(file, out -> {
            StringWriter w = new StringWriter();
            write(w, rows);
            out.write(w.toString().getBytes(StandardCharsets.UTF_8));
        });
    }

    public static void write(Writer w, float[][] rows) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (float[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                if (c > 0) sb.append(',');
                sb.append(format(row[c]));
            }
            sb.append('\n');
        }
        w.write(sb.toString());
    }

    /** Whole numbers without a decimal point; others in the shortest form that reads back as the same float. */
    public static String format(float v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) return Integer.toString((int) v);
        return Float.toString(v);
    }
}
