package nnet.diag;

import java.util.List;

/**
 * One error found in a source file. {@code code} is a stable key that tests and tools match on;
 * {@code message} is the human sentence (what was expected, what was found); {@code notes} are
 * further places, such as the call site of a block whose body holds the error.
 */
public record Diagnostic(DiagCode code, Span span, String message, List<Note> notes) {
    public record Note(Span span, String message) {}

    public Diagnostic(DiagCode code, Span span, String message) {
        this(code, span, message, List.of());
    }

    /** {@code file:line:col: error: message} (LANGUAGE.md §9; the code is in {@code --json}), then one indented line per note. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(span).append(": error: ").append(message);
        for (Note n : notes) sb.append("\n  ").append(n.span()).append(": note: ").append(n.message());
        return sb.toString();
    }
}
