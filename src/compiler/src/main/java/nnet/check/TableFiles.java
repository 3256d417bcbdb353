package nnet.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.diag.DiagCode;
import nnet.runtime.io.IoErrors;

/**
 * The files that name connections, read in time linear in their size (LANGUAGE.md §4, Topology
 * tables): two columns of a table with a header line, picked by name (GenNet's
 * {@code topology.csv}: {@code chr,layer0_node,layer0_name,layer1_node,layer1_name}), comma-separated
 * or tab-separated ({@code .tsv}), cells trimmed, double quotes as in RFC 4180; and GMT files
 * (MSigDB's and Reactome's gene sets: {@code set<TAB>description<TAB>gene<TAB>gene...}).
 * Every problem is a {@link Problem} naming the file and, where one is at fault, the line.
 */
final class TableFiles {
    private TableFiles() {}

    /** A problem with a file, with the code it is reported under; the message names the file and line. */
    static final class Problem extends RuntimeException {
        final DiagCode code;
        /** The column a header lacks, or null. */
        final String missingColumn;

        Problem(DiagCode code, String message) {
            this(code, message, null);
        }

        private Problem(DiagCode code, String message, String missingColumn) {
            super(message, null, false, false);
            this.code = code;
            this.missingColumn = missingColumn;
        }
    }

    /** One column: its header, its value on every data row, and, when each value is a whole number, those numbers. */
    record Column(String header, String[] values, int[] indices) {
        boolean holdsIndices() {
            return indices != null;
        }
    }

    /** Two columns of a table, a row per data line ({@code lines[k]} is row k's line, from 1). */
    record Pairs(String file, Column from, Column to, int[] lines) {
        int rows() {
            return lines.length;
        }
    }

    /** The sets of a GMT file in the file's order, and every (gene, set) pair with its line. */
    record GeneSets(String file, List<String> sets, String[] genes, int[] setOf, int[] lines) {}

    /**
     * Columns {@code from} and {@code to} of {@code file}, which the source names {@code shown}. One pass
     * over the text, two strings kept per row: a table of GenNet's size (130,000 rows) reads in tens
     * of milliseconds.
     */
    static Pairs pairs(Path file, String shown, String from, String to) {
        String text = text(file, shown);
        char delimiter = shown.toLowerCase().endsWith(".tsv") ? '\t' : ',';
        int p = 0, line = 0;
        List<String> header = null;
        while (p < text.length() && header == null) {
            int end = lineEnd(text, p);
            line++;
            if (!text.substring(p, end).isBlank()) header = cells(text.substring(p, end), delimiter, shown, line);
            p = Math.min(text.length(), end + 1);
        }
        if (header == null) throw new Problem(DiagCode.MASK_FILE, shown + ": the file is empty; a table needs a header line naming its columns");
        int a = column(header, from, shown), b = column(header, to, shown);
        int width = Math.max(a, b) + 1;
        int capacity = Math.max(16, (text.length() - p) / 16);
        String[] fromValues = new String[capacity], toValues = new String[capacity];
        int[] at = new int[capacity];
        int rows = 0;
        String[] pair = new String[2];
        while (p < text.length()) {
            int end = lineEnd(text, p);
            line++;
            if (!isBlank(text, p, end)) {
                int found = twoCells(text, p, end, delimiter, a, b, pair);
                if (found < 0) { // a quoted cell: the general reader
                    List<String> row = cells(text.substring(p, end), delimiter, shown, line);
                    found = row.size();
                    if (found >= width) {
                        pair[0] = row.get(a);
                        pair[1] = row.get(b);
                    }
                }
                if (found < width)
                    throw new Problem(DiagCode.MASK_FILE, shown + ":" + line + ": " + found + " column" + (found == 1 ? "" : "s") + ", but the header has " + header.size()
                            + " and column '" + header.get(width - 1) + "' is the " + ordinal(width));
                if (rows == fromValues.length) {
                    fromValues = Arrays.copyOf(fromValues, rows * 2);
                    toValues = Arrays.copyOf(toValues, rows * 2);
                    at = Arrays.copyOf(at, rows * 2);
                }
                fromValues[rows] = nonEmpty(pair[0], header.get(a), shown, line);
                toValues[rows] = nonEmpty(pair[1], header.get(b), shown, line);
                at[rows++] = line;
            }
            p = end + 1;
        }
        if (rows == 0) throw new Problem(DiagCode.MASK_FILE, shown + ": no rows under the header");
        return new Pairs(shown, column(from, Arrays.copyOf(fromValues, rows)), column(to, Arrays.copyOf(toValues, rows)), Arrays.copyOf(at, rows));
    }

    /**
     * Cells {@code a} and {@code b} of the line {@code [start, end)}, trimmed, into {@code out}; returns
     * how many cells the line has, or -1 when it holds a double quote (then the caller reads it cell by cell).
     */
    private static int twoCells(String text, int start, int end, char delimiter, int a, int b, String[] out) {
        int cell = 0, from = start;
        for (int q = start; q <= end; q++) {
            char ch = q < end ? text.charAt(q) : delimiter;
            if (ch == '"') return -1;
            if (ch != delimiter) continue;
            if (cell == a) out[0] = text.substring(from, q).strip();
            if (cell == b) out[1] = text.substring(from, q).strip();
            cell++;
            from = q + 1;
        }
        return cell;
    }

