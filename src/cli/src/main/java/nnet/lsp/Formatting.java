package nnet.lsp;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import java.util.ArrayList;
import java.util.List;
import nnet.format.Formatter;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * {@code textDocument/formatting}: the engine of {@code nnetc fmt}, its result sent as the lines
 * that change (a diff of lines), so the editor keeps the cursor and the undo history small.
 */
final class Formatting {
    private Formatting() {}

    static List<TextEdit> of(DocumentIndex index) {
        Formatter.Result r = Formatter.format(index.uri, index.text);
        if (!r.ok())
            throw new ResponseErrorException(new ResponseError(ResponseErrorCode.RequestFailed,
                    "cannot format: the file has syntax errors (" + r.errors().get(0).format() + ")", null));
        List<String> before = lines(index.text), after = lines(r.text());
        int[] starts = new int[before.size() + 1];
        for (int i = 0; i < before.size(); i++) starts[i + 1] = starts[i] + before.get(i).length();
        List<TextEdit> edits = new ArrayList<>();
        for (AbstractDelta<String> d : DiffUtils.diff(before, after).getDeltas()) {
            int from = d.getSource().getPosition(), to = from + d.getSource().size();
            Range range = new Range(index.lines.position(starts[from]), index.lines.position(starts[to]));
            edits.add(new TextEdit(range, String.join("", d.getTarget().getLines())));
        }
        return edits;
    }

    /** The text cut after each '\n', line ends kept, so joining the pieces gives it back. */
    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++)
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        if (start < text.length()) out.add(text.substring(start));
        return out;
    }
}
