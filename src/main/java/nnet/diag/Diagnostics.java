package nnet.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every independent error of a compilation; phases report here instead of throwing. */
public final class Diagnostics {
    private final List<Diagnostic> list = new ArrayList<>();

    public void error(DiagCode code, Span span, String message) {
        list.add(new Diagnostic(code, span, message));
    }

    public void add(Diagnostic d) {
        list.add(d);
    }

    public boolean hasErrors() {
        return !list.isEmpty();
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
}
