package nnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import nnet.runtime.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --rows, --split and --split-codes from tables as pandas and GenNet write them. */
class RowSelectionTest {
    @TempDir Path tmp;

    /** make_hdf5.py's subjects.csv (pandas): patient_id, labels, genotype_row (a permutation of 0..39), set (24 of 1, 8 of 2, 8 of 3), weight (and pandas' index). */
    private static final Path SUBJECTS = Path.of(System.getProperty("nnet.root", "../..")).resolve("src/cli/src/test/resources/hdf5/subjects.csv");

    @Test
    void rowsAndPartsFromGenNetsColumns() {
        int[] rows = RowSelection.rows(SUBJECTS + ":genotype_row", 40);
        assertEquals(40, rows.length);
        assertEquals(40, java.util.Arrays.stream(rows).distinct().count(), "a permutation of the inputs' rows");
        RowSelection.Part[] parts = RowSelection.split(SUBJECTS + ":set", RowSelection.GENNET_CODES, 40);
        assertEquals(24, RowSelection.of(parts, RowSelection.Part.TRAIN).length);
        assertEquals(8, RowSelection.of(parts, RowSelection.Part.VAL).length);
        assertArrayEquals(java.util.stream.IntStream.range(32, 40).toArray(), RowSelection.of(parts, RowSelection.Part.TEST), "the table's order");
    }

    @Test
    void otherCodesAndFilesOfOneColumn() throws IOException {
        Path set = Files.writeString(tmp.resolve("set.csv"), "0\n0\n5\n7\n");
        RowSelection.Part[] parts = RowSelection.split(set.toString(), "train=0,test=5,val=7", 4);
        assertArrayEquals(new RowSelection.Part[] {RowSelection.Part.TRAIN, RowSelection.Part.TRAIN, RowSelection.Part.TEST, RowSelection.Part.VAL}, parts);
        assertEquals(0, RowSelection.of(RowSelection.split(set.toString(), "train=0,test=5,val=7", 4), RowSelection.Part.TRAIN)[0]);
    }

    @Test
    void mistakesNameThePlace() throws IOException {
        assertMessage(() -> RowSelection.rows(SUBJECTS + ":genotype_row", 30), "subjects.csv:");
        assertMessage(() -> RowSelection.rows(SUBJECTS + ":genotype_row", 30), "is not a row of the inputs, which have 30 rows");
        assertMessage(() -> RowSelection.split(SUBJECTS + ":set", "train=1,val=2", 40), "3 is not a code of --split-codes train=1,val=2");
        assertMessage(() -> RowSelection.split(SUBJECTS + ":set", RowSelection.GENNET_CODES, 41), "has 40 rows in --split");
        assertMessage(() -> RowSelection.rows(SUBJECTS.toString(), 40), "has 6 columns; name one, as --rows subjects.csv:COLUMN");
        assertMessage(() -> RowSelection.codes("train=1,val=1"), "code 1 is given to two parts");
        assertMessage(() -> RowSelection.codes("train=1,validation=2"), "'validation' is not a part of --split: train, val or test");
        Path half = Files.writeString(tmp.resolve("rows.csv"), "r\n0.5\n");
        assertMessage(() -> RowSelection.rows(half + ":r", 4), "rows.csv:2:1: 0.5 is not a row of the inputs");
    }

    private static void assertMessage(Runnable r, String expected) {
        UserError e = assertThrows(UserError.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
