package nnet.lsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import nnet.ast.Ast;
import nnet.check.Vocabulary;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.ParameterInformation;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.SignatureInformation;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Tuple;

/**
 * The parameters of the layer or block call the cursor is in: the positional ones in order, then
 * those given by name with the values they allow ({@code pad: valid | same}, {@code connect:} a
 * pattern), the cursor's one active. Read from the checker's signatures, so what it shows is what
 * the checker binds.
 */
final class SignatureHelp {
    private SignatureHelp() {}

    static org.eclipse.lsp4j.SignatureHelp at(DocumentIndex index, Position p) {
        CallContext call = CallContext.before(index.text.substring(0, index.lines.offset(p)));
        if (call == null) return null;
        Optional<Vocabulary.Signature> builtIn = Vocabulary.signature(call.callee());
        Optional<Ast.BlockDecl> block = index.ast.decls().stream().filter(d -> d instanceof Ast.BlockDecl && d.name().name().equals(call.callee()))
                .map(d -> (Ast.BlockDecl) d).findFirst();
        Vocabulary.Signature sig = block.map(b -> new Vocabulary.Signature(b.params().stream().map(Ast.Ident::name).toList(), b.params().size(), List.<String>of()))
                .or(() -> builtIn).orElse(null);
        if (sig == null) return null;
        StringBuilder label = new StringBuilder(call.callee()).append('(');
        List<ParameterInformation> params = new ArrayList<>();
        List<String> all = new ArrayList<>(sig.positional());
        all.addAll(sig.named());
        for (int i = 0; i < all.size(); i++) {
            if (i > 0) label.append(", ");
            boolean named = i >= sig.positional().size();
            String text = named ? all.get(i) + ": " + values(all.get(i)) : i >= sig.required() ? all.get(i) + "?" : all.get(i);
            int start = label.length();
            label.append(text);
            ParameterInformation info = new ParameterInformation();
            info.setLabel(Either.forRight(Tuple.two(start, label.length())));
            if (named) info.setDocumentation(new MarkupContent(MarkupKind.MARKDOWN, "given by name: `" + all.get(i) + ": ...`"));
            params.add(info);
        }
        label.append(')');
        SignatureInformation information = new SignatureInformation(label.toString());
        information.setParameters(params);
        information.setDocumentation(new MarkupContent(MarkupKind.MARKDOWN, block.isPresent() ? "block " + call.callee() + ", expanded at each call"
                : "positional arguments first (those with ? may be left out), then named ones"));
        org.eclipse.lsp4j.SignatureHelp help = new org.eclipse.lsp4j.SignatureHelp(List.of(information), 0, active(sig, call));
        return help;
    }

    /** The parameter the cursor's argument binds: by its name, else by its place (the last of a variadic call's). */
    private static int active(Vocabulary.Signature sig, CallContext call) {
        if (call.named() != null) {
            int positional = sig.positional().indexOf(call.named());
            if (positional >= 0) return positional;
            int named = sig.named().indexOf(call.named());
            return named >= 0 ? sig.positional().size() + named : -1;
        }
        boolean variadic = !sig.positional().isEmpty() && sig.positional().get(sig.positional().size() - 1).endsWith("...");
        if (call.argument() < sig.positional().size()) return call.argument();
        return variadic ? sig.positional().size() - 1 : -1;
    }

    /** What a named argument takes: its words joined by |, a pattern, or a value. */
    private static String values(String argument) {
        if (ArgumentValues.takesPattern(argument)) return "pattern";
        List<String> words = ArgumentValues.WORDS.get(argument);
        return words == null ? "value" : String.join(" | ", words);
    }
}
