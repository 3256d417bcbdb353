package nnet.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format, float32 only: an 8-byte little-endian header length, a JSON header
 * {@code {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}},
 * then the little-endian data. Every malformation is a {@link DataFormatException} naming the file and tensor.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Headers larger than this are not weights files: refuse before allocating. */
    static final long MAX_HEADER = 100L << 20;

    public static Map<String, Tensor> read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataFormatException(file + ": cannot read: " + e.getMessage());
        }
        return parse(all, file.toString());
    }

    public static Map<String, Tensor> read(InputStream in, String name) {
        try {
            return parse(in.readAllBytes(), name);
        } catch (IOException e) {
            throw new DataFormatException(name + ": cannot read: " + e.getMessage());
        }
    }

    private static Map<String, Tensor> parse(byte[] all, String name) {
        if (all.length < 8) throw new DataFormatException(name + ": not a safetensors file (" + all.length + " bytes, shorter than its 8-byte header length)");
        long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > all.length - 8)
            throw new DataFormatException(name + ": not a safetensors file (header length " + headerLen + " does not fit the file of " + all.length + " bytes)");
        String header = new String(all, 8, (int) headerLen, StandardCharsets.UTF_8);
        Object json;
        try {
            json = new JsonReader(header).document();
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(name + ": invalid header: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> entries)) throw new DataFormatException(name + ": invalid header: expected a JSON object");
        int dataStart = 8 + (int) headerLen;
        long dataLen = all.length - dataStart;
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals("__metadata__")) continue;
            String where = name + ": tensor '" + key + "'";
            if (!(e.getValue() instanceof Map<?, ?> info)) throw new DataFormatException(where + ": expected an object with dtype, shape, data_offsets");
            if (!"F32".equals(info.get("dtype"))) throw new DataFormatException(where + ": dtype is " + info.get("dtype") + ", expected F32");
            long[] shape = longs(info.get("shape"), where, "shape");
            long[] off = longs(info.get("data_offsets"), where, "data_offsets");
            if (off.length != 2) throw new DataFormatException(where + ": data_offsets must be [begin, end]");
            long count = 1;
            for (long d : shape) {
                if (d < 0 || d > Integer.MAX_VALUE) throw new DataFormatException(where + ": dimension " + d + " is out of range");
                count *= d;
                if (count > Integer.MAX_VALUE) throw new DataFormatException(where + ": too many elements");
            }
            if (off[0] < 0 || off[1] < off[0] || off[1] > dataLen)
                throw new DataFormatException(where + ": data_offsets [" + off[0] + ", " + off[1] + "] lie outside the " + dataLen + " data bytes");
            if (off[1] - off[0] != count * 4)
                throw new DataFormatException(where + ": shape " + java.util.Arrays.toString(shape) + " needs " + count * 4 + " bytes but data_offsets give " + (off[1] - off[0]));
            for (long[] r : ranges)
                if (off[0] < r[1] && r[0] < off[1]) throw new DataFormatException(where + ": its data overlaps another tensor's");
            ranges.add(off);
            float[] data = new float[(int) count];
            ByteBuffer.wrap(all, dataStart + (int) off[0], (int) (count * 4)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            int[] dims = new int[shape.length];
            for (int i = 0; i < dims.length; i++) dims[i] = (int) shape[i];
            out.put(key, new Tensor(dims, data));
        }
        return out;
    }

    private static long[] longs(Object o, String where, String what) {
        if (!(o instanceof List<?> list)) throw new DataFormatException(where + ": " + what + " must be a list of integers");
        long[] v = new long[list.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(list.get(i) instanceof Long l)) throw new DataFormatException(where + ": " + what + " must be a list of integers");
            v[i] = l;
        }
        return v;
    }

    public static void write(Path file, Map<String, Tensor> tensors) {
        byte[] bytes = toBytes(tensors);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    public static byte[] toBytes(Map<String, Tensor> tensors) {
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long len = e.getValue().data().length * 4L;
            h.append(",\"").append(escape(e.getKey())).append("\":{\"dtype\":\"F32\",\"shape\":[");
            int[] s = e.getValue().shape();
            for (int i = 0; i < s.length; i++) h.append(i > 0 ? "," : "").append(s[i]);
            h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + len).append("]}");
            offset += len;
        }
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8; // the reference writer pads with spaces to 8 bytes
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + padded + (int) offset);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.writeBytes(len.array());
        out.writeBytes(header);
        for (int i = header.length; i < padded; i++) out.write(' ');
        for (Tensor t : tensors.values()) {
            ByteBuffer b = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.data());
            out.writeBytes(b.array());
        }
        return out.toByteArray();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Just enough JSON for a safetensors header: objects, arrays, strings, integers. */
    private static final class JsonReader {
        private final String s;
        private int p;

        JsonReader(String s) {
            this.s = s;
        }

        Object document() {
            Object v = value();
            skip();
            if (p < s.length()) fail("unexpected text after the header object");
            return v;
        }

        private Object value() {
            skip();
            if (p >= s.length()) fail("unexpected end");
            char c = s.charAt(p);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return string();
            if (c == '-' || Character.isDigit(c)) return number();
            if (s.startsWith("true", p) || s.startsWith("null", p)) {
                p += 4;
                return s.startsWith("true", p - 4) ? Boolean.TRUE : null;
            }
            if (s.startsWith("false", p)) {
                p += 5;
                return Boolean.FALSE;
            }
            fail("unexpected '" + c + "'");
            return null;
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            p++;
            skip();
            if (peek() == '}') {
                p++;
                return m;
            }
            while (true) {
                skip();
                if (peek() != '"') fail("expected a key");
                String k = string();
                skip();
                if (peek() != ':') fail("expected ':'");
                p++;
                m.put(k, value());
                skip();
                char c = peek();
                p++;
                if (c == '}') return m;
                if (c != ',') fail("expected ',' or '}'");
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            p++;
            skip();
            if (peek() == ']') {
                p++;
                return l;
            }
            while (true) {
                l.add(value());
                skip();
                char c = peek();
                p++;
                if (c == ']') return l;
                if (c != ',') fail("expected ',' or ']'");
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            p++;
            while (true) {
                if (p >= s.length()) fail("unterminated string");
                char c = s.charAt(p++);
                if (c == '"') return sb.toString();
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (p >= s.length()) fail("unterminated string");
                char e = s.charAt(p++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (p + 4 > s.length()) fail("bad \\u escape");
                        try {
                            sb.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                        } catch (NumberFormatException ex) {
                            fail("bad \\u escape");
                        }
                        p += 4;
                    }
                    default -> sb.append(e);
                }
            }
        }

        private Object number() {
            int start = p;
            if (peek() == '-') p++;
            while (p < s.length() && (Character.isDigit(s.charAt(p)) || ".eE+-".indexOf(s.charAt(p)) >= 0)) p++;
            String t = s.substring(start, p);
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                try {
                    return Double.parseDouble(t);
                } catch (NumberFormatException e2) {
                    fail("bad number '" + t + "'");
                    return null;
                }
            }
        }

        private char peek() {
            if (p >= s.length()) fail("unexpected end");
            return s.charAt(p);
        }

        private void skip() {
            while (p < s.length() && Character.isWhitespace(s.charAt(p))) p++;
        }

        private void fail(String what) {
            throw new IllegalArgumentException(what + " at character " + p);
        }
    }
}
