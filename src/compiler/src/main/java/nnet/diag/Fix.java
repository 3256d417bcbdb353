package nnet.diag;

/**
 * A change that fixes a diagnostic, as the checker knows it (clang's fix-it hints, rustc's
 * suggestions): the text at {@code span} becomes {@code replacement}. Editors offer it as a quick
 * fix (the language server's code actions); {@code title} says what it does ("Change to 'dense'").
 */
public record Fix(String title, Span span, String replacement) {}
