package nnet.lsp;

import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;

/** Comparisons of the protocol's places: a request's range against what it asks about. */
final class Ranges {
    private Ranges() {}

    /** Whether two ranges share a place; a range of no length (the cursor) touching the other counts. A missing request range covers all. */
    static boolean overlap(Range a, Range request) {
        return request == null || (compare(a.getStart(), request.getEnd()) <= 0 && compare(request.getStart(), a.getEnd()) <= 0);
    }

    static boolean contains(Range r, Position p) {
        return r == null || (compare(p, r.getStart()) >= 0 && compare(p, r.getEnd()) <= 0);
    }

    static int compare(Position a, Position b) {
        return a.getLine() != b.getLine() ? Integer.compare(a.getLine(), b.getLine()) : Integer.compare(a.getCharacter(), b.getCharacter());
    }
}
