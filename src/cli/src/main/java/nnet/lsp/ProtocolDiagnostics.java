package nnet.lsp;

import java.util.ArrayList;
import java.util.List;
import nnet.diag.Diagnostic;
import org.eclipse.lsp4j.DiagnosticRelatedInformation;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;

/** A document's diagnostics as the protocol publishes them: 0-based ranges, the stable key as the code, notes as related places. */
final class ProtocolDiagnostics {
    static final String SOURCE = "nnet";

    private ProtocolDiagnostics() {}

    static PublishDiagnosticsParams of(DocumentIndex index) {
        List<org.eclipse.lsp4j.Diagnostic> out = new ArrayList<>();
        if (index.notAnalysed != null) {
            Range start = new Range(new Position(0, 0), new Position(0, 0));
            out.add(diagnostic(start, index.notAnalysed, "server.unanalysed"));
        }
        for (Diagnostic d : index.diagnostics) out.add(of(index, d));
        return new PublishDiagnosticsParams(index.uri, out, index.version);
    }

    /** One of the checker's diagnostics as published; a quick fix names the one it fixes so. */
    static org.eclipse.lsp4j.Diagnostic of(DocumentIndex index, Diagnostic d) {
        org.eclipse.lsp4j.Diagnostic p = diagnostic(index.lines.range(d.span()), d.message(), d.code().key());
        if (!d.isError()) p.setSeverity(DiagnosticSeverity.Warning);
        if (!d.notes().isEmpty()) {
            List<DiagnosticRelatedInformation> related = new ArrayList<>();
            for (Diagnostic.Note n : d.notes())
                related.add(new DiagnosticRelatedInformation(new Location(index.uri, index.lines.range(n.span())), n.message()));
            p.setRelatedInformation(related);
        }
        return p;
    }

    private static org.eclipse.lsp4j.Diagnostic diagnostic(Range range, String message, String code) {
        org.eclipse.lsp4j.Diagnostic d = new org.eclipse.lsp4j.Diagnostic(range, message, DiagnosticSeverity.Error, SOURCE);
        d.setCode(code);
        return d;
    }
}
