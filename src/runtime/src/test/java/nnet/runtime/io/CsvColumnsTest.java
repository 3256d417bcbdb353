package nnet.runtime.io;

import nnet.runtime.DataFormatException;

import nnet.runtime.io.CsvColumns;
import nnet.runtime.io.DataFiles;
import nnet.runtime.io.FilePart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Columns by name from tables with a header, and file:part specs. */
class CsvColumnsTest {
    @TempDir Path dir;

    /** The first lines of GenNet's example subjects.csv (examples/example_classification), padded as it is. */
    private static final String GENNET = """
                ,patient_id,labels,genotype_row,set
            0   ,12410     ,1     ,0           ,1
            1   ,89718     ,1     ,1           ,1
            2   ,30592     ,0     ,2           ,2
            3   ,85934     ,0     ,3           ,3
            """;

    @Test
    void readsGenNetsPaddedColumnsByName() throws IOException {
        Path file = Files.writeString(dir.resolve("subjects.csv"), GENNET);
        CsvColumns.Column labels = CsvColumns.read(file, "labels");
        assertArrayEquals(new float[] {1, 1, 0, 0}, labels.values());
        assertArrayEquals(new int[] {2, 3, 4, 5}, labels.lines());
        assertEquals(file + ":5:3", labels.place(3), "line and column of the cell");
        assertArrayEquals(new float[] {1, 1, 2, 3}, CsvColumns.read(file, "set").values());
        assertEquals(file + ":4:3", DataFiles.readTable(new FilePart(file, "labels"), "target", "the target").place(2, 0), "a column's table names the file's column");
    }

    @Test
    void otherColumnsMayHoldAnything() throws IOException {
        Path file = Files.writeString(dir.resolve("t.csv"), "id,name,y\n7,\"Smith, J\",0.5\n8,O'Neil,1e-3\n");
        assertArrayEquals(new float[] {0.5f, 1e-3f}, CsvColumns.read(file, "y").values());
    }

    @Test
    void mistakesNameTheFileLineAndColumn() throws IOException {
        Path file = Files.writeString(dir.resolve("s.csv"), "id,labels,set\n1,0,1\n2,NA,1\n3,1\n");
        assertMessage(() -> CsvColumns.read(file, "label"), "s.csv:1: no column 'label' in the header; the columns are id, labels, set");
        assertMessage(() -> CsvColumns.read(file, "labels"), "s.csv:3:2: 'NA' is not a number (a missing value?");
        assertMessage(() -> CsvColumns.read(file, "set"), "s.csv:4: row has 2 cells, but the header has 3");
        Path empty = Files.writeString(dir.resolve("e.csv"), "id,labels\n");
        assertMessage(() -> CsvColumns.read(empty, "labels"), "e.csv: no data rows under the header");
    }

    @Test
    void aSpecNamesAFileOrAPartOfOne() throws IOException {
        Path file = Files.writeString(dir.resolve("subjects.csv"), GENNET);
        assertEquals(new FilePart(file, "labels"), FilePart.parse(file + ":labels"));
        assertEquals(new FilePart(file, null), FilePart.parse(file.toString()));
        assertEquals(new FilePart(file, "/group/X"), FilePart.parse(file + ":/group/X"), "an HDF5 dataset's path");
        Path colon = Files.writeString(dir.resolve("a:b.csv"), "1\n");
        assertEquals(new FilePart(colon, null), FilePart.parse(colon.toString()), "a file whose name has a colon is that file");
        FilePart missing = FilePart.parse(dir.resolve("none.csv") + ":y");
        assertNull(missing.part(), "no file on either side: the reader reports the whole name missing");
    }

    private static void assertMessage(Runnable r, String expected) {
        DataFormatException e = assertThrows(DataFormatException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
