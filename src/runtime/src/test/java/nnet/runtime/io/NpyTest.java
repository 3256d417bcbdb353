package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.Tensor;

import nnet.runtime.io.DataFiles;
import nnet.runtime.io.Npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files of src/test/resources/npy, written by numpy itself (make_npy.py): each holds arange(size) / 4, row-major. */
class NpyTest {
    @TempDir Path dir;

    static Path fixture(String name) {
        return Path.of(System.getProperty("nnet.root", "../..")).resolve("src/runtime/src/test/resources/npy").resolve(name);
    }

    /** arange(size) / 4, the values every fixture holds in row-major order. */
    private static float[] quarters(int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = i / 4f;
        return v;
    }

    @Test
    void readsFloat32AndFloat64InEitherByteOrderAndMemoryOrder() {
        Tensor c = Npy.read(fixture("f4_c.npy"));
        assertArrayEquals(new int[] {3, 2}, c.shape());
        assertArrayEquals(quarters(6), c.data());
        Tensor fortran = Npy.read(fixture("f8_fortran.npy"));
        assertArrayEquals(new int[] {3, 2, 4}, fortran.shape());
        assertArrayEquals(quarters(24), fortran.data(), "Fortran order is transposed into row-major");
        assertArrayEquals(quarters(6), Npy.read(fixture("f4_big_endian.npy")).data());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, Npy.read(fixture("i8.npy")).data());
        assertArrayEquals(new int[0], Npy.read(fixture("scalar.npy")).shape());
    }

    @Test
    void writesTheBytesNumpyWrites() throws IOException {
        assertArrayEquals(Files.readAllBytes(fixture("f4_c.npy")), Npy.encode(new Tensor(new int[] {3, 2}, quarters(6))));
        assertArrayEquals(Files.readAllBytes(fixture("f4_1d.npy")), Npy.encode(new Tensor(new int[] {5}, quarters(5))));
        Path out = dir.resolve("a.npy");
        Tensor t = new Tensor(new int[] {2, 1, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, 1e30f, -0f});
        Npy.write(out, t);
        assertEquals(t, Npy.read(out));
    }

    @Test
    void readsArchivesStoredAndDeflated() {
        Map<String, Tensor> stored = Npy.readArchive(fixture("xy_stored.npz"));
        assertEquals(List.of("x", "y"), List.copyOf(stored.keySet()));
        assertArrayEquals(quarters(12), stored.get("y").data());
        Tensor deflated = Npy.readArchive(fixture("x_deflated.npz")).get("x");
        assertArrayEquals(new int[] {4, 1, 2, 2}, deflated.shape());
        assertArrayEquals(quarters(16), deflated.data());
    }

    @Test
    void archivesRoundTrip() {
        Path out = dir.resolve("a.npz");
        Map<String, Tensor> arrays = Map.of("h", new Tensor(new int[] {2, 2}, new float[] {1, 2, 3, 4}));
        Npy.writeArchive(out, arrays);
        assertEquals(arrays, Npy.readArchive(out));
    }

    @Test
    void rowsAreTheFirstAxis() {
        float[][] rows = DataFiles.readRows(fixture("f8_fortran.npy"), "x", 8, "input x[2, 4]");
        assertEquals(3, rows.length);
        assertArrayEquals(Arrays.copyOfRange(quarters(24), 8, 16), rows[1]);
        assertEquals(5, DataFiles.readRows(fixture("f4_1d.npy"), "x", 1, "input x[1]").length, "a 1-D array is a column");
        assertArrayEquals(quarters(3), DataFiles.readRows(fixture("xy_stored.npz"), "y", 3, "input y[3]")[0], "the array named like the input");
        assertEquals(4, DataFiles.readRows(fixture("x_deflated.npz"), "target", 4, "the target").length, "the only array of an archive");
    }

    @Test
    void badFilesNameTheFileAndWhatWasExpected() throws IOException {
        assertMessage(() -> DataFiles.readRows(fixture("f4_c.npy"), "x", 3, "input x[3]"), "f4_c.npy: an array of shape [3, 2] has rows of 2 values, but input x[3] needs 3");
        assertMessage(() -> Npy.read(fixture("complex.npy")), "complex.npy: dtype '<c8' is not supported");
        assertMessage(() -> DataFiles.readRows(fixture("scalar.npy"), "x", 2, "input x[2]"), "scalar.npy: a single number");
        assertMessage(() -> DataFiles.readRows(fixture("xy_stored.npz"), "z", 2, "input z[2]"), "xy_stored.npz holds the arrays x, y but none named 'z'");
        byte[] good = Files.readAllBytes(fixture("f4_c.npy"));
        Path truncated = Files.write(dir.resolve("truncated.npy"), Arrays.copyOf(good, good.length - 3));
        assertMessage(() -> Npy.read(truncated), "truncated.npy: the file ends inside its data of shape [3, 2]");
        Path csv = Files.writeString(dir.resolve("text.npy"), "1,2\n3,4\n");
        assertMessage(() -> Npy.read(csv), "text.npy: not a .npy file");
        Path notZip = Files.writeString(dir.resolve("x.npz"), "not a zip at all");
        assertMessage(() -> Npy.readArchive(notZip), "x.npz: not a .npz archive");
        Path npyInZip = Files.write(dir.resolve("broken.npz"), Arrays.copyOf(Files.readAllBytes(fixture("xy_stored.npz")), 300));
        assertMessage(() -> Npy.readArchive(npyInZip), "broken.npz: not a .npz archive (a zip of .npy files), or a truncated one");
    }

    private static void assertMessage(Runnable r, String expected) {
        DataFormatException e = assertThrows(DataFormatException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
