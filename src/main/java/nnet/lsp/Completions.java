package nnet.lsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
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
 * earlier in the same network or block, and the blocks of the file.
 */
final class Completions {
    /** {@code connect: }, {@code init: }: the cursor is on the value of a named argument. */
    private static final Pattern NAMED_VALUE = Pattern.compile("([A-Za-z_]\\w*)\\s*:\\s*$");
    /** {@code loss }, {@code loss y: }: the cursor is on a loss kind. */
    private static final Pattern LOSS_KIND = Pattern.compile("(^|\\n)\\s*loss\\s+(\\w+\\s*:\\s*)?$");
    private static final Pattern WORD_BEFORE = Pattern.compile("[A-Za-z_0-9]*$");
    private static final Pattern NAME_BEFORE = Pattern.compile("([A-Za-z_]\\w*)\\s*$");
    /** Only whitespace since the last line break or brace: a statement starts here. */
    private static final Pattern STATEMENT_START = Pattern.compile("(^|[\\n{;])[ \\t]*$");
    private static final List<String> STATEMENT_KEYWORDS = List.of("input", "const", "output", "loss", "train", "return");
    private static final List<String> DECLARATION_KEYWORDS = List.of("network", "block");
    /** Words that stand as the value of a named argument (LANGUAGE.md §3, §6); patterns come from the checker. */
    private static final Map<String, List<String>> ARGUMENT_WORDS = Map.of(
            "init", List.of("glorot", "he", "zeros", "normal", "uniform"),
            "pad", List.of("valid", "same"),
            "bias", List.of("true", "false", "fixed", "init", "mask"),
            "weights", List.of("fixed", "init"),
            "sequences", List.of("true", "false"));

    private Completions() {}

    static List<CompletionItem> at(DocumentIndex index, Position p) {
        String before = index.text.substring(0, index.lines.offset(p));
        Matcher word = WORD_BEFORE.matcher(before);
        String head = before.substring(0, word.find() ? word.start() : before.length());
        int[] place = index.lines.lineAndColumn(p);
        List<CompletionItem> items = new ArrayList<>();

        if (LOSS_KIND.matcher(head).find()) {
            Vocabulary.losses().forEach(l -> items.add(item(l, CompletionItemKind.EnumMember, "loss")));
            return items;
        }
        Matcher named = NAMED_VALUE.matcher(head);
        if (named.find()) {
            String arg = named.group(1);
            if (arg.equals("connect") || arg.equals("recurrent") || arg.equals("freeze"))
                Vocabulary.patterns().forEach(w -> items.add(item(w, CompletionItemKind.EnumMember, "connectivity pattern")));
            else ARGUMENT_WORDS.getOrDefault(arg, List.of()).forEach(w -> items.add(item(w, CompletionItemKind.EnumMember, arg + ":")));
            namesInScope(index, place, items);
            return items;
        }
        Optional<Ast.Decl> decl = index.declAt(place[0], place[1]);
        if (STATEMENT_START.matcher(head).find()) {
            (decl.isPresent() && insideBraces(head) ? STATEMENT_KEYWORDS : DECLARATION_KEYWORDS)
                    .forEach(k -> items.add(item(k, CompletionItemKind.Keyword, "keyword")));
            return items;
        }
        String callee = enclosingCallee(head);
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

    /** The name before the innermost '(' still open at the end of {@code head}, if it is a call's. */
    private static String enclosingCallee(String head) {
        int depth = 0;
        for (int i = head.length() - 1; i >= 0; i--) {
            char c = head.charAt(i);
            if (c == ')' || c == ']') depth++;
            else if (c == '[') depth = Math.max(0, depth - 1);
            else if (c == '(') {
                if (depth > 0) {
                    depth--;
                    continue;
                }
                Matcher m = NAME_BEFORE.matcher(head.substring(0, i));
                return m.find() ? m.group(1) : null;
            } else if (c == '{' || c == '}') return null;
        }
        return null;
    }

    private static CompletionItem item(String label, CompletionItemKind kind, String detail) {
        CompletionItem it = new CompletionItem(label);
        it.setKind(kind);
        it.setDetail(detail);
        return it;
    }
}
