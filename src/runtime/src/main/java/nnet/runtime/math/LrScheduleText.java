package nnet.runtime.math;

import nnet.runtime.UserError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a learning rate as {@code --lr} gives it: a number, or a schedule call in the language's
 * syntax ({@code step(0.01, every: 10, factor: 0.5)}, {@code warmup(100, cosine(0.01, min: 0))}).
 * A mistake is a {@link UserError} naming the column, like a diagnostic in a file.
 */
final class LrScheduleText {
    private final String text;
    private int at;

    LrScheduleText(String text) {
        this.text = text;
    }

    LrSchedule parse() {
        Object v = value();
        skipSpaces();
        if (at < text.length()) throw error(at, "unexpected '" + text.charAt(at) + "'");
        if (v instanceof Double d) {
            if (!(d > 0) || !Double.isFinite(d)) throw error(0, "the learning rate must be positive, found " + text.strip());
            return new LrSchedule.Constant(d);
        }
        return (LrSchedule) v;
    }

    /** A number, or a call and its arguments. */
    private Object value() {
        skipSpaces();
        int start = at;
        if (at < text.length() && Character.isLetter(text.charAt(at))) {
            String name = word();
            skipSpaces();
            if (at >= text.length() || text.charAt(at) != '(')
                throw error(start, "expected a number or a schedule (" + String.join(", ", LrSchedule.FORMS) + "), found '" + name + "'");
            at++;
            List<Object> positional = new ArrayList<>();
            Map<String, Object> named = new LinkedHashMap<>();
            Map<String, Integer> places = new LinkedHashMap<>();
            List<Integer> positionalPlaces = new ArrayList<>();
            skipSpaces();
            while (at < text.length() && text.charAt(at) != ')') {
                skipSpaces();
                int argStart = at;
                int save = at;
                String key = Character.isLetter(peek()) ? word() : null;
                skipSpaces();
                if (key != null && peek() == ':') {
                    at++;
                    places.put(key, argStart);
                    named.put(key, value());
                } else {
                    at = save;
                    positionalPlaces.add(argStart);
                    positional.add(value());
                }
                skipSpaces();
                if (peek() == ',') at++;
                else if (peek() != ')') throw error(at, "expected ',' or ')'");
                skipSpaces();
            }
            if (at >= text.length()) throw error(at, "expected ')'");
            at++;
            try {
                return LrSchedule.of(name, positional, named);
            } catch (LrSchedule.Problem p) {
                int place = start;
                if (p.argument != null && p.argument.startsWith("#")) {
                    int k = Integer.parseInt(p.argument.substring(1));
                    if (k < positionalPlaces.size()) place = positionalPlaces.get(k);
                } else if (p.argument != null && places.containsKey(p.argument)) place = places.get(p.argument);
                throw error(place, p.getMessage());
            }
        }
        while (at < text.length() && "+-.0123456789eE".indexOf(text.charAt(at)) >= 0) at++;
        try {
            return Double.parseDouble(text.substring(start, at));
        } catch (NumberFormatException e) {
            throw error(start, "expected a number or a schedule (" + String.join(", ", LrSchedule.FORMS) + ")");
        }
    }

    private String word() {
        int start = at;
        while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) at++;
        return text.substring(start, at);
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void skipSpaces() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
    }

    private UserError error(int column, String message) {
        return new UserError("--lr '" + text + "': column " + (column + 1) + ": " + message);
    }
}
