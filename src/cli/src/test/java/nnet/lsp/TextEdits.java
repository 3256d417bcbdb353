package nnet.lsp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;

/** Applies the protocol's text edits to a text, as an editor does: positions are 0-based lines and UTF-16 columns, edits never overlap. */
final class TextEdits {
    private TextEdits() {}

    static String apply(String text, WorkspaceEdit edit, String uri) {
        return apply(text, edit.getChanges().get(uri));
    }

    static String apply(String text, List<? extends TextEdit> edits) {
        List<TextEdit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt((TextEdit e) -> offset(text, e.getRange().getStart())).reversed());
        StringBuilder sb = new StringBuilder(text);
        for (TextEdit e : sorted) sb.replace(offset(text, e.getRange().getStart()), offset(text, e.getRange().getEnd()), e.getNewText());
        return sb.toString();
    }

    static int offset(String text, Position p) {
        int line = 0, i = 0;
        while (line < p.getLine() && i < text.length()) if (text.charAt(i++) == '\n') line++;
        return Math.min(text.length(), i + p.getCharacter());
    }
}
