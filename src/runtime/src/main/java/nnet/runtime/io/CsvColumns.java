package nnet.runtime.io;

import nnet.runtime.DataFormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A column of a table with a header line, by the header's name: GenNet's {@code subjects.csv}
 * ({@code ,patient_id,labels,genotype_row,set}, cells padded with spaces, an unnamed index column)
 * as pandas writes it. Only the column asked for must hold numbers; the others may hold anything
 * (ids, names). Cells are comma-separated, stripped of spaces, and may be quoted ({@code "a, b"}).
 */
public final class CsvColumns {
    private CsvColumns() {}

    /**
     * One column: its values and the line each came from.
     *
     * @param place {@code subjects.csv:labels}, for messages
     */
    public record Column(String place, String file, float[] values, int[] lines, int index) {
        /** Where the value of row {@code r} (from 0) is: {@code file:line:column}. */
        public String place(int r) {
            return file + ":" + lines[r] + ":" + (index + 1);
        }

        public int rows() {
            return values.length;
        }

        /** As a table of one column, for the readers of target rows. */
        public DataFiles.Table table() {
            float[][] rows = new float[values.length][];
            for (int r = 0; r < rows.length; r++) rows[r] = new float[] {values[r]};
            return new DataFiles.Table(file, rows, lines, index);
        }
    }

    /** The column called {@code name} of {@code file} (blank lines and lines starting with {@code #} skipped). */
    public static Column read(Path file, String name) {
        DataFiles.checkReadable(file);
        String where = file.toString();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int index = -1, width = 0, lineNumber = 0;
            List<Float> values = new ArrayList<>();
            List<Integer> lines = new ArrayList<>();
            for (String line; (line = in.readLine()) != null; ) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank() || line.strip().startsWith("#")) continue;
                List<String> cells = cells(line, where + ":" + lineNumber);
                if (index < 0) {
                    index = cells.indexOf(name);
                    if (index < 0)
                        throw new DataFormatException(where + ":" + lineNumber + ": no column '" + name + "' in the header; the columns are "
                                + String.join(", ", cells.stream().filter(c -> !c.isEmpty()).toList()));
                    width = cells.size();
                    continue;
                }
                if (cells.size() != width)
                    throw new DataFormatException(where + ":" + lineNumber + ": row has " + cells.size() + " cells, but the header has " + width);
                values.add(Csv.number(cells.get(index), where + ":" + lineNumber + ":" + (index + 1)));
                lines.add(lineNumber);
            }
            if (index < 0) throw new DataFormatException(where + ": no header line naming the columns (looked for '" + name + "')");
            if (values.isEmpty()) throw new DataFormatException(where + ": no data rows under the header");
            float[] v = new float[values.size()];
            for (int i = 0; i < v.length; i++) v[i] = values.get(i);
            return new Column(where + ":" + name, where, v, lines.stream().mapToInt(Integer::intValue).toArray(), index);
        } catch (IOException e) {
            throw IoErrors.failure("read", where, e);
        }
    }

    /** The cells of a line ({@link Csv}'s quoting), stripped of spaces. */
    private static List<String> cells(String line, String place) {
        return java.util.Arrays.stream(Csv.cells(line, place)).map(String::strip).toList();
    }
}
