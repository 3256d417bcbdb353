package nnet.cli;

import nnet.runtime.io.InputRows;
import nnet.runtime.UserError;
import picocli.CommandLine.Option;

/**
 * {@code --rows}, {@code --split} and {@code --split-codes}: the rows of the inputs a command uses
 * and their parts, from a table such as GenNet's {@code subjects.csv} ({@link RowSelection}).
 */
final class RowOptions {
    @Option(names = "--rows", paramLabel = "TABLE:COLUMN", description = "which rows of the inputs, in this order: a column of row indices from 0, as GenNet's subjects.csv:genotype_row (targets and --split then have a row per index)") String rows;
    @Option(names = "--split", paramLabel = "TABLE:COLUMN", description = "each row's part, as GenNet's subjects.csv:set: 1 train, 2 validation, 3 test (other codes: --split-codes)") String split;
    @Option(names = "--split-codes", paramLabel = "train=1,val=2,test=3", defaultValue = RowSelection.GENNET_CODES, description = "the codes of --split's parts (default ${DEFAULT-VALUE}, GenNet's)") String codes;

    /** The inputs' rows that {@code --rows} names, in its order; all of them without it. */
    InputRows select(InputRows in) {
        return rows == null ? in : in.select(RowSelection.rows(rows, in.fileRows()));
    }

    /** Each of {@code count} rows' part, or null without {@code --split}. */
    RowSelection.Part[] parts(int count) {
        return split == null ? null : RowSelection.split(split, codes, count);
    }

    /** The rows of {@code --part} (train, val or test) for a command that reads one part; every row without {@code --split}. */
    int[] part(String part, int count) {
        if (part == null && split == null) return null;
        if (part == null) throw new UserError("--split " + split + " divides the rows into parts: give --part train, val or test");
        if (split == null) throw new UserError("--part " + part + " picks rows of --split: give --split TABLE:COLUMN (GenNet's subjects.csv:set)");
        int[] rows = RowSelection.of(parts(count), RowSelection.Part.of(part));
        if (rows.length == 0) throw new UserError("--split " + split + " has no rows of part " + part + " (codes " + codes + ")");
        return rows;
    }
}
