package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.IntTensor;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Float32 tensors in the safetensors format: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON naming each tensor's dtype, shape and byte range ({@code data_offsets}, relative to
 * the data buffer), then the little-endian data buffer.
 *
 * <p>Weights are F32; the index of a compact sparse kernel (LANGUAGE.md §6) is I32, read only by
 * {@link #readStored}. Reading is as strict as the reference implementation: byte ranges that tile the data
 * buffer exactly (no overlap, gap or trailing byte). Every malformed input is reported as a
 * {@link DataFormatException} naming the file and, when one is at fault, the tensor.
 */
public final class Safetensors {
    /** The reference implementation's limit: a larger header length means the file is not safetensors. */
    private static final long MAX_HEADER_LENGTH = 100_000_000;
    private static final String METADATA_KEY = "__metadata__";
    private static final String METADATA_JSON = "{\"format\":\"pt\"}";
    private static final int CHUNK_FLOATS = 1 << 14;
    /** Java arrays stop a little short of Integer.MAX_VALUE. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final long UNKNOWN_SIZE = -1;

    private Safetensors() {}

    /** The tensors of {@code file} in the order of their data; all F32. */
    public static Map<String, Tensor> read(Path file) {
        return floats(readStored(file), file.toString());
    }

    /** The tensors of {@code file} in the order of their data: F32 and I32. */
    public static Map<String, StoredTensor> readStored(Path file) {
        String name = file.toString();
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            return new Decoder(Channels.newInputStream(channel), name, channel.size()).decode();
        } catch (IOException e) {
            throw IoErrors.failure("read", name, e);
        }
    }

    /** {@link #readStored(Path)} from a stream. */
    public static Map<String, StoredTensor> readStored(InputStream in, String displayName) {
        try {
            return new Decoder(in, displayName, UNKNOWN_SIZE).decode();
        } catch (IOException e) {
            throw IoErrors.failure("read", displayName, e);
        }
    }

    private static Map<String, Tensor> floats(Map<String, StoredTensor> stored, String file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        stored.forEach((name, t) -> {
            if (!(t instanceof Tensor f)) throw new DataFormatException(file + ": tensor '" + name + "': dtype is " + t.dtype() + ", expected F32");
            out.put(name, f);
        });
        return out;
    }

    /**
     * The tensors in {@code in} (read to its end, not closed) in the order of their data;
     * {@code displayName} stands for the file in error messages.
     */
    public static Map<String, Tensor> read(InputStream in, String displayName) {
        return floats(readStored(in, displayName), displayName);
    }

    /** Writes the tensors atomically, their data laid out in the map's order. */
    public static void write(Path file, Map<String, ? extends StoredTensor> tensors) {
        write(file, tensors, true);
    }

    /** The same; {@code durable} false skips the sync to disk ({@link AtomicFiles#write(Path, AtomicFiles.IoWriter, boolean)}), for checkpoints. */
    public static void write(Path file, Map<String, ? extends StoredTensor> tensors, boolean durable) {
        byte[] header = header(tensors);
        AtomicFiles.write(file, out -> writeTo(out, header, tensors), durable);
    }

    /** The bytes {@link #write(Path, Map)} would write, e.g. to pack into a jar. */
    public static byte[] toBytes(Map<String, ? extends StoredTensor> tensors) {
        byte[] header = header(tensors);
        long size = 8 + header.length + 4 * tensors.values().stream().mapToLong(StoredTensor::length).sum();
        if (size > MAX_ELEMENTS)
            throw new IllegalArgumentException("the tensors take " + size + " bytes, too many for a byte array");
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
        try {
            writeTo(out, header, tensors);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw it
        }
        return out.toByteArray();
    }

    // ---- writing ----

    /** The JSON header, laid out like the reference implementation's: compact, metadata first, padded to 8 bytes. */
    private static byte[] header(Map<String, ? extends StoredTensor> tensors) {
        StringBuilder json = new StringBuilder("{\"" + METADATA_KEY + "\":" + METADATA_JSON);
        long offset = 0;
        for (Map.Entry<String, ? extends StoredTensor> entry : tensors.entrySet()) {
            checkWritable(entry.getKey(), entry.getValue());
            long end = offset + 4L * entry.getValue().length();
            json.append(',');
            appendJsonString(json, entry.getKey());
            json.append(":{\"dtype\":\"").append(entry.getValue().dtype()).append("\",\"shape\":[")
                    .append(Arrays.stream(entry.getValue().shape()).mapToObj(Integer::toString).collect(Collectors.joining(",")))
                    .append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        // Padding keeps the data 8-byte aligned in the file, which lets readers map it in place.
        byte[] padded = Arrays.copyOf(bytes, (bytes.length + 7) / 8 * 8);
        Arrays.fill(padded, bytes.length, padded.length, (byte) ' ');
        return padded;
    }

    private static void checkWritable(String name, StoredTensor tensor) {
        if (name == null) throw new IllegalArgumentException("a tensor has no name");
        if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("'" + METADATA_KEY + "' cannot name a tensor");
        if (tensor == null) throw new IllegalArgumentException("tensor '" + name + "' is null");
        for (int d : tensor.shape())
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(tensor.shape()));
    }

    /** Escapes like serde_json, the reference implementation's JSON writer. */
    private static void appendJsonString(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) json.append(String.format("\\u%04x", (int) c));
                    else json.append(c);
                }
            }
        }
        json.append('"');
    }

    private static void writeTo(OutputStream out, byte[] header, Map<String, ? extends StoredTensor> tensors) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        out.write(chunk.putLong(0, header.length).array(), 0, 8);
        out.write(header);
        FloatBuffer floats = chunk.asFloatBuffer();
        IntBuffer ints = chunk.asIntBuffer();
        for (StoredTensor tensor : tensors.values()) {
            int length = tensor.length();
            for (int done = 0; done < length; done += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, length - done);
                if (tensor instanceof Tensor t) floats.put(0, t.data(), done, n); // keeps NaN payloads: no canonicalisation on this path
                else ints.put(0, ((IntTensor) tensor).data(), done, n);
                out.write(chunk.array(), 0, 4 * n);
            }
        }
    }

    // ---- reading ----

    /** A tensor as the header describes it. */
    private record Entry(String name, boolean ints, int[] shape, int count, long begin, long end) {}

    /** Reads one file: header length, header, then the tensors in data order. */
    private static final class Decoder {
        private final InputStream in;
        private final String file;
        private final long fileSize;

        Decoder(InputStream in, String file, long fileSize) {
            this.in = in;
            this.file = file;
            this.fileSize = fileSize;
        }

        Map<String, StoredTensor> decode() throws IOException {
            int headerLength = readHeaderLength();
            List<Entry> entries = parseHeader(readHeader(headerLength));
            long dataLength = fileSize == UNKNOWN_SIZE ? UNKNOWN_SIZE : fileSize - 8 - headerLength;
            long end = checkLayout(entries, dataLength);
            Map<String, StoredTensor> tensors = new LinkedHashMap<>();
            ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                if (e.ints()) tensors.put(e.name(), new IntTensor(e.shape(), (int[]) readData(e, chunk)));
                else tensors.put(e.name(), new Tensor(e.shape(), (float[]) readData(e, chunk)));
            }
            if (fileSize == UNKNOWN_SIZE && in.read() != -1)
                throw error("unexpected bytes after the end of the last tensor's data (data byte " + end + ")");
            return tensors;
        }

        private int readHeaderLength() throws IOException {
            byte[] prefix = in.readNBytes(8);
            if (prefix.length < 8)
                throw error("file is too short (" + prefix.length + " bytes) to start with the 8-byte header length");
            // eight bytes of text would be a header length over 2^61: a CSV or a .nnet given as weights, said as such
            if (isText(prefix))
                throw error("not a safetensors file: it starts with text, '" + new String(prefix, StandardCharsets.US_ASCII).replace("\n", "\\n").replace("\r", "\\r")
                        + "' (weights files are written by nnetc init and nnetc train, or safetensors' save_file)");
            long n = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
            String shown = Long.toUnsignedString(n);
            if (fileSize != UNKNOWN_SIZE && Long.compareUnsigned(n, fileSize - 8) > 0)
                throw error("header length " + shown + " is larger than the file (" + fileSize + " bytes)");
            if (Long.compareUnsigned(n, MAX_HEADER_LENGTH) > 0)
                throw error("header length " + shown + " is over the limit of " + MAX_HEADER_LENGTH + " bytes; this is not a safetensors file");
            return (int) n;
        }

        private static boolean isText(byte[] bytes) {
            for (byte b : bytes) if (!(b >= 0x20 && b < 0x7f) && b != '\n' && b != '\r' && b != '\t') return false;
            return true;
        }

        private String readHeader(int length) throws IOException {
            byte[] bytes = in.readNBytes(length);
            if (bytes.length < length)
                throw error("header length " + length + " is larger than the file (" + (8 + bytes.length) + " bytes)");
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw error("header is not valid UTF-8 text");
            }
        }

        private List<Entry> parseHeader(String text) {
            Object root = new JsonReader(text, file).readDocument();
            if (!(root instanceof Map)) throw error("header is " + JsonReader.kind(root) + ", expected a JSON object");
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Object> member : JsonReader.asObject(root).entrySet()) {
                if (member.getKey().equals(METADATA_KEY)) checkMetadata(member.getValue());
                else entries.add(entry(member.getKey(), member.getValue()));
            }
            return entries;
        }

        private void checkMetadata(Object value) {
            if (!(value instanceof Map))
                throw error(METADATA_KEY + " is " + JsonReader.kind(value) + ", expected an object of strings");
            for (Map.Entry<String, Object> m : JsonReader.asObject(value).entrySet())
                if (!(m.getValue() instanceof String))
                    throw error(METADATA_KEY + " value \"" + m.getKey() + "\" is " + JsonReader.kind(m.getValue()) + ", expected a string");
        }

        private Entry entry(String name, Object value) {
            if (!(value instanceof Map))
                throw tensorError(name, "entry is " + JsonReader.kind(value) + ", expected an object with dtype, shape and data_offsets");
            Map<String, Object> info = JsonReader.asObject(value);
            Object dtype = required(name, info, "dtype");
            if (!(dtype instanceof String))
                throw tensorError(name, "dtype is " + JsonReader.kind(dtype) + ", expected the string \"F32\"");
            if (!dtype.equals("F32") && !dtype.equals("I32")) throw tensorError(name, "dtype is " + dtype + ", expected F32 (or I32 for the index of a sparse kernel)");
            List<Long> shape = integers(name, info, "shape");
            int count = elementCount(name, shape);
            List<Long> offsets = integers(name, info, "data_offsets");
            if (offsets.size() != 2)
                throw tensorError(name, "data_offsets " + offsets + " should be two integers [begin, end]");
            long begin = offsets.get(0), end = offsets.get(1);
            if (begin < 0 || end < begin)
                throw tensorError(name, "data_offsets " + offsets + " are not a byte range: they need 0 <= begin <= end");
            if (end - begin != 4L * count)
                throw tensorError(name, "shape " + shape + " needs " + 4L * count + " bytes but data_offsets give " + (end - begin));
            int[] dims = shape.stream().mapToInt(Long::intValue).toArray();
            return new Entry(name, dtype.equals("I32"), dims, count, begin, end);
        }

        private Object required(String name, Map<String, Object> info, String key) {
            if (!info.containsKey(key)) throw tensorError(name, "has no \"" + key + "\"");
            return info.get(key);
        }

        private List<Long> integers(String name, Map<String, Object> info, String key) {
            Object value = required(name, info, key);
            if (!(value instanceof List<?> list))
                throw tensorError(name, key + " is " + JsonReader.kind(value) + ", expected an array of integers");
            for (Object item : list)
                if (!(item instanceof Long))
                    throw tensorError(name, key + " holds " + JsonReader.kind(item) + ", expected only integers");
            return list.stream().map(Long.class::cast).toList();
        }

        /** The number of values in {@code shape}, which must fit in a Java array. */
        private int elementCount(String name, List<Long> shape) {
            for (long d : shape) {
                if (d < 0) throw tensorError(name, "shape " + shape + " has a negative dimension");
                if (d > Integer.MAX_VALUE) throw tensorError(name, "shape " + shape + " has a dimension over " + Integer.MAX_VALUE);
            }
            if (shape.contains(0L)) return 0;
            long count = 1;
            for (long d : shape) {
                if (count > MAX_ELEMENTS / d)
                    throw tensorError(name, "shape " + shape + " has more values than a Java array can hold");
                count *= d;
            }
            return (int) count;
        }

        /**
         * Sorts {@code entries} into data order and checks that their byte ranges tile the data buffer
         * exactly, as the reference implementation requires. Returns the data's length.
         */
        private long checkLayout(List<Entry> entries, long dataLength) {
            if (dataLength != UNKNOWN_SIZE)
                for (Entry e : entries)
                    if (e.end() > dataLength)
                        throw tensorError(e.name(), "data_offsets " + range(e) + " go past the end of the data ("
                                + dataLength + " bytes after the header); is the file truncated?");
            entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long expected = 0;
            Entry previous = null;
            for (Entry e : entries) {
                if (e.begin() < expected)
                    throw tensorError(e.name(), "data_offsets " + range(e) + " overlap those of tensor '"
                            + previous.name() + "' " + range(previous));
                if (e.begin() > expected)
                    throw tensorError(e.name(), "data_offsets " + range(e) + " leave data bytes " + expected + " to "
                            + e.begin() + " unused; the tensors' data must follow each other without gaps");
                expected = e.end();
                previous = e;
            }
            if (dataLength != UNKNOWN_SIZE && dataLength > expected)
                throw error("unexpected bytes after the end of the last tensor's data (data byte " + expected
                        + " of " + dataLength + ")");
            return expected;
        }

        /** The entry's values: a float[] for F32, an int[] for I32 (bits as stored, NaN payloads kept). */
        private Object readData(Entry e, ByteBuffer chunk) throws IOException {
            float[] floats = e.ints() ? null : new float[e.count()];
            int[] ints = e.ints() ? new int[e.count()] : null;
            for (int done = 0; done < e.count(); done += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, e.count() - done);
                int got = in.readNBytes(chunk.array(), 0, 4 * n);
                if (got < 4 * n)
                    throw tensorError(e.name(), "the file is truncated: data_offsets " + range(e)
                            + " end past the data, which stops at data byte " + (e.begin() + 4L * done + got));
                if (ints != null) chunk.asIntBuffer().get(0, ints, done, n);
                else chunk.asFloatBuffer().get(0, floats, done, n);
            }
            return ints != null ? ints : floats;
        }

        private static String range(Entry e) {
            return "[" + e.begin() + ", " + e.end() + "]";
        }

        private DataFormatException error(String problem) {
            return new DataFormatException(file + ": " + problem);
        }

        private DataFormatException tensorError(String tensor, String problem) {
            return error("tensor '" + tensor + "': " + problem);
        }
    }
}