    /** Where the line from {@code from} ends: its '\n', or the end of the text ('\r' before it is left to the cells' trimming). */
    private static int lineEnd(String text, int from) {
        int end = text.indexOf('\n', from);
        return end < 0 ? text.length() : end;
    }

    private static boolean isBlank(String text, int from, int end) {
        for (int q = from; q < end; q++) if (!Character.isWhitespace(text.charAt(q))) return false;
        return true;
    }

    /** A GMT file: a set per line, {@code name<TAB>description<TAB>gene...}; a set named on two lines is an error. */
    static GeneSets geneSets(Path file, String shown) {
        List<String> lines = lines(file, shown);
        Map<String, Integer> sets = new LinkedHashMap<>();
        Map<String, Integer> lineOfSet = new HashMap<>();
        List<String> genes = new ArrayList<>();
        int[] setOf = new int[16], at = new int[16];
        for (int k = 0; k < lines.size(); k++) {
            String line = lines.get(k);
            if (line.isBlank()) continue;
            String[] fields = line.split("\t", -1);
            if (fields.length < 2)
                throw new Problem(DiagCode.MASK_FILE, shown + ":" + (k + 1) + ": expected a gene set: name<TAB>description<TAB>gene<TAB>gene..., found no tab");
            String set = fields[0].strip();
            if (set.isEmpty()) throw new Problem(DiagCode.NAMES_FILE, shown + ":" + (k + 1) + ": the gene set has no name");
            Integer earlier = lineOfSet.putIfAbsent(set, k + 1);
            if (earlier != null) throw new Problem(DiagCode.NAMES_DUPLICATE, shown + ":" + (k + 1) + ": gene set '" + set + "' is also on line " + earlier);
            int index = sets.size();
            sets.put(set, index);
            for (int f = 2; f < fields.length; f++) {
                String gene = fields[f].strip();
                if (gene.isEmpty()) continue; // trailing tabs
                if (genes.size() == setOf.length) {
                    setOf = Arrays.copyOf(setOf, setOf.length * 2);
                    at = Arrays.copyOf(at, at.length * 2);
                }
                setOf[genes.size()] = index;
                at[genes.size()] = k + 1;
                genes.add(gene);
            }
        }
        if (sets.isEmpty()) throw new Problem(DiagCode.MASK_FILE, shown + ": no gene sets (expected lines name<TAB>description<TAB>gene...)");
        return new GeneSets(shown, List.copyOf(sets.keySet()), genes.toArray(new String[0]), Arrays.copyOf(setOf, genes.size()), Arrays.copyOf(at, genes.size()));
    }

    /** The lines of a text file (a byte-order mark dropped), or a problem naming it. */
    static List<String> lines(Path file, String shown) {
        return text(file, shown).lines().toList();
    }

    private static String text(Path file, String shown) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Problem(DiagCode.MASK_FILE, shown + ": cannot read it: " + IoErrors.why(e));
        }
        int start = b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF ? 3 : 0;
        return new String(b, start, b.length - start, StandardCharsets.UTF_8);
    }

    private static int column(List<String> header, String name, String shown) {
        int at = header.indexOf(name);
        if (at < 0)
            throw new Problem(DiagCode.TABLE_COLUMN, shown + " has no column '" + name + "' (its columns: "
                    + String.join(", ", header.stream().map(h -> h.isEmpty() ? "(unnamed)" : h).toList()) + ")" + Suggest.didYouMean(name, header), name);
        return at;
    }

    private static String nonEmpty(String v, String header, String shown, int line) {
        if (v.isEmpty()) throw new Problem(DiagCode.NAMES_FILE, shown + ":" + line + ": column '" + header + "' is empty");
        return v;
    }

    /** A column of whole numbers only holds indices; any other value makes it a column of names. */
    private static Column column(String header, String[] values) {
        int[] indices = new int[values.length];
        for (int k = 0; k < values.length; k++) {
            String v = values[k];
            if (v.length() > 9) return new Column(header, values, null);
            int n = 0;
            for (int q = 0; q < v.length(); q++) {
                char ch = v.charAt(q);
                if (ch < '0' || ch > '9') return new Column(header, values, null);
                n = n * 10 + (ch - '0');
            }
            indices[k] = n;
        }
        return new Column(header, values, indices);
    }

    /** The cells of one line, trimmed; a cell in double quotes may hold the delimiter, and {@code ""} is a quote. */
    static List<String> cells(String line, char delimiter, String shown, int lineNumber) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        for (int p = 0; p < line.length(); p++) {
            char ch = line.charAt(p);
            if (quoted) {
                if (ch != '"') cell.append(ch);
                else if (p + 1 < line.length() && line.charAt(p + 1) == '"') cell.append(line.charAt(++p));
                else quoted = false;
            } else if (ch == '"' && cell.toString().isBlank()) {
                cell.setLength(0);
                quoted = wasQuoted = true;
            } else if (wasQuoted && Character.isWhitespace(ch)) {
                continue; // after the closing quote
            } else if (ch == delimiter) {
                out.add(wasQuoted ? cell.toString() : cell.toString().strip());
                cell.setLength(0);
                wasQuoted = false;
            } else cell.append(ch);
        }
        if (quoted) throw new Problem(DiagCode.MASK_FILE, shown + ":" + lineNumber + ": a quoted cell is not closed");
        out.add(wasQuoted ? cell.toString() : cell.toString().strip());
        return out;
    }

    private static String ordinal(int n) {
        return n + (n % 100 >= 11 && n % 100 <= 13 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th");
    }
}
