package nnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nnet.runtime.io.Csv;
import nnet.runtime.io.DataFiles;
import nnet.runtime.io.FilePart;
import nnet.runtime.UserError;

/**
 * Which rows of the inputs a command uses, as GenNet's {@code subjects.csv} says: {@code --rows
 * subjects.csv:genotype_row} (the inputs' row of each subject, from 0, in the table's order) and
 * {@code --split subjects.csv:set} (each subject's part: by GenNet's convention 1 trains, 2
 * validates, 3 tests; {@code --split-codes} gives others). A column is a table's by its header's
 * name; a file without one ({@code rows.npy}, {@code set.csv}) must hold a single column.
 */
final class RowSelection {
    private RowSelection() {}

    /** The parts of {@code --split}. */
    enum Part {
        TRAIN("train"), VAL("val"), TEST("test");

        final String word;

        Part(String word) {
            this.word = word;
        }

        static Part of(String word) {
            for (Part p : values()) if (p.word.equals(word.strip().toLowerCase(Locale.ROOT))) return p;
            throw new UserError("'" + word + "' is not a part of --split: train, val or test");
        }
    }

    /** GenNet's codes in its {@code set} column. */
    static final String GENNET_CODES = "train=1,val=2,test=3";

    /** {@code --rows}: the inputs' row (from 0) of each row used, in order; each below {@code inputRows}. */
    static int[] rows(String spec, int inputRows) {
        DataFiles.Table t = column(spec, "rows", "--rows");
        int[] out = new int[t.rows().length];
        for (int r = 0; r < out.length; r++) {
            float v = t.rows()[r][0];
            if (v != Math.rint(v) || v < 0 || v >= inputRows)
                throw new UserError(t.place(r, 0) + ": " + Csv.format(v) + " is not a row of the inputs, which have " + inputRows
                        + " rows: --rows gives each row's index, from 0 to " + (inputRows - 1) + " (GenNet's genotype_row)");
            out[r] = (int) v;
        }
        return out;
    }

    /** {@code --split} with {@code codes} ({@code --split-codes}, e.g. {@link #GENNET_CODES}): each of {@code rows} rows' part. */
    static Part[] split(String spec, String codes, int rows) {
        Map<Float, Part> byCode = codes(codes);
        DataFiles.Table t = column(spec, "split", "--split");
        if (t.rows().length != rows)
            throw new UserError(t.file() + " has " + t.rows().length + " rows in --split " + spec + ", but the inputs" + " have " + rows + " (after --rows): one code per row");
        Part[] out = new Part[rows];
        for (int r = 0; r < rows; r++) {
            out[r] = byCode.get(t.rows()[r][0]);
            if (out[r] == null)
                throw new UserError(t.place(r, 0) + ": " + Csv.format(t.rows()[r][0]) + " is not a code of --split-codes " + codes
                        + (codes.equals(GENNET_CODES) ? " (GenNet's: 1 train, 2 validation, 3 test)" : ""));
        }
        return out;
    }

    /** The rows (indices from 0) of {@code part}, in order. */
    static int[] of(Part[] parts, Part part) {
        List<Integer> out = new ArrayList<>();
        for (int r = 0; r < parts.length; r++) if (parts[r] == part) out.add(r);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code train=1,val=2,test=3}: a number for each part named; a part left out has no rows. */
    static Map<Float, Part> codes(String text) {
        Map<Float, Part> out = new LinkedHashMap<>();
        for (String item : text.split(",")) {
            int eq = item.indexOf('=');
            if (eq < 0) throw new UserError("--split-codes " + text + ": expected part=code items, as " + GENNET_CODES);
            Part part = Part.of(item.substring(0, eq));
            float code;
            try {
                code = Float.parseFloat(item.substring(eq + 1).strip());
            } catch (NumberFormatException e) {
                throw new UserError("--split-codes " + text + ": '" + item.substring(eq + 1).strip() + "' is not a number");
            }
            if (out.containsValue(part)) throw new UserError("--split-codes " + text + ": " + part.word + " is given twice");
            if (out.put(code, part) != null) throw new UserError("--split-codes " + text + ": code " + Csv.format(code) + " is given to two parts");
        }
        return out;
    }

    /** The single column that {@code spec} names. */
    private static DataFiles.Table column(String spec, String arrayName, String flag) {
        DataFiles.Table t = DataFiles.readTable(FilePart.parse(spec), arrayName, flag);
        if (t.width() != 1) throw new UserError(flag + " " + spec + ": " + t.file() + " has " + t.width() + " columns; name one, as " + flag + " subjects.csv:COLUMN");
        return t;
    }
}
