package nnet.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import nnet.ir.Connectivity;
import nnet.runtime.DataFormatException;
import nnet.runtime.io.IoErrors;
import nnet.runtime.io.Npy;

/**
 * Connections from a file named in {@code connect:} (LANGUAGE.md §4), read at compile time in
 * O(file + inputs) time and memory, never O(inputs x units):
 * <ul>
 * <li>an edge list, {@code edges "f.csv"}: two whole-number columns (input index, unit index,
 * 0-based) per line, comma-separated; an optional header line; blank lines and {@code #} comments
 * skipped;</li>
 * <li>a SciPy sparse matrix, {@code edges "f.npz"} or {@code mask "f.npz"}, as
 * {@code scipy.sparse.save_npz} writes it (COO, CSR or CSC; {@code [inputs, units]}); an entry
 * stored with the value 0 is absent.</li>
 * </ul>
 * Every problem is a {@link DataFormatException} naming the file and, in a CSV, the line and column.
 */
final class EdgeFiles {
    private EdgeFiles() {}

    static boolean isSparseMatrix(String name) {
        return name.toLowerCase().endsWith(".npz");
    }

    /** @param shown the file as the source names it, for messages; {@code layer} names the layer */
    static Connectivity read(Path file, String shown, int n, int m, String layer) {
        return isSparseMatrix(shown) ? npz(file, shown, n, m, layer) : csv(file, shown, n, m, layer);
    }

    // ---- edge list

