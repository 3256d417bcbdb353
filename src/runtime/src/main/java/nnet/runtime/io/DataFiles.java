package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sample files the commands read and write, chosen by extension: NumPy's {@code .npy} and
 * {@code .npz} ({@link Npy}), formats on the class path ({@link RowFormat}: HDF5 in nnetc),
 * otherwise CSV ({@link Csv}). A NumPy array {@code [N, ...]} is N rows, each its remaining axes
 * flattened row-major, as a CSV row is. {@link RowFiles} opens rows without reading them whole.
 */
public final class DataFiles {
    private DataFiles() {}

    /** {@code -} names standard input, read as CSV (as {@code /dev/stdin} is, a file that is a stream). */
    public static boolean isStandardInput(Path file) {
        return file.toString().equals("-");
    }

    /**
     * Fails with what is wrong with {@code file} as a file of rows, before anything is read: it is
     * missing, or a directory. Anything else that can be read is: a regular file, {@code -}, a
     * stream such as {@code /dev/stdin} or a named pipe.
     */
    public static void checkReadable(Path file) {
        if (isStandardInput(file)) return;
        if (Files.isDirectory(file)) throw new UserError("cannot read " + file + ": it is a directory");
        if (!Files.exists(file)) throw new UserError(file + ": no such file");
    }

    public static boolean isArchive(Path file) {
        return file.toString().toLowerCase().endsWith(".npz");
    }

    private static boolean isArray(Path file) {
        return file.toString().toLowerCase().endsWith(".npy");
    }

    /**
     * The rows of {@code file}, each of {@code columns} values because {@code what} (e.g. "input
     * x[2]") needs that many. From an {@code .npz}, the array called {@code arrayName}, or its only one.
     */
    public static float[][] readRows(Path file, String arrayName, int columns, String what) {
        if (isArchive(file)) return rows(file + "!" + arrayName, pick(file, Npy.readArchive(file), arrayName), columns, what);
        if (isArray(file)) return rows(file.toString(), Npy.read(file), columns, what);
        if (isStandardInput(file)) return Csv.read(standardInput(), "standard input", columns, what);
        return Csv.read(file, columns, what);
    }

    /**
     * The rows of an input of shape {@code shape} ({@code what}: "input img[3, 32, 32]"). A NumPy
     * array with one axis more than the input must have the input's shape after its batch axis
     * ({@code [H, W, C]} when {@code channelsLast}): an array {@code [N, 32, 32, 3]} given to an
     * input {@code [3, 32, 32]} is an error naming both shapes and the fix, never read as if it
     * were {@code [N, 3, 32, 32]}. Arrays {@code [N, size]} and CSV rows are flat rows. With
     * {@code channelsLast} (layout: nhwc) each row holds an image {@code [H, W, C]} and is
     * returned in nnet's order {@code [C, H, W]}.
     */
    public static float[][] readInputRows(Path file, String arrayName, int[] shape, boolean channelsLast, String what) {
        try (RowSource rows = RowFiles.openInput(new FilePart(file, null), arrayName, shape, channelsLast, what)) {
            return RowFiles.readAll(rows);
        }
    }

    static void checkSampleShape(String name, int[] array, int[] shape, boolean channelsLast, String what) {
        int[] sample = array.length == 0 ? array : Arrays.copyOfRange(array, 1, array.length);
        // [N, size] or another rank: flat rows; and rows of another size are rows() to report. What is left would be read reshaped.
        if (array.length != shape.length + 1 || shape.length < 2 || Tensor.size(sample) != Tensor.size(shape)) return;
        int[] hwc = shape.length == 3 ? new int[] {shape[1], shape[2], shape[0]} : null;
        if (Arrays.equals(sample, channelsLast ? hwc : shape)) return;
        String found = name + ": an array of shape " + Arrays.toString(array);
        if (!channelsLast && Arrays.equals(sample, hwc))
            throw new DataFormatException(found + " holds images [H, W, C] (Keras' order), but " + what + " takes [C, H, W]: declare it "
                    + what + " layout: nhwc, or transpose the array with x.transpose(0, 3, 1, 2)");
        if (channelsLast && Arrays.equals(sample, shape))
            throw new DataFormatException(found + " holds images [C, H, W], but " + what + " is declared layout: nhwc, which reads [H, W, C] ("
                    + Arrays.toString(prepend(array[0], hwc)) + "): remove layout: nhwc, or transpose the array with x.transpose(0, 2, 3, 1)");
        throw new DataFormatException(found + " does not hold samples of " + what + " (" + Arrays.toString(channelsLast ? hwc : shape)
                + (channelsLast ? ", layout: nhwc" : "") + "): reshape it to " + Arrays.toString(prepend(array[0], channelsLast ? hwc : shape))
                + ", or to flat rows [N, " + Tensor.size(shape) + "] if its order is right");
    }

    /** One image {@code [H, W, C]} in nnet's order {@code [C, H, W]} ({@code chw} its shape). */
    static float[] channelsFirst(float[] hwcRow, int[] chw) {
        int c = chw[0], h = chw[1], w = chw[2];
        float[] out = new float[hwcRow.length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++) out[(ch * h + y) * w + x] = hwcRow[(y * w + x) * c + ch];
        return out;
    }

    /**
     * Rows of any width, as one file holds them, and where each came from: {@code file:line} for
     * CSV, {@code file: row r} for NumPy (whose rows have no lines). For checks that depend on
     * what the rows hold (class indices or one-hot rows). {@code firstColumn}: the file's column
     * (from 0) of the rows' first value, when they are some columns of a wider table.
     */
    public record Table(String file, float[][] rows, int[] lines, int firstColumn) {
        public Table(String file, float[][] rows, int[] lines) {
            this(file, rows, lines, 0);
        }

