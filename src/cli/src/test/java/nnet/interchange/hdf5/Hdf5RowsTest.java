package nnet.interchange.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnet.runtime.io.FilePart;
import nnet.runtime.io.Npy;
import nnet.runtime.io.RowFiles;
import nnet.runtime.io.RowSource;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** HDF5 files as h5py writes them (make_hdf5.py), read as rows and held to what numpy reads from each. */
class Hdf5RowsTest {
    static Path file(String name) {
        return Path.of(System.getProperty("nnet.root", "../..")).resolve("src/cli/src/test/resources/hdf5").resolve(name);
    }

    private static RowSource open(String file, String dataset) {
        return RowFiles.open(new FilePart(file(file), dataset), "x", -1, "the rows");
    }

    @Test
    void everyDatasetReadsAsNumpyReadsIt() {
        Map<String, Tensor> expected = Npy.readArchive(file("expected.npz"));
        Set<String> dtypes = new TreeSet<>();
        for (var e : expected.entrySet()) {
            String[] at = e.getKey().split(":");
            String dataset = at[1].replace('|', '/');
            Tensor want = e.getValue();
            try (RowSource rows = open(at[0], dataset)) {
                int n = want.shape()[0], width = want.data().length / n;
                assertEquals(n, rows.rows(), e.getKey());
                assertEquals(width, rows.width(), e.getKey());
                for (int r = 0; r < n; r++)
                    assertArrayEquals(bits(Arrays.copyOfRange(want.data(), r * width, (r + 1) * width)), bits(rows.row(r)), e.getKey() + " row " + r);
            }
            if (at[0].equals("dtypes.h5")) dtypes.add(dataset);
        }
        assertEquals(21, dtypes.size(), "float16/32/64, int8-64, uint8-64, bool, big-endian where there is an order: " + dtypes);
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    @Test
    void aChunkRowIsABlockAndUint8StaysOneByte() {
        try (RowSource rows = open("chunked.h5", "/gzip")) {
            assertEquals(8, rows.blockRows(), "chunks (8, 3): 8 rows a block");
            assertEquals(7, rows.rowBytes(), "uint8: a byte a value while kept");
        }
        try (RowSource rows = open("dtypes.h5", "/u1")) {
            assertTrue(rows instanceof nnet.runtime.io.FileRows, "a contiguous dataset is read from its place in the file");
        }
    }

    @Test
    void aFileWithOneArrayNeedsNoName() {
        try (RowSource rows = open("genotype.h5", null)) {
            assertTrue(rows.name().endsWith("genotype.h5:/X"), "GenNet's X: " + rows.name());
            assertArrayEquals(new int[] {40, 12}, rows.shape());
        }
        try (RowSource rows = open("groups.h5", null)) {
            assertArrayEquals(new int[] {4, 3}, rows.shape(), "the only 2-D dataset, in a group, beside 1-D ones");
        }
        try (RowSource rows = open("groups.h5", "data/X")) {
            assertArrayEquals(new float[] {0.75f, 1, 1.25f}, rows.row(1), "a path without its leading slash");
        }
    }

    @Test
    void mistakesNameTheFileAndItsDatasets() {
        assertMessage(() -> open("two.h5", null), "two.h5 holds 2 datasets of two or more axes (/a [2, 2], /b/c [3, 2]): name one, as ");
        assertMessage(() -> open("two.h5", "/X"), "two.h5 has no dataset /X; its datasets are /a [2, 2], /b/c [3, 2]");
        assertMessage(() -> open("two.h5", "/b"), "two.h5 has no dataset /b (it is a group)");
        assertMessage(() -> open("groups.h5", "/data/names"), "groups.h5:/data/names: holds ");
        assertMessage(() -> RowFiles.open(new FilePart(file("two.h5"), "/a"), "x", 3, "input x[3]"), "two.h5:/a: an array of shape [2, 2] has rows of 2 values, but input x[3] needs 3");
        assertMessage(() -> open("subjects.csv.h5", null), "no such file");
    }

    private static void assertMessage(Runnable r, String expected) {
        RuntimeException e = assertThrows(RuntimeException.class, r::run);
        assertTrue(e instanceof nnet.runtime.UserError || e instanceof nnet.runtime.DataFormatException, e.toString());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
