package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's array files, read into float32 {@link Tensor}s and written from them. A {@code .npy} is
 * the magic {@code \x93NUMPY}, a version, a little-endian header length (2 bytes in version 1, 4
 * in versions 2 and 3), a header that is a Python dict literal ({@code {'descr': '<f4',
 * 'fortran_order': False, 'shape': (3, 2), }}), then the raw data. A {@code .npz} is a zip (stored
 * or deflated) of {@code NAME.npy} entries. Read: every {@link ElementType} (floats, integers,
 * booleans), either byte order, C or Fortran order (transposed into row-major); {@link #open}
 * reads a file's rows as they are needed. Written: little-endian float32, C order, version 1.
 * Every malformed file is a {@link DataFormatException} naming the file.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Byte order, kind and size: {@code <f4}, {@code >f8}, {@code |u1}, {@code <i8}. */
    private static final Pattern TYPE = Pattern.compile("([<>|=])([fiub])(\\d+)");
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    /** The array of a {@code .npy} file. */
    public static Tensor read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return decode(in, file.toString());
        } catch (IOException e) {
            throw IoErrors.failure("read", file.toString(), e);
        }
    }

    /** The arrays of a {@code .npz} file, by name ({@code x} for the entry {@code x.npy}), in the archive's order. */
    public static Map<String, Tensor> readArchive(Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) continue;
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                out.put(name, decode(zip, file + "!" + e.getName()));
            }
        } catch (ZipException e) {
            throw new DataFormatException(file + ": not a .npz archive (a zip of .npy files), or a truncated one: " + e.getMessage(), e);
        } catch (IOException e) {
            throw IoErrors.failure("read", file.toString(), e);
        }
        if (out.isEmpty()) throw new DataFormatException(file + ": not a .npz archive (a zip of .npy files), or one without arrays");
        return out;
    }

    /** One array from {@code in} (read up to the array's end, not closed); {@code name} stands for the file in messages. */
    public static Tensor decode(InputStream in, String name) throws IOException {
        return decode(in, name, null);
    }

    /** The array as floats, or with {@code integers} given, as exact integers in {@code integers[0]} (and null returned). */
    private static Tensor decode(InputStream in, String name, long[][] integers) throws IOException {
        DataInputStream data = new DataInputStream(in);
        Layout layout = readHeader(data, name);
        long size = Tensor.size(layout.shape);
        if (size > Integer.MAX_VALUE - 8) throw new DataFormatException(name + ": " + size + " values are too many for one array here");
        ElementType type = layout.type;
        byte[] raw = new byte[Math.toIntExact(size * type.size())];
        readFully(data, raw, name, "data of shape " + Arrays.toString(layout.shape));
        if (integers != null) {
            if (type.kind() != 'i' && type.kind() != 'u' || layout.shape.length != 1)
                throw new DataFormatException(name + ": expected a 1-D array of integers, found dtype " + type.kind() + type.size() + " shape " + Arrays.toString(layout.shape));
            ByteBuffer buf = ByteBuffer.wrap(raw).order(type.order());
            long[] out = new long[(int) size];
            boolean unsigned = type.kind() == 'u';
            for (int i = 0; i < out.length; i++)
                out[i] = switch (type.size()) {
                    case 1 -> unsigned ? Byte.toUnsignedInt(buf.get()) : buf.get();
                    case 2 -> unsigned ? Short.toUnsignedInt(buf.getShort()) : buf.getShort();
                    case 4 -> unsigned ? Integer.toUnsignedLong(buf.getInt()) : buf.getInt();
                    default -> buf.getLong();
                };
            integers[0] = out;
            return null;
        }
        float[] values = new float[(int) size];
        type.widen(raw, 0, values.length, values, 0);
        return new Tensor(layout.shape, layout.fortran ? toRowMajor(values, layout.shape) : values);
    }

    /**
     * The rows of a {@code .npy} file (its first axis), read from the file as they are needed
     * rather than whole: C-order arrays stay in the file ({@link FileRows}), in their own dtype; a
     * Fortran-order array, whose rows are not contiguous, is read whole.
     */
    public static RowSource open(Path file) {
        Layout layout;
        long dataStart;
        try (InputStream in = Files.newInputStream(file)) {
            CountingInput counting = new CountingInput(in);
            layout = readHeader(new DataInputStream(counting), file.toString());
            dataStart = counting.count;
        } catch (IOException e) {
            throw IoErrors.failure("read", file.toString(), e);
        }
        if (layout.shape.length == 0) throw new DataFormatException(file + ": a single number (shape ()), not an array of rows");
        if (layout.shape[0] == 0) throw new DataFormatException(file + ": no data rows (shape " + Arrays.toString(layout.shape) + ")");
        if (layout.fortran && layout.shape.length > 1) return ArrayRows.of(file.toString(), read(file));
        long bytes = Tensor.size(layout.shape) * layout.type.size();
        try {
            if (Files.size(file) < dataStart + bytes)
                throw new DataFormatException(file + ": the file ends inside its data of shape " + Arrays.toString(layout.shape) + " (" + bytes + " bytes expected)");
        } catch (IOException e) {
            throw IoErrors.failure("read", file.toString(), e);
        }
        return new FileRows(file, dataStart, layout.type, layout.shape);
    }

    /** The magic, version and header of a {@code .npy}, leaving {@code data} at the array's first byte. */
    private static Layout readHeader(DataInputStream data, String name) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        int major;
        long headerLength;
        try {
            data.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new DataFormatException(name + ": not a .npy file (it does not start with \\x93NUMPY)");
            major = data.readUnsignedByte();
            data.readUnsignedByte();
            headerLength = major == 1 ? Short.toUnsignedInt(Short.reverseBytes(data.readShort())) : Integer.toUnsignedLong(Integer.reverseBytes(data.readInt()));
        } catch (EOFException e) {
            throw new DataFormatException(name + ": not a .npy file (it ends before its header)");
        }
        if (major < 1 || major > 3) throw new DataFormatException(name + ": .npy version " + major + " is not supported (1, 2 and 3 are)");
        if (headerLength > MAX_HEADER) throw new DataFormatException(name + ": header of " + headerLength + " bytes: not a .npy file");
        byte[] headerBytes = new byte[(int) headerLength];
        readFully(data, headerBytes, name, "header");
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return Layout.parse(header, name);
    }

    /** Counts the bytes read through it: where a {@code .npy}'s data starts. */
    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }
    }

    /** One 1-D array of integers from {@code in}, exactly (no float32 rounding): sparse matrices' indices. */
    public static long[] decodeIntegers(InputStream in, String name) throws IOException {
        long[][] out = new long[1][];
        decode(in, name, out);
        return out[0];
    }

    private static void readFully(DataInputStream in, byte[] into, String name, String what) throws IOException {
        try {
            in.readFully(into);
        } catch (EOFException e) {
            throw new DataFormatException(name + ": the file ends inside its " + what + " (" + into.length + " bytes expected)");
        }
    }

    /** The dtype and shape of the header. */
    private record Layout(ElementType type, boolean fortran, int[] shape) {
        static Layout parse(String header, String name) {
            Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
            if (!d.find() || !f.find() || !s.find())
                throw new DataFormatException(name + ": the header lacks 'descr', 'fortran_order' or 'shape' (a structured array?): " + header.strip());
            Matcher t = TYPE.matcher(d.group(1));
            if (!t.matches() || !ElementType.supported(t.group(2).charAt(0), Integer.parseInt(t.group(3))))
                throw new DataFormatException(name + ": dtype '" + d.group(1) + "' is not supported; save float32 or float64 (or integer) arrays");
            ByteOrder order = t.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            String[] parts = s.group(1).split(",");
            int[] shape = Arrays.stream(parts).map(String::strip).filter(p -> !p.isEmpty()).mapToInt(p -> dimension(p, name)).toArray();
            return new Layout(new ElementType(t.group(2).charAt(0), Integer.parseInt(t.group(3)), order), f.group(1).equals("True"), shape);
        }

        private static int dimension(String text, String name) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new DataFormatException(name + ": shape entry '" + text + "' is not a size");
            }
        }
    }

    /** Fortran order (first axis fastest) into row-major (last axis fastest). */
    private static float[] toRowMajor(float[] columnMajor, int[] shape) {
        float[] out = new float[columnMajor.length];
        int rank = shape.length;
        int[] index = new int[rank];
        for (int k = 0; k < out.length; k++) { // k runs row-major; find its column-major offset
            int offset = 0, stride = 1;
            for (int a = 0; a < rank; a++) {
                offset += index[a] * stride;
                stride *= shape[a];
            }
            out[k] = columnMajor[offset];
            for (int a = rank - 1; a >= 0 && ++index[a] == shape[a]; a--) index[a] = 0;
        }
        return out;
    }

    /** The bytes of {@code t} as a version 1 {@code .npy}, little-endian float32, C order. */
    public static byte[] encode(Tensor t) {
        StringBuilder shape = new StringBuilder();
        for (int d : t.shape()) shape.append(d).append(", ");
        if (t.shape().length > 1) shape.setLength(shape.length() - 2);
        else if (t.shape().length == 1) shape.setLength(shape.length() - 1); // (3,) is a 1-tuple
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape.toString().strip() + "), }");
        int total = MAGIC.length + 4 + header.length() + 1;
        header.append(" ".repeat(64 - total % 64)).append('\n'); // the data starts 64-byte aligned, padded as numpy pads it
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + 4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length()).put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (float v : t.data()) out.putFloat(v);
        return out.array();
    }

    /** Writes {@code t} as a {@code .npy}, atomically. */
    public static void write(Path file, Tensor t) {
        byte[] bytes = encode(t);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** Writes the arrays as a {@code .npz} (deflated entries {@code NAME.npy}), atomically. */
    public static void writeArchive(Path file, Map<String, Tensor> arrays) {
        AtomicFiles.write(file, out -> writeZip(out, arrays));
    }

    private static void writeZip(OutputStream out, Map<String, Tensor> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (var e : arrays.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
            zip.write(encode(e.getValue()));
            zip.closeEntry();
        }
        zip.finish();
    }

    /** For tests and tools: the bytes of a {@code .npz} holding the arrays. */
    public static byte[] encodeArchive(Map<String, Tensor> arrays) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeZip(out, arrays);
        return out.toByteArray();
    }
}