        public int width() {
            return rows[0].length;
        }

        /** Where row {@code r} (from 0) is, for an error message. */
        public String place(int r) {
            return lines == null ? file + ": row " + (r + 1) : file + ":" + lines[r];
        }

        /** Where the cell in column {@code c} (from 0) of row {@code r} is. */
        public String place(int r, int c) {
            return lines == null ? file + ": row " + (r + 1) + ", column " + (firstColumn + c + 1) : file + ":" + lines[r] + ":" + (firstColumn + c + 1);
        }
    }

    /**
     * The same for {@code spec}: a table's column by name ({@code subjects.csv:labels}, {@link
     * CsvColumns}), an array or dataset of a file ({@code y.npz:t}, {@code y.h5:/y}), or a file.
     */
    public static Table readTable(FilePart spec, String arrayName, String what) {
        Path file = spec.file();
        boolean csv = !isArchive(file) && !isArray(file) && !RowFiles.isOtherFormat(file);
        if (spec.part() != null && csv) return CsvColumns.read(file, spec.part()).table();
        if (spec.part() == null && (isArchive(file) || isArray(file) || csv)) return readTable(file, arrayName, what);
        try (RowSource rows = RowFiles.open(spec, arrayName, -1, what)) {
            return new Table(rows.name(), RowFiles.readAll(rows), null);
        }
    }

    /** The rows of {@code file} whatever their width (the same for all); from an {@code .npz}, the array {@code arrayName} or its only one. */
    public static Table readTable(Path file, String arrayName, String what) {
        if (isArchive(file)) {
            String name = file + "!" + arrayName;
            Tensor t = pick(file, Npy.readArchive(file), arrayName);
            return new Table(name, rows(name, t, t.shape().length == 0 || t.shape()[0] == 0 ? 1 : t.data().length / t.shape()[0], what), null);
        }
        if (isArray(file)) {
            Tensor t = Npy.read(file);
            return new Table(file.toString(), rows(file.toString(), t, t.shape().length == 0 || t.shape()[0] == 0 ? 1 : t.data().length / t.shape()[0], what), null);
        }
        Csv.Table t = isStandardInput(file) ? Csv.readTable(standardInput(), "standard input") : Csv.readTable(file);
        return new Table(isStandardInput(file) ? "standard input" : file.toString(), t.rows(), t.lines());
    }

    /** Not closed after reading: standard input stays the process's. */
    static java.io.Reader standardInput() {
        return new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8);
    }

    static Tensor pick(Path file, Map<String, Tensor> arrays, String name) {
        if (arrays.containsKey(name)) return arrays.get(name);
        if (arrays.size() == 1) return arrays.values().iterator().next();
        throw new DataFormatException(file + " holds the arrays " + String.join(", ", arrays.keySet()) + " but none named '" + name + "'");
    }

    private static float[][] rows(String name, Tensor t, int columns, String what) {
        int[] shape = t.shape();
        if (shape.length == 0) throw new DataFormatException(name + ": a single number (shape ()), but " + what + " needs an array [N, " + columns + "] of N rows");
        int n = shape[0], width = n == 0 ? 0 : t.data().length / n;
        if (n == 0) throw new DataFormatException(name + ": no data rows (shape " + Arrays.toString(shape) + ")");
        if (width != columns)
            throw new DataFormatException(name + ": an array of shape " + Arrays.toString(shape) + " has rows of " + width + " values, but " + what
                    + " needs " + columns + " (an array [N, " + columns + "], or [N, ...] of that size)");
        float[][] out = new float[n][];
        for (int r = 0; r < n; r++) out[r] = Arrays.copyOfRange(t.data(), r * width, (r + 1) * width);
        return out;
    }

    /**
     * Writes rows made of the named nodes' values side by side ({@code shapes} in the same order):
     * an {@code .npy} of shape {@code [N, ...]} (the node's shape when there is one node, else
     * the rows' width), an {@code .npz} with one array {@code [N, ...shape]} per node, or CSV.
     */
    public static void writeRows(Path file, float[][] rows, List<String> names, List<int[]> shapes) {
        writeRows(file, rows, names, shapes, null);
    }

    /** The same; a CSV file gets {@code header} (column names) as its first line when it is not null. */
    public static void writeRows(Path file, float[][] rows, List<String> names, List<int[]> shapes, String[] header) {
        try {
            write(file, rows, names, shapes, header);
        } catch (UncheckedIOException e) {
            throw new UserError(e.getMessage()); // "cannot write out.npy: permission denied" is the user's to fix
        }
    }

    private static void write(Path file, float[][] rows, List<String> names, List<int[]> shapes, String[] header) {
        if (isArchive(file)) {
            Map<String, Tensor> arrays = new LinkedHashMap<>();
            int at = 0;
            for (int k = 0; k < names.size(); k++) {
                int size = (int) Tensor.size(shapes.get(k));
                float[] data = new float[rows.length * size];
                for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], at, data, r * size, size);
                arrays.put(names.get(k), new Tensor(prepend(rows.length, shapes.get(k)), data));
                at += size;
            }
            Npy.writeArchive(file, arrays);
        } else if (isArray(file)) {
            int width = rows.length == 0 ? 0 : rows[0].length;
            float[] data = new float[rows.length * width];
            for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], 0, data, r * width, width);
            Npy.write(file, new Tensor(names.size() == 1 ? prepend(rows.length, shapes.get(0)) : new int[] {rows.length, width}, data));
        } else {
            Csv.write(file, header, rows);
        }
    }

    private static int[] prepend(int n, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = n;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }
}
