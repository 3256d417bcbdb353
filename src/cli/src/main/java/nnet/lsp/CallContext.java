package nnet.lsp;

import java.util.function.IntPredicate;

/**
 * The call the cursor is inside, read backwards from the cursor through the text (a half-typed call
 * does not parse): its callee, how many arguments come before the cursor's, and the name of the
 * cursor's argument when it is a named one ({@code connect: }). Linear in the text it reads.
 *
 * @param callee   the name before the innermost '(' still open
 * @param argument the 0-based index of the argument the cursor is in
 * @param named    that argument's name when it is written {@code name: ...}, else null
 */
record CallContext(String callee, int argument, String named) {
    /** The call around the end of {@code head}, or null outside any call (or in a body's braces). */
    static CallContext before(String head) {
        int depth = 0, commas = 0, argumentStart = head.length();
        for (int i = head.length() - 1; i >= 0; i--) {
            char c = head.charAt(i);
            if (c == ')' || c == ']') depth++;
            else if (c == '[') depth = Math.max(0, depth - 1);
            else if (c == ',' && depth == 0) {
                if (commas++ == 0) argumentStart = i + 1;
            } else if (c == '(') {
                if (depth > 0) {
                    depth--;
                    continue;
                }
                String callee = nameEndingAt(head, skipBack(head, i, Character::isWhitespace));
                if (callee == null) return null;
                if (commas == 0) argumentStart = i + 1;
                return new CallContext(callee, commas, namedArgument(head.substring(argumentStart)));
            } else if (c == '{' || c == '}') return null;
        }
        return null;
    }

    /** {@code name:} at the start of an argument's text. */
    private static String namedArgument(String argument) {
        int start = skipForward(argument, 0, Character::isWhitespace), end = skipForward(argument, start, CallContext::isWordChar);
        int colon = skipForward(argument, end, Character::isWhitespace);
        return end > start && colon < argument.length() && argument.charAt(colon) == ':' ? argument.substring(start, end) : null;
    }

    /** The identifier that ends at {@code end} in {@code s}, or null when none does. */
    static String nameEndingAt(String s, int end) {
        int start = skipBack(s, end, CallContext::isWordChar);
        return start < end && (Character.isLetter(s.charAt(start)) || s.charAt(start) == '_') ? s.substring(start, end) : null;
    }

    /** The offset before the run of characters matching {@code p} that ends at {@code end}. */
    static int skipBack(String s, int end, IntPredicate p) {
        int i = end;
        while (i > 0 && p.test(s.charAt(i - 1))) i--;
        return i;
    }

    private static int skipForward(String s, int from, IntPredicate p) {
        int i = from;
        while (i < s.length() && p.test(s.charAt(i))) i++;
        return i;
    }

    static boolean isWordChar(int c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_');
    }
}
