package nnet.lsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import nnet.diag.Span;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.junit.jupiter.api.Test;

/** The compiler counts columns in code points from 1, the protocol in UTF-16 units from 0. */
class LineMapTest {
    @Test
    void asciiColumnsShiftByOne() {
        LineMap m = new LineMap("network N {\n  input x[2]\n}\n");
        assertEquals(new Range(new Position(1, 8), new Position(1, 9)), m.range(new Span("f", 2, 9, 1)));
        assertArrayEquals(new int[] {2, 9}, m.lineAndColumn(new Position(1, 8)));
    }

    @Test
    void aCharacterOutsideTheBmpIsTwoUnitsInTheProtocol() {
        // "// 🙂 " is 6 code points but 7 UTF-16 units before 'x'
        LineMap m = new LineMap("// 🙂 x\ny");
        assertEquals(new Range(new Position(0, 6), new Position(0, 7)), m.range(new Span("f", 1, 6, 1)));
        assertArrayEquals(new int[] {1, 6}, m.lineAndColumn(new Position(0, 6)));
        assertEquals(new Range(new Position(1, 0), new Position(1, 1)), m.range(new Span("f", 2, 1, 1)));
    }

    @Test
    void aSpanOverSeveralLinesEndsOnItsLastLine() {
        LineMap m = new LineMap("block b(x) {\r\n  return x\r\n}\r\n");
        // a block's span starts at 'block' and covers its text up to the closing brace (27 characters with \r\n)
        assertEquals(new Range(new Position(0, 0), new Position(2, 1)), m.range(new Span("f", 1, 1, 27)));
    }

    @Test
    void placesOutsideTheTextAreClamped() {
        LineMap m = new LineMap("ab\r\ncd");
        assertArrayEquals(new int[] {1, 3}, m.lineAndColumn(new Position(0, 99)), "the end of line 1, before \\r\\n");
        assertArrayEquals(new int[] {2, 1}, m.lineAndColumn(new Position(7, 0)), "the last line");
        assertEquals(new Range(new Position(0, 0), new Position(0, 0)), m.range(Span.NONE));
    }
}
