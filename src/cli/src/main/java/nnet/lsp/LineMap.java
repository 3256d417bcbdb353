package nnet.lsp;

import java.util.ArrayList;
import java.util.List;
import nnet.diag.Span;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;

/**
 * Converts between the compiler's places and the protocol's. A {@link Span} has a 1-based line and
 * a 1-based column counted in code points (ANTLR's), and its length may run over several lines (a
 * whole block); an LSP position is 0-based, with the column in UTF-16 units. The two agree only
 * for text without characters outside the BMP, so every conversion goes through the text.
 */
final class LineMap {
    private final String text;
    /** UTF-16 offset of the first character of each line. */
    private final int[] lineStarts;
    /** Whether any character needs two UTF-16 units: then code point and UTF-16 offsets differ. */
    private final boolean hasSurrogates;

    LineMap(String text) {
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        boolean surrogates = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') starts.add(i + 1);
            else if (Character.isSurrogate(c)) surrogates = true;
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        this.hasSurrogates = surrogates;
    }

    /** The range a span covers; a span without a place (line 0) is the start of the file. */
    Range range(Span s) {
        if (s.line() < 1) return new Range(new Position(0, 0), new Position(0, 0));
        int start = utf16Offset(s.line(), s.col());
        int end = hasSurrogates ? offsetByCodePoints(start, Math.max(0, s.length())) : Math.min(text.length(), start + Math.max(0, s.length()));
        return new Range(position(start), position(end));
    }

    /** The 1-based line and code point column of a protocol position, clamped into the text. */
    int[] lineAndColumn(Position p) {
        int line = Math.max(0, Math.min(p.getLine(), lineStarts.length - 1));
        int start = lineStarts[line];
        int offset = offset(p);
        int col = hasSurrogates ? text.codePointCount(start, offset) : offset - start;
        return new int[] {line + 1, col + 1};
    }

    /** UTF-16 offset of a protocol position, clamped into its line (in long arithmetic: a client may send 2^31 - 1). */
    int offset(Position p) {
        int line = Math.max(0, Math.min(p.getLine(), lineStarts.length - 1));
        return (int) Math.min((long) lineStarts[line] + Math.max(0, p.getCharacter()), lineEnd(line));
    }

    private int utf16Offset(int line, int col) {
        int l = Math.min(line, lineStarts.length) - 1;
        int start = lineStarts[l];
        return hasSurrogates ? offsetByCodePoints(start, col - 1) : Math.min(start + col - 1, text.length());
    }

    private int offsetByCodePoints(int from, int codePoints) {
        int available = text.codePointCount(from, text.length());
        return text.offsetByCodePoints(from, Math.min(codePoints, available));
    }

    Position position(int offset) {
        int line = lineOf(offset);
        return new Position(line, offset - lineStarts[line]);
    }

    private int lineOf(int offset) {
        int lo = 0, hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** UTF-16 offset of the end of a line, before its line break. */
    private int lineEnd(int line) {
        int end = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : text.length();
        if (end > lineStarts[line] && text.charAt(end - 1) == '\r') end--;
        return end;
    }
}
