package nnet.diag;

/**
 * A place in a source file: 1-based line and column, and the length of the text it covers.
 * Every diagnostic and every AST node carries one, so errors and stack traces point at the user's file.
 */
public record Span(String file, int line, int col, int length) {
    public static final Span NONE = new Span("<none>", 0, 0, 0);

    @Override
    public String toString() {
        return file + ":" + line + ":" + col;
    }
}
