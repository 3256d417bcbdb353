package nnet.lsp;

import java.util.ArrayList;
import java.util.List;
import nnet.diag.Span;
import org.eclipse.lsp4j.Location;

/** Go-to-definition and find-references for the names of nodes, inputs, consts, parameters and blocks. */
final class Navigation {
    private Navigation() {}

    /** Where the name at a 1-based place is defined; empty when no name is there. */
    static List<Location> definition(DocumentIndex index, int line, int col) {
        return index.definitionAt(line, col).map(d -> List.of(location(index, d.name().span()))).orElse(List.of());
    }

    /** Every use of the name at a place, and its definition first when the client asks for it. */
    static List<Location> references(DocumentIndex index, int line, int col, boolean includeDeclaration) {
        return index.definitionAt(line, col).map(d -> {
            List<Location> found = new ArrayList<>();
            if (includeDeclaration) found.add(location(index, d.name().span()));
            for (Span use : index.uses(d)) found.add(location(index, use));
            return found;
        }).orElse(List.of());
    }

    private static Location location(DocumentIndex index, Span s) {
        return new Location(index.uri, index.lines.range(s));
    }
}
