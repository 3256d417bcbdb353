package nnet.runtime.io;

import nnet.runtime.DataFormatException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON reader just big enough for headers: objects (kept in order, no duplicate keys), arrays,
 * strings, integers (as Long) and the literals. Rejects anything else with the character position.
 */
final class JsonReader {
    /** JSON null, which a Map would not tell apart from a missing key. */
    private static final Object NULL = new Object();
    /** Stops hostile nesting long before the recursion could overflow the stack. */
    private static final int MAX_DEPTH = 64;
    private final String text;
    private final String file;
    private int pos;

    JsonReader(String text, String file) {
        this.text = text;
        this.file = file;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asObject(Object value) {
        return (Map<String, Object>) value;
    }

    /** For messages: "dtype is an integer, expected ...". */
    static String kind(Object value) {
        if (value instanceof Map) return "an object";
        if (value instanceof List) return "an array";
        if (value instanceof String) return "a string";
        if (value instanceof Long) return "an integer";
        if (value instanceof Boolean) return "a boolean";
        return "null";
    }

    Object readDocument() {
        Object value = value(0);
        skipSpace();
        if (pos < text.length()) throw error("unexpected " + found() + " after the end of the JSON value");
        return value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("values nested more than " + MAX_DEPTH + " deep");
        skipSpace();
        if (pos >= text.length()) throw error("expected a value, found the end of the header");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || isDigit(c)) yield integer();
                throw error("expected a value, found " + found());
            }
        };
    }

    private Map<String, Object> object(int depth) {
        pos++; // '{'
        Map<String, Object> members = new LinkedHashMap<>();
        skipSpace();
        if (take('}')) return members;
        do {
            skipSpace();
            int keyStart = pos;
            if (!at('"')) throw error("expected a string key, found " + found());
            String key = string();
            if (members.containsKey(key)) {
                pos = keyStart;
                throw error("duplicate key \"" + key + "\"");
            }
            skipSpace();
            if (!take(':')) throw error("expected ':', found " + found());
            members.put(key, value(depth + 1));
            skipSpace();
        } while (take(','));
        if (!take('}')) throw error("expected ',' or '}', found " + found());
        return members;
    }

    private List<Object> array(int depth) {
        pos++; // '['
        List<Object> items = new ArrayList<>();
        skipSpace();
        if (take(']')) return items;
        do {
            items.add(value(depth + 1));
            skipSpace();
        } while (take(','));
        if (!take(']')) throw error("expected ',' or ']', found " + found());
        return items;
    }

    private String string() {
        int start = pos++; // '"'
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                pos = start;
                throw error("string is not terminated");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return s.toString();
            }
            if (c < 0x20) throw error("control character " + found() + " in a string must be escaped");
            if (c == '\\') s.append(escape());
            else {
                s.append(c);
                pos++;
            }
        }
    }

    private char escape() {
        int start = pos++; // '\'
        if (pos >= text.length()) throw error("string is not terminated");
        char c = text.charAt(pos++);
        switch (c) {
            case '"', '\\', '/': return c;
            case 'b': return '\b';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'u': return unicodeEscape(start);
            default:
                pos = start;
                throw error("invalid escape \\" + c);
        }
    }

    private char unicodeEscape(int start) {
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = pos < text.length() ? Character.digit(text.charAt(pos), 16) : -1;
            if (digit < 0) {
                pos = start;
                throw error("\\u must be followed by 4 hex digits");
            }
            code = code * 16 + digit;
            pos++;
        }
        return (char) code;
    }

    private Long integer() {
        int start = pos;
        take('-');
        if (!at('0', '9')) throw error("expected a digit, found " + found());
        if (at('0') && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))
            throw error("numbers must not have leading zeros");
        while (at('0', '9')) pos++;
        if (at('.') || at('e') || at('E')) throw error("expected an integer, found a fractional number");
        String digits = text.substring(start, pos);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("integer " + digits + " is too large");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("expected a value, found " + found());
        pos += word.length();
        return value;
    }

    private void skipSpace() {
        while (pos < text.length() && " \t\n\r".indexOf(text.charAt(pos)) >= 0) pos++;
    }

    private boolean at(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private boolean at(char from, char to) {
        return pos < text.length() && text.charAt(pos) >= from && text.charAt(pos) <= to;
    }

    private boolean take(char c) {
        if (!at(c)) return false;
        pos++;
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The character at the error position, shown so that invisible ones are visible. */
    private String found() {
        if (pos >= text.length()) return "the end of the header";
        char c = text.charAt(pos);
        return c > 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private DataFormatException error(String problem) {
        return new DataFormatException(file + ": invalid JSON in the header at character " + (pos + 1) + ": " + problem);
    }
}
