package nnet.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every independent finding of a compilation; phases report here instead of throwing. */
public final class Diagnostics {
    private final List<Diagnostic> list = new ArrayList<>();

    public void error(DiagCode code, Span span, String message) {
        list.add(new Diagnostic(code, span, message));
    }

    public void warning(DiagCode code, Span span, String message) {
        list.add(new Diagnostic(code, span, message, List.of(), Diagnostic.Severity.WARNING));
    }

    public void add(Diagnostic d) {
        list.add(d);
    }

    /** Whether any finding is an error (warnings do not stop a compilation). */
    public boolean hasErrors() {
        return list.stream().anyMatch(Diagnostic::isError);
    }

    public int count() {
        return list.size();
    }

    /** In source order, so output reads like the file. */
    public List<Diagnostic> sorted() {
        List<Diagnostic> copy = new ArrayList<>(list);
        copy.sort(Comparator.comparing((Diagnostic d) -> d.span().file())
                .thenComparingInt(d -> d.span().line())
                .thenComparingInt(d -> d.span().col()));
        return copy;
    }

    /** {@code 2 errors, 1 warning}: the last line of {@code nnetc check}'s report; empty when there is nothing. */
    public static String summary(List<Diagnostic> ds) {
        long errors = ds.stream().filter(Diagnostic::isError).count(), warnings = ds.size() - errors;
        List<String> parts = new ArrayList<>();
        if (errors > 0) parts.add(errors + (errors == 1 ? " error" : " errors"));
        if (warnings > 0) parts.add(warnings + (warnings == 1 ? " warning" : " warnings"));
        return String.join(", ", parts);
    }
}
