package nnet.lsp;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import nnet.ast.Ast;
import nnet.check.Symbols;
import nnet.ir.Param;

/**
 * What hovering over a name shows, in Markdown: a node's shape; for a statement with layers, its
 * weight count and how dense its connections are; the names of its units when they have names; for
 * a name in a block, that per call.
 */
final class HoverText {
    private HoverText() {}

    static Optional<String> at(DocumentIndex index, int line, int col) {
        return index.definitionAt(line, col).map(d -> describe(index, d));
    }

    private static String describe(DocumentIndex index, DocumentIndex.Definition d) {
        String name = d.name().name();
        return switch (d.kind()) {
            case NETWORK -> "network **" + name + "**\n\n" + networkWeights(index, d.owner()) + " weights";
            case BLOCK -> blockHeader((Ast.BlockDecl) d.owner()) + "\n\ncalled " + times(index.uses(d).size());
            case CONST, PARAMETER, INPUT, NODE -> values(d) + d.kind().name().toLowerCase(Locale.ROOT) + " in "
                    + ownerText(d.owner()) + weightsOf(d) + unitNamesOf(d);
        };
    }

    private static String ownerText(Ast.Decl owner) {
        if (owner instanceof Ast.NetworkDecl) return "network " + owner.name().name();
        if (owner instanceof Ast.BlockDecl) return "block " + owner.name().name();
        return "the file, visible in every network and block";
    }

    /** {@code h: [4]} in a code block; a name in a block has a line per call ({@code r1.h}, {@code r2.h}). */
    private static String values(DocumentIndex.Definition d) {
        if (d.bindings().isEmpty())
            return "**" + d.name().name() + "**: " + (d.owner() instanceof Ast.BlockDecl b ? "no shape yet: block " + b.name().name()
                    + " is never called with valid arguments, and a name in a block has a shape at each call" : "no value, because its statement has an error") + "\n\n";
        StringBuilder sb = new StringBuilder("```\n");
        for (Symbols.Binding b : d.bindings()) {
            sb.append(b.qualifiedName());
            if (b.shape() != null) sb.append(": ").append(b.shape());
            else if (b.number() != null) sb.append(" = ").append(number(b.number()));
            else sb.append(": no value, because of an error");
            sb.append('\n');
        }
        return sb.append("```\n").toString();
    }

    private static String weightsOf(DocumentIndex.Definition d) {
        StringBuilder sb = new StringBuilder();
        for (Symbols.Binding b : d.bindings())
            if (!b.weights().isEmpty())
                sb.append("\n\n").append(d.bindings().size() > 1 ? "`" + b.qualifiedName() + "`: " : "").append(weights(b.weights()));
        return sb.toString();
    }

    /** The first names of the units, when they have names (LANGUAGE.md §4, Names): {@code units: HERC2, BRCA2, ... (10 names)}. */
    private static String unitNamesOf(DocumentIndex.Definition d) {
        StringBuilder sb = new StringBuilder();
        for (Symbols.Binding b : d.bindings())
            if (b.unitNames() != null) {
                List<String> names = b.unitNames();
                sb.append("\n\n").append(d.bindings().size() > 1 ? "`" + b.qualifiedName() + "` " : "").append("units: ")
                        .append(String.join(", ", names.subList(0, Math.min(names.size(), HOVER_NAMES))))
                        .append(names.size() > HOVER_NAMES ? ", ..." : "").append(" (").append(names.size()).append(" names)");
            }
        return sb.toString();
    }

    /** Unit names a hover shows at most. */
    private static final int HOVER_NAMES = 10;

    /** The weights that exist (absent connections have none) and the fraction of the kernels' connections present. */
    static String weights(List<Param> params) {
        long present = 0, kernelPresent = 0, kernelAll = 0;
        StringBuilder each = new StringBuilder();
        for (Param p : params) {
            long n = p.count();
            present += n;
            if (!p.role().equals("bias")) {
                kernelPresent += n;
                kernelAll += p.shape().sizeLong();
            }
            each.append(each.length() == 0 ? "" : ", ").append(p.name()).append(' ').append(n);
        }
        String density = kernelAll == 0 ? "" : "; connection density " + percent(kernelPresent, kernelAll) + " (" + kernelPresent + " of " + kernelAll + " connections)";
        return present + " weights (" + each + ")" + density;
    }

    private static long networkWeights(DocumentIndex index, Ast.Decl network) {
        long total = 0;
        for (DocumentIndex.Definition d : index.definitions())
            if (d.owner() == network && d.kind() == DocumentIndex.Kind.NODE)
                for (Symbols.Binding b : d.bindings())
                    for (Param p : b.weights()) total += p.count();
        return total;
    }

    private static String blockHeader(Ast.BlockDecl b) {
        return "block **" + b.name().name() + "**(" + String.join(", ", b.params().stream().map(Ast.Ident::name).toList()) + ")";
    }

    private static String times(int n) {
        return n == 0 ? "nowhere yet" : n == 1 ? "once" : n + " times";
    }

    private static String percent(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
