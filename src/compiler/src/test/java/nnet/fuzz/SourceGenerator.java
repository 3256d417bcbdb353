package nnet.fuzz;

import java.util.List;

/**
 * Writes random {@code .nnet} text that follows the grammar's shape (declarations, statements,
 * calls, patterns, literals) without caring whether it means anything: names from a small pool
 * (bound or not), layers with wrong arguments, extreme numbers, deep nesting, and then a few
 * character-level mutations, so the parser's recovery is exercised too.
 */
final class SourceGenerator {
    private static final List<String> NAMES = List.of("x", "h", "y", "g", "N", "img", "seq", "relu", "dense", "mask", "full", "r1", "b", "missing", "output");
    private static final List<String> CALLEES = List.of("dense", "conv2d", "maxpool", "avgpool", "lstm", "flatten", "reshape", "concat", "gate",
            "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "gelu", "linear", "band", "blocks", "local", "random", "normal", "uniform", "b", "nope");
    private static final List<String> ARG_NAMES = List.of("connect", "weights", "bias", "freeze", "init", "stride", "pad", "sequences", "recurrent", "axis", "seed", "lr", "nope");
    private static final List<String> NUMBERS = List.of("0", "1", "2", "3", "4", "-1", "0.5", "1e3", "2147483647", "2147483648", "9223372036854775808",
            "1e400", "0.0000001", "64", "100000", "46341");
    private static final List<String> TAGS = List.of("mask", "fixed", "init", "edges", "weird");
    private static final List<String> LOSSES = List.of("mse", "binary_cross_entropy", "cross_entropy", "mae");
    private static final List<String> NOISE = List.of("\u0000", "\uFEFF", "\u00A0", "\uFFFD", "$", "\"", "(", ")", "[", "]", "{", "}", ",", "\n", "//", "/*", "->", "..", "é", "\uD83D\uDE00");

    private final Choices c;
    private final StringBuilder out = new StringBuilder();

    private SourceGenerator(Choices c) {
        this.c = c;
    }

    static String generate(Choices c) {
        SourceGenerator g = new SourceGenerator(c);
        int decls = c.between(1, 4);
        for (int i = 0; i < decls; i++) g.decl();
        return g.mutate(g.out.toString());
    }

    private void decl() {
        switch (c.below(4)) {
            case 0 -> {
                out.append("block b(").append(c.chance(80) ? "x" : "").append(c.chance(50) ? ", n" : "").append(") {\n");
                body(true);
                out.append("}\n");
            }
            case 1 -> out.append("const ").append(c.oneOf(NAMES)).append(" = ").append(expr(2)).append("\n");
            default -> {
                out.append("network N").append(c.below(3)).append(" {\n");
                body(false);
                out.append("}\n");
            }
        }
    }

    private void body(boolean block) {
        int n = c.between(0, 8);
        for (int i = 0; i < n; i++) {
            out.append("  ");
            switch (c.below(8)) {
                case 0 -> out.append("input ").append(c.oneOf(NAMES)).append('[').append(list(2, 3, false)).append(']');
                case 1 -> out.append("output ").append(c.oneOf(NAMES)).append(c.chance(30) ? ", " + c.oneOf(NAMES) : "");
                case 2 -> out.append("loss ").append(c.chance(40) ? c.oneOf(NAMES) + ": " : "").append(c.oneOf(LOSSES));
                case 3 -> out.append("train { ").append(args(2)).append(" }");
                case 4 -> out.append("const ").append(c.oneOf(NAMES)).append(" = ").append(expr(2));
                case 5 -> out.append("return ").append(expr(3));
                default -> out.append(c.oneOf(NAMES)).append(c.chance(20) ? ", " + c.oneOf(NAMES) : "").append(" = ").append(expr(4));
            }
            out.append(c.chance(10) ? ";" : "").append("\n");
        }
        if (block && c.chance(70)) out.append("  return ").append(expr(3)).append("\n");
    }

    private String expr(int depth) {
        int kind = depth <= 0 ? c.below(3) : c.below(10);
        return switch (kind) {
            case 0 -> c.oneOf(NUMBERS);
            case 1 -> c.oneOf(NAMES);
            case 2 -> c.chance(50) ? "\"conn.csv\"" : "\"" + c.oneOf(NAMES) + "\\n\"";
            case 3, 4 -> c.oneOf(CALLEES) + "(" + args(depth - 1) + ")";
            case 5 -> expr(depth - 1) + " " + c.oneOf(List.of("+", "-", "*", "/", "|", "&", "->", "..")) + " " + expr(depth - 1);
            case 6 -> "-" + expr(depth - 1);
            case 7 -> c.oneOf(TAGS) + " " + (c.chance(80) ? "[" + list(depth - 1, 4, true) + "]" : "\"conn.csv\"");
            case 8 -> "[" + list(depth - 1, 4, true) + "]";
            default -> "(".repeat(c.between(1, 3)) + expr(depth - 1) + ")".repeat(c.between(1, 3));
        };
    }

    private String list(int depth, int max, boolean nested) {
        StringBuilder sb = new StringBuilder();
        int n = c.between(0, max);
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(nested && c.chance(40) ? "[" + list(depth - 1, max, false) + "]" : expr(Math.min(depth, 1)));
        }
        return sb.toString();
    }

    private String args(int depth) {
        StringBuilder sb = new StringBuilder();
        int n = c.between(0, 4);
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            if (c.chance(40)) sb.append(c.oneOf(ARG_NAMES)).append(": ");
            sb.append(expr(depth));
        }
        return sb.toString();
    }

    /** Up to three edits at random places: a character deleted, a troublesome one inserted, a stretch repeated. */
    private String mutate(String text) {
        StringBuilder sb = new StringBuilder(text);
        int edits = c.chance(50) ? 0 : c.between(1, 3);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
            int at = c.below(sb.length());
            switch (c.below(3)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, c.oneOf(NOISE));
                default -> {
                    int end = Math.min(sb.length(), at + c.between(1, 40));
                    sb.insert(end, sb.substring(at, end).repeat(c.between(1, 20)));
                }
            }
        }
        return sb.toString();
    }
}
