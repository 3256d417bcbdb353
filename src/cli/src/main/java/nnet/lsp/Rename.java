package nnet.lsp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import nnet.ast.Ast;
import nnet.check.Vocabulary;
import nnet.diag.Span;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * Renames a node, input, const, block or block parameter with every use the checker resolved. A new
 * name must be a name the grammar reads as one, not a word the language gives a meaning to, and not
 * one already visible where the renamed name is: the file's consts and blocks everywhere, and the
 * other names of its network or block. A file with syntax errors is not renamed: what did not parse
 * may hold uses the checker never saw.
 */
final class Rename {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> KEYWORDS = Set.of("network", "block", "const", "input", "output", "loss", "train", "return");

    private Rename() {}

    /** The range of the name at a place, when it can be renamed. */
    static Optional<Range> prepare(DocumentIndex index, int line, int col) {
        return renamable(index, line, col).map(d -> index.lines.range(usedAt(index, d, line, col)));
    }

    static WorkspaceEdit rename(DocumentIndex index, int line, int col, String newName) {
        DocumentIndex.Definition d = renamable(index, line, col).orElseThrow(() -> refused("there is no node, input, const, block or parameter here to rename"));
        if (index.diagnostics.stream().anyMatch(x -> x.code().key().startsWith("syntax.")))
            throw refused("the file has syntax errors; fix them first, as what does not parse may use the name");
        if (newName == null || !NAME.matcher(newName).matches()) throw refused("'" + newName + "' is not a name (a letter or _, then letters, digits and _)");
        if (KEYWORDS.contains(newName) || builtIn().contains(newName)) throw refused("'" + newName + "' is a word of the language");
        if (!newName.equals(d.name().name()) && visibleNames(index, d).contains(newName)) throw refused("'" + newName + "' is already defined where " + d.name().name() + " is visible");
        List<TextEdit> edits = new ArrayList<>();
        edits.add(new TextEdit(index.lines.range(d.name().span()), newName));
        for (Span use : index.uses(d)) edits.add(new TextEdit(index.lines.range(use), newName));
        return new WorkspaceEdit(Map.of(index.uri, edits));
    }

    private static Optional<DocumentIndex.Definition> renamable(DocumentIndex index, int line, int col) {
        return index.definitionAt(line, col).filter(d -> d.kind() != DocumentIndex.Kind.NETWORK);
    }

    /** The identifier under the cursor: the definition or the use it is on. */
    private static Span usedAt(DocumentIndex index, DocumentIndex.Definition d, int line, int col) {
        for (Span s : index.uses(d)) if (s.line() == line && col >= s.col() && col <= s.col() + s.length()) return s;
        return d.name().span();
    }

    /** Names that would clash with the renamed one: every name of the file for a file-level const or a block, else the consts, blocks and its owner's names. */
    private static Set<String> visibleNames(DocumentIndex index, DocumentIndex.Definition renamed) {
        boolean everywhere = renamed.owner() instanceof Ast.ConstDecl || renamed.kind() == DocumentIndex.Kind.BLOCK;
        Set<String> names = new HashSet<>();
        for (DocumentIndex.Definition d : index.definitions()) {
            boolean fileLevel = d.owner() instanceof Ast.ConstDecl || d.kind() == DocumentIndex.Kind.BLOCK || d.kind() == DocumentIndex.Kind.NETWORK;
            if (everywhere || fileLevel || d.owner() == renamed.owner()) names.add(d.name().name());
        }
        return names;
    }

    private static Set<String> builtIn() {
        Set<String> words = new HashSet<>(Vocabulary.layers());
        words.addAll(Vocabulary.activations());
        words.addAll(Vocabulary.patterns());
        words.addAll(Vocabulary.losses());
        ArgumentValues.WORDS.values().forEach(words::addAll);
        return words;
    }

    private static ResponseErrorException refused(String why) {
        return new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams, "cannot rename: " + why, null));
    }
}
