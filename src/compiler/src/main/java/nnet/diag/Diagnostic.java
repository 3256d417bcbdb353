package nnet.diag;

import java.util.List;

/**
 * One finding in a source file. {@code code} is a stable key that tests and tools match on;
 * {@code message} is the human sentence (what was expected, what was found); {@code notes} are
 * further places, such as the call site of a block whose body holds the error; {@code fixes} are
 * changes of the text that would fix it, where the checker knows one. An error stops the file from
 * compiling; a warning names a likely mistake in a file that compiles.
 */
public record Diagnostic(DiagCode code, Span span, String message, List<Note> notes, Severity severity, List<Fix> fixes) {
    public enum Severity {
        ERROR, WARNING;

        /** As printed: {@code error}, {@code warning}. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record Note(Span span, String message) {}

    public Diagnostic(DiagCode code, Span span, String message) {
        this(code, span, message, List.of(), Severity.ERROR);
    }

    public Diagnostic(DiagCode code, Span span, String message, List<Note> notes) {
        this(code, span, message, notes, Severity.ERROR);
    }

    public Diagnostic(DiagCode code, Span span, String message, List<Note> notes, Severity severity) {
        this(code, span, message, notes, severity, List.of());
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /**
     * {@code file:line:col: error: message} (LANGUAGE.md §9; the code is in {@code --json}), then one
     * indented line per note. A problem with the file as a whole (it cannot be read) has no line:
     * {@code file: error: message}.
     */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(span.line() < 1 ? span.file() : span.toString()).append(": ").append(severity.word()).append(": ").append(message);
        for (Note n : notes) sb.append("\n  ").append(n.span()).append(": note: ").append(n.message());
        return sb.toString();
    }
}
