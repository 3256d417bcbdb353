package nnet.lower;

import nnet.diag.Span;

/** An op the code generator cannot emit yet; checking and the interpreter still handle it. */
public final class UnsupportedOpException extends RuntimeException {
    private final Span span;

    public UnsupportedOpException(Span span, String message) {
        super(message);
        this.span = span;
    }

    public Span span() {
        return span;
    }
}