    private static Connectivity csv(Path file, String shown, int n, int m, String layer) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataFormatException(shown + ": cannot read it: " + IoErrors.why(e));
        }
        int[] in = new int[Math.max(16, b.length / 8)], unit = new int[in.length];
        int count = 0, line = 0, p = 0;
        boolean seenData = false;
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) p = 3; // a UTF-8 byte-order mark
        while (p < b.length) {
            line++;
            int end = p;
            while (end < b.length && b[end] != '\n') end++;
            int stop = end > p && b[end - 1] == '\r' ? end - 1 : end;
            int start = skipSpaces(b, p, stop);
            if (start < stop && b[start] != '#') {
                if (!seenData && !startsANumber(b[start])) {
                    seenData = true; // a header: the first line, if it does not start with a number
                } else {
                    seenData = true;
                    if (count == in.length) {
                        in = java.util.Arrays.copyOf(in, count * 2);
                        unit = java.util.Arrays.copyOf(unit, count * 2);
                    }
                    int[] cell = new int[2];
                    int q = start;
                    for (int c = 0; c < 2; c++) {
                        if (c == 1) {
                            q = skipSpaces(b, q, stop);
                            if (q >= stop || b[q] != ',')
                                throw error(shown, line, q - p + 1, q >= stop ? "expected two columns (input, unit), found one" : "expected ',' between the input and the unit, found " + quote(b, q, stop));
                            q = skipSpaces(b, q + 1, stop);
                        }
                        int from = q;
                        long v = 0;
                        while (q < stop && b[q] >= '0' && b[q] <= '9' && v <= Integer.MAX_VALUE) v = v * 10 + (b[q++] - '0');
                        if (q == from || (q < stop && b[q] != ',' && b[q] != ' ' && b[q] != '\t'))
                            throw error(shown, line, from - p + 1, quote(b, from, stop) + " is not an index (a whole number from 0)");
                        int size = c == 0 ? n : m;
                        if (v >= size)
                            throw error(shown, line, from - p + 1, (c == 0 ? "input" : "unit") + " index " + v + " is out of range: " + layer + " has " + size
                                    + (c == 0 ? " inputs" : " units") + " (0.." + (size - 1) + ")");
                        cell[c] = (int) v;
                    }
                    q = skipSpaces(b, q, stop);
                    if (q < stop)
                        throw error(shown, line, q - p + 1, b[q] == ',' ? "expected two columns (input, unit), found more" : "unexpected " + quote(b, q, stop) + " after the unit");
                    in[count] = cell[0];
                    unit[count++] = cell[1];
                }
            }
            p = end + 1;
        }
        if (count == 0) throw new DataFormatException(shown + ": no edges (expected lines 'input,unit', e.g. 0,3)");
        return Connectivity.edges(n, m, in, unit, count);
    }

    private static boolean startsANumber(byte c) {
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
    }

    private static int skipSpaces(byte[] b, int p, int stop) {
        while (p < stop && (b[p] == ' ' || b[p] == '\t')) p++;
        return p;
    }

    private static String quote(byte[] b, int from, int stop) {
        int end = from;
        while (end < stop && b[end] != ',' && end - from < 40) end++;
        return "'" + new String(b, from, Math.max(end - from, 0), StandardCharsets.UTF_8) + "'";
    }

    private static DataFormatException error(String file, int line, int col, String problem) {
        return new DataFormatException(file + ":" + line + ":" + col + ": " + problem);
    }

    // ---- scipy.sparse.save_npz

    private static Connectivity npz(Path file, String shown, int n, int m, String layer) {
        Map<String, long[]> ints = new HashMap<>();
        float[] data = null;
        String format = null;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName().replaceFirst("\\.npy$", "");
                String where = shown + "!" + e.getName();
                switch (name) {
                    case "format" -> format = new String(zip.readAllBytes(), StandardCharsets.ISO_8859_1).replace("\0", "");
                    case "data" -> data = Npy.decode(zip, where).data();
                    case "shape", "row", "col", "indices", "indptr" -> ints.put(name, Npy.decodeIntegers(zip, where));
                    default -> { } // other arrays (offsets of a dia matrix, ...) are reported by the format check below
                }
            }
        } catch (ZipException e) {
            throw new DataFormatException(shown + ": not a .npz archive (a zip of .npy files): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DataFormatException(shown + ": cannot read it: " + IoErrors.why(e));
        }
        String kind = format == null ? null : format.contains("coo") ? "coo" : format.contains("csr") ? "csr" : format.contains("csc") ? "csc" : "other";
        if (kind == null || ints.get("shape") == null || data == null)
            throw new DataFormatException(shown + ": not a sparse matrix as scipy.sparse.save_npz writes it (it needs format, shape and data arrays)");
        if (kind.equals("other"))
            throw new DataFormatException(shown + ": sparse format '" + format.replaceAll("[^a-z]", "") + "' is not supported; save it as COO, CSR or CSC (m.tocoo())");
        long[] shape = ints.get("shape");
        if (shape.length != 2 || shape[0] != n || shape[1] != m)
            throw new DataFormatException(shown + ": the matrix is " + (shape.length == 2 ? shape[0] + " x " + shape[1] : shape.length + "-D") + ", but " + layer
                    + " needs " + n + " x " + m + " (inputs x units)");
        int nnz = data.length;
        int[] in = new int[nnz], unit = new int[nnz];
        if (kind.equals("coo")) {
            long[] row = need(ints, "row", shown, nnz), col = need(ints, "col", shown, nnz);
            for (int k = 0; k < nnz; k++) {
                in[k] = index(row[k], n, shown, "row", k);
                unit[k] = index(col[k], m, shown, "col", k);
            }
        } else {
            boolean csr = kind.equals("csr");
            int outer = csr ? n : m;
            long[] ptr = need(ints, "indptr", shown, outer + 1), idx = need(ints, "indices", shown, nnz);
            if (ptr[0] != 0 || ptr[outer] != nnz) throw new DataFormatException(shown + ": indptr should run from 0 to " + nnz + " (the number of values)");
            for (int o = 0; o < outer; o++) {
                if (ptr[o + 1] < ptr[o]) throw new DataFormatException(shown + ": indptr decreases at entry " + (o + 1));
                for (long k = ptr[o]; k < ptr[o + 1]; k++) {
                    int inner = index(idx[(int) k], csr ? m : n, shown, "indices", k);
                    in[(int) k] = csr ? o : inner;
                    unit[(int) k] = csr ? inner : o;
                }
            }
        }
        int kept = 0; // stored zeros are absent
        for (int k = 0; k < nnz; k++)
            if (data[k] != 0) {
                in[kept] = in[k];
                unit[kept++] = unit[k];
            }
        return Connectivity.edges(n, m, in, unit, kept);
    }

    private static long[] need(Map<String, long[]> ints, String name, String shown, int length) {
        long[] a = ints.get(name);
        if (a == null) throw new DataFormatException(shown + ": the matrix has no " + name + " array");
        if (a.length != length) throw new DataFormatException(shown + ": " + name + " has " + a.length + " entries, expected " + length);
        return a;
    }

    private static int index(long v, int size, String shown, String array, long k) {
        if (v < 0 || v >= size) throw new DataFormatException(shown + ": " + array + " entry " + k + " is " + v + ", outside 0.." + (size - 1));
        return (int) v;
    }
}
