package nnet.format;

/** One line of formatted output before alignment: its nesting level, its code, and a trailing comment kept apart so it can be lined up. */
final class Line {
    static final Line BLANK = new Line(0);

    final int level;
    final StringBuilder code = new StringBuilder();
    /** A {@code //} comment after the code, or null. */
    String comment;
    /** The line starts a statement. */
    boolean startsStatement;
    /** The line holds a whole statement, start to end: its trailing comment lines up with its neighbours'. */
    boolean wholeStatement;
    /** The line ends in a body's opening brace (and perhaps a comment): nothing else follows on it. */
    boolean opensBody;
    /** A declaration's header or its closing brace: no alignment runs across it. */
    boolean boundary;
    /** The column its trailing comment starts in when lined up with others, else 0. */
    int commentColumn;
    /** {@link TokenRoles#BINDING_EQUALS} or {@link TokenRoles#CONST_EQUALS} when the line's statement has an '=' to line up, else 0. */
    int equalsKind;
    /** Where in {@link #code} the space before that '=' goes. */
    int equalsAt;

    Line(int level) {
        this.level = level;
    }

    boolean isBlank() {
        return this == BLANK;
    }

    /** Columns the line's code takes, indentation included; a block comment over several lines counts from its last line. */
    int width() {
        int nl = code.lastIndexOf("\n");
        return nl >= 0 ? code.length() - nl - 1 : Formatter.INDENT.length() * level + code.length();
    }
}
