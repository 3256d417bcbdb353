package nnet.diag;

import java.util.List;

/** Thrown at a phase boundary when earlier phases reported errors; carries them all. */
public final class CompileError extends RuntimeException {
    private final List<Diagnostic> diagnostics;

    public CompileError(List<Diagnostic> diagnostics) {
        super(diagnostics.isEmpty() ? "compilation failed" : diagnostics.get(0).format());
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
