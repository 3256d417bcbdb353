package nnet.lsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import nnet.ast.Ast;
import nnet.check.Symbols;
import nnet.check.Vocabulary;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;
import org.eclipse.lsp4j.Position;

/**
 * What may be typed at a place. The text before the cursor decides the context (a half-typed line
 * does not parse, so the syntax tree cannot); the index supplies the names in scope: those defined
 * earlier in the same network or block, and the blocks of the file. The context is read backwards
 * from the cursor, a character at a time: regular expressions searching for "...$" retried from
 * every position of a long word, and a 40,000-digit number made each completion take seconds.
 */
final class Completions {
    /** {@code loss }, {@code loss y: } on the cursor's line: the cursor is on a loss kind. Anchored, so linear. */
    private static final Pattern LOSS_KIND = Pattern.compile("\\s*loss\\s+(\\w+\\s*:\\s*)?");
    private static final List<String> STATEMENT_KEYWORDS = List.of("input", "const", "output", "loss", "train", "return");
    private static final List<String> DECLARATION_KEYWORDS = List.of("network", "block");
    private Completions() {}

    static List<CompletionItem> at(DocumentIndex index, Position p) {
        String text = index.text;
        // the text before the word being typed
        int end = CallContext.skipBack(text, index.lines.offset(p), CallContext::isWordChar);
        String head = text.substring(0, end);
        int[] place = index.lines.lineAndColumn(p);
        List<CompletionItem> items = new ArrayList<>();

        if (LOSS_KIND.matcher(head.substring(head.lastIndexOf('\n') + 1)).matches()) {
            Vocabulary.losses().forEach(l -> items.add(item(l, CompletionItemKind.EnumMember, "loss")));
            return items;
        }
        String arg = namedArgumentBefore(head);
        if (arg != null) {
            if (ArgumentValues.takesPattern(arg))
                Vocabulary.patterns().forEach(w -> items.add(item(w, CompletionItemKind.EnumMember, "connectivity pattern")));
            else ArgumentValues.WORDS.getOrDefault(arg, List.of()).forEach(w -> items.add(item(w, CompletionItemKind.EnumMember, arg + ":")));
            namesInScope(index, place, items);
            return items;
        }
        Optional<Ast.Decl> decl = index.declAt(place[0], place[1]);
        if (startsStatement(head)) {
            (decl.isPresent() && insideBraces(head) ? STATEMENT_KEYWORDS : DECLARATION_KEYWORDS)
                    .forEach(k -> items.add(item(k, CompletionItemKind.Keyword, "keyword")));
            return items;
        }
        CallContext call = CallContext.before(head);
        String callee = call == null ? null : call.callee();
        if (callee != null) {
            for (String a : Vocabulary.namedArguments(callee)) {
                CompletionItem it = item(a + ":", CompletionItemKind.Property, "argument of " + callee);
                it.setInsertText(a + ": ");
                items.add(it);
            }
        }
        Vocabulary.layers().forEach(l -> items.add(item(l, CompletionItemKind.Function, "layer")));
        Vocabulary.activations().forEach(a -> items.add(item(a, CompletionItemKind.Function, "activation")));
        namesInScope(index, place, items);
        return items;
    }

    /** Blocks of the file, and the names defined on earlier lines of the cursor's network or block. */
    private static void namesInScope(DocumentIndex index, int[] place, List<CompletionItem> items) {
        Optional<Ast.Decl> decl = index.declAt(place[0], place[1]);
        for (DocumentIndex.Definition d : index.definitions()) {
            if (d.kind() == DocumentIndex.Kind.BLOCK) items.add(item(d.name().name(), CompletionItemKind.Function, "block"));
            else if (d.owner() instanceof Ast.ConstDecl) items.add(item(d.name().name(), CompletionItemKind.Constant, detail(d))); // visible everywhere
            else if (d.kind() != DocumentIndex.Kind.NETWORK && decl.isPresent() && d.owner() == decl.get()
                    && d.name().span().line() < place[0]) // not the statement being typed, which binds its name only once complete
                items.add(item(d.name().name(), d.kind() == DocumentIndex.Kind.CONST ? CompletionItemKind.Constant : CompletionItemKind.Variable, detail(d)));
        }
    }

    private static String detail(DocumentIndex.Definition d) {
        String kind = d.kind().name().toLowerCase(Locale.ROOT);
        if (d.bindings().isEmpty()) return kind;
        Symbols.Binding b = d.bindings().get(0);
        return b.shape() != null ? kind + " " + b.shape() : b.number() != null ? kind + " = " + b.number() : kind;
    }

    /** Whether the text ends inside an unclosed '{' (a network or block body). */
    private static boolean insideBraces(String head) {
        int depth = 0;
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            if (c == '{') depth++;
            else if (c == '}') depth = Math.max(0, depth - 1);
        }
        return depth > 0;
    }

    /** {@code connect: }, {@code init: }: the argument whose value the cursor is on, or null. */
    private static String namedArgumentBefore(String head) {
        int colon = CallContext.skipBack(head, head.length(), Character::isWhitespace) - 1;
        if (colon < 0 || head.charAt(colon) != ':') return null;
        return CallContext.nameEndingAt(head, CallContext.skipBack(head, colon, Character::isWhitespace));
    }

    /** Only spaces and tabs since the last line break, brace or semicolon: a statement starts here. */
    private static boolean startsStatement(String head) {
        int at = CallContext.skipBack(head, head.length(), c -> c == ' ' || c == '\t');
        return at == 0 || "\n{;".indexOf(head.charAt(at - 1)) >= 0;
    }

    private static CompletionItem item(String label, CompletionItemKind kind, String detail) {
        CompletionItem it = new CompletionItem(label);
        it.setKind(kind);
        it.setDetail(detail);
        return it;
    }
}
