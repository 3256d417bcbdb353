package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.Tensor;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows read as they are needed: every dtype as numpy widens it, a block read once however the rows near it are asked for. */
class RowSourceTest {
    @TempDir Path dir;

    @Test
    void everyDtypeIsReadAsNumpyMakesItFloat32() {
        Map<String, Tensor> expected = Npy.readArchive(NpyTest.fixture("dtypes_as_float32.npz"));
        assertEquals(21, expected.size(), "float16/32/64, int8-64, uint8-64, bool, in both byte orders where there are two");
        for (var e : expected.entrySet()) {
            Path file = NpyTest.fixture("dtype_" + e.getKey() + ".npy");
            float[] want = e.getValue().data();
            try (RowSource rows = Npy.open(file)) {
                assertTrue(rows instanceof FileRows, "a C-order .npy stays in its file");
                assertArrayEquals(new int[] {5, 3}, rows.shape());
                for (int r = 0; r < 5; r++)
                    assertArrayEquals(bits(Arrays.copyOfRange(want, r * 3, r * 3 + 3)), bits(rows.row(r)), e.getKey() + " row " + r);
            }
            assertArrayEquals(bits(want), bits(Npy.read(file).data()), e.getKey() + " read whole");
        }
    }

    /** Bit patterns: -0 is not 0, and NaN is NaN. */
    private static int[] bits(float[] v) {
        return Arrays.stream(toDouble(v)).mapToInt(d -> Float.floatToRawIntBits((float) d)).toArray();
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Test
    void halfFloatsAreWidenedExactly() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = ElementType.halfToFloat((short) h);
            int exponent = (h >>> 10) & 0x1F;
            int mantissa = h & 0x3FF;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            // binary16 by its definition: subnormals 2^-14 * m/1024, normals 2^(e-15) * (1 + m/1024)
            double want = exponent == 0 ? sign * Math.scalb(mantissa / 1024.0, -14) : sign * Math.scalb(1 + mantissa / 1024.0, exponent - 15);
            if (exponent == 31) assertTrue(mantissa == 0 ? f == sign * Float.POSITIVE_INFINITY : Float.isNaN(f), "half " + Integer.toHexString(h));
            else assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(f), "half " + Integer.toHexString(h));
        }
    }

    /** A [rows, 3] uint8 array in a .npy file, row r holding r, r + 1, r + 2 (mod 256). */
    private Path bytesFile(int rows) throws IOException {
        byte[] data = new byte[rows * 3];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < 3; c++) data[r * 3 + c] = (byte) (r + c);
        Path file = dir.resolve("u8.npy");
        String header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + rows + ", 3), }";
        header += " ".repeat(64 - (10 + header.length() + 1) % 64) + "\n";
        byte[] head = header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] all = new byte[10 + head.length + data.length];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) head.length, (byte) (head.length >> 8)}, 0, all, 0, 10);
        System.arraycopy(head, 0, all, 10, head.length);
        System.arraycopy(data, 0, all, 10 + head.length, data.length);
        return Files.write(file, all);
    }

    @Test
    void rowsInOrderReadEachBlockOnce() throws IOException {
        Path file = bytesFile(100);
        long start = Files.size(file) - 300;
        try (FileRows rows = new FileRows(file, "u8.npy", start, new ElementType('u', 1, ByteOrder.LITTLE_ENDIAN), new int[] {100, 3}, 8)) {
            for (int r = 0; r < 100; r++) assertArrayEquals(new float[] {r, r + 1, r + 2}, rows.row(r));
            assertEquals(13, rows.blocksRead(), "100 rows in blocks of 8");
            for (int r = 99; r >= 0; r -= 2) rows.row(r);
            assertEquals(13 + 11, rows.blocksRead(), "backwards, with the default two blocks kept: each block again but the last two");
        }
    }

    @Test
    void rowsWithinTheKeptWindowAreReadFromTheFileOnce() throws IOException {
        Path file = bytesFile(100);
        try (FileRows rows = new FileRows(file, "u8.npy", Files.size(file) - 300, new ElementType('u', 1, ByteOrder.LITTLE_ENDIAN), new int[] {100, 3}, 8)) {
            rows.keepRows(32);
            int[] order = new int[100];
            for (int i = 0; i < 100; i++) order[i] = i;
            java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
            for (int from = 0; from < 100; from += 32) { // shuffled within windows of 32 rows
                int to = Math.min(100, from + 32);
                for (int i = to - 1; i > from; i--) {
                    int j = from + rng.nextInt(i - from + 1), t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            for (int r : order) assertEquals(r % 256, rows.row(r)[0]);
            assertEquals(13, rows.blocksRead(), "every block read once");
            rows.keepRows(100);
            for (int r = 0; r < 100; r++) rows.row(r);
            for (int r = 99; r >= 0; r--) rows.row(r);
            assertEquals(13 + 13 - 5, rows.blocksRead(), "keeping every row: each block read once more at most (5 were still kept)");
        }
    }

    @Test
    void aCutShortNpyIsAnErrorWhenOpened() throws IOException {
        byte[] good = Files.readAllBytes(NpyTest.fixture("dtype_i4.npy"));
        Path cut = Files.write(dir.resolve("cut.npy"), Arrays.copyOf(good, good.length - 1));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Npy.open(cut));
        assertTrue(e.getMessage().contains("cut.npy: the file ends inside its data of shape [5, 3]"), e.getMessage());
    }

    @Test
    void aFortranOrderArrayIsReadWhole() {
        try (RowSource rows = Npy.open(NpyTest.fixture("f8_fortran.npy"))) {
            assertTrue(rows instanceof ArrayRows);
            float[] row = rows.row(1);
            for (int i = 0; i < 8; i++) assertEquals((8 + i) / 4f, row[i]);
        }
    }
}
