package nnet.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Lines up what the examples line up by hand: the '=' of a run of bindings (or of consts) on
 * consecutive statements, and the trailing comments of one-line statements between blank lines.
 * A run ends at a blank line, a declaration's edge, or a statement of another kind (an output,
 * a gate's two names); comment lines and a statement's continuation lines do not end it.
 */
final class Alignment {
    /** Spaces between the longest code of a group and its trailing comments. */
    static final int COMMENT_GAP = 3;

    private Alignment() {}

    static void equalsSigns(List<Line> lines) {
        List<Line> run = new ArrayList<>();
        int kind = 0;
        for (Line l : lines) {
            boolean ends = l.isBlank() || l.boundary || (l.startsStatement && l.equalsKind != kind);
            if (ends) {
                padEquals(run);
                run.clear();
                kind = 0;
            }
            if (l.startsStatement && l.equalsKind != 0) {
                kind = l.equalsKind;
                run.add(l);
            }
        }
        padEquals(run);
    }

    private static void padEquals(List<Line> run) {
        int at = 0;
        for (Line l : run) at = Math.max(at, l.equalsAt);
        for (Line l : run) l.code.insert(l.equalsAt, " ".repeat(at - l.equalsAt));
    }

    /** Per group of lines between blank lines and declaration edges, the trailing comments of one-line statements start in one column. */
    static void comments(List<Line> lines) {
        List<Line> group = new ArrayList<>();
        for (Line l : lines) {
            if (l.isBlank() || l.boundary) {
                padComments(group);
                group.clear();
            } else if (l.wholeStatement && l.comment != null) group.add(l);
        }
        padComments(group);
    }

    private static void padComments(List<Line> group) {
        int column = 0;
        for (Line l : group) column = Math.max(column, l.width());
        for (Line l : group) l.commentColumn = column + COMMENT_GAP;
    }
}
