package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;

import java.io.Reader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Rows opened by file type, without reading the file whole where its format allows: a
 * {@code .npy} is read a block at a time ({@link Npy#open}), a format found on the class path
 * ({@link RowFormat}: HDF5 in {@code nnetc}) as it reads; CSV files and {@code .npz} arrays are
 * read whole (neither can be read from the middle).
 */
public final class RowFiles {
    private RowFiles() {}

    /** The formats on the class path, found once. */
    private static final class Formats {
        static final List<RowFormat> ALL = ServiceLoader.load(RowFormat.class, RowFiles.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList();
    }

    private static final List<String> HDF5 = List.of(".h5", ".hdf5", ".hdf", ".he5");

    /**
     * The rows of {@code spec}, each of {@code columns} values because {@code what} (e.g. "input
     * x[2]") needs that many (any number when {@code columns} is negative): from an {@code .npz},
     * the array {@code spec.part()}, else the one called {@code arrayName}, else its only one;
     * {@code -} is CSV from standard input.
     */
    public static RowSource open(FilePart spec, String arrayName, int columns, String what) {
        Path file = spec.file();
        String lower = file.toString().toLowerCase(Locale.ROOT);
        if (DataFiles.isStandardInput(file)) {
            Reader in = DataFiles.standardInput();
            return ArrayRows.of("standard input", columns < 0 ? Csv.read(in, "standard input") : Csv.read(in, "standard input", columns, what));
        }
        DataFiles.checkReadable(file);
        RowFormat format = Formats.ALL.stream().filter(f -> f.reads(file)).findFirst().orElse(null);
        RowSource rows;
        if (format != null) rows = format.open(file, spec.part());
        else if (HDF5.stream().anyMatch(lower::endsWith))
            throw new UserError(file + ": an HDF5 file; this program reads CSV and NumPy files. nnetc reads HDF5: nnetc predict NET.jar --input " + spec);
        else if (DataFiles.isArchive(file)) {
            String name = spec.part() != null ? spec.part() : arrayName;
            rows = ArrayRows.of(file + "!" + name, DataFiles.pick(file, Npy.readArchive(file), name));
        } else {
            if (spec.part() != null)
                throw new UserError(spec + ": " + file + " is " + (lower.endsWith(".npy") ? "one array" : "read whole as rows of numbers") + "; ':" + spec.part() + "' picks nothing in it");
            rows = lower.endsWith(".npy") ? Npy.open(file) : ArrayRows.of(file.toString(), columns < 0 ? Csv.read(file) : Csv.read(file, columns, what));
        }
        try {
            checkWidth(rows, columns, what);
        } catch (RuntimeException e) {
            rows.close();
            throw e;
        }
        return rows;
    }

    /**
     * The rows of an input of shape {@code shape}, checked as {@link DataFiles#readInputRows}
     * checks them; with {@code channelsLast} each row is returned in nnet's order {@code [C, H, W]}.
     */
    public static RowSource openInput(FilePart spec, String arrayName, int[] shape, boolean channelsLast, String what) {
        RowSource rows = open(spec, arrayName, Math.toIntExact(Tensor.size(shape)), what);
        try {
            DataFiles.checkSampleShape(rows.name(), rows.shape(), shape, channelsLast, what);
        } catch (RuntimeException e) {
            rows.close();
            throw e;
        }
        return channelsLast ? new ChannelsFirst(rows, shape) : rows;
    }

    /** Every row of {@code rows}, as arrays. */
    public static float[][] readAll(RowSource rows) {
        float[][] out = new float[rows.rows()][];
        for (int r = 0; r < out.length; r++) out[r] = rows.row(r);
        return out;
    }

    /** Whether {@code file} is read neither as CSV nor as NumPy: a {@link RowFormat}'s, or HDF5 by its name. */
    static boolean isOtherFormat(Path file) {
        String lower = file.toString().toLowerCase(Locale.ROOT);
        return Formats.ALL.stream().anyMatch(f -> f.reads(file)) || HDF5.stream().anyMatch(lower::endsWith);
    }

    private static void checkWidth(RowSource rows, int columns, String what) {
        int[] shape = rows.shape();
        if (columns >= 0 && rows.width() != columns)
            throw new DataFormatException(rows.name() + ": an array of shape " + Arrays.toString(shape) + " has rows of " + rows.width() + " values, but " + what
                    + " needs " + columns + " (an array [N, " + columns + "], or [N, ...] of that size)");
    }

    /** Images stored {@code [H, W, C]} (layout: nhwc), each row read in nnet's order {@code [C, H, W]}. */
    private static final class ChannelsFirst implements RowSource {
        private final RowSource hwc;
        private final int[] chw;

        ChannelsFirst(RowSource hwc, int[] chw) {
            this.hwc = hwc;
            this.chw = chw;
        }

        @Override
        public String name() {
            return hwc.name();
        }

        @Override
        public int[] shape() {
            return hwc.shape();
        }

        @Override
        public int blockRows() {
            return hwc.blockRows();
        }

        @Override
        public int rowBytes() {
            return hwc.rowBytes();
        }

        @Override
        public void read(int row, float[] into, int at) {
            float[] image = DataFiles.channelsFirst(hwc.row(row), chw);
            System.arraycopy(image, 0, into, at, image.length);
        }

        @Override
        public void keepRows(int rows) {
            hwc.keepRows(rows);
        }

        @Override
        public void close() {
            hwc.close();
        }
    }
}
