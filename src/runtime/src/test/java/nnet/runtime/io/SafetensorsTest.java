package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.Tensor;

import nnet.runtime.io.Safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    // ---- round trips and layout ----

    @Test
    void roundTripKeepsOrderShapesAndExactBits() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("z.scalar", new Tensor(new int[0], new float[] {-3.5f}));
        tensors.put("a.vector", new Tensor(new int[] {3}, new float[] {1, -2, 0.25f}));
        tensors.put("m.matrix", new Tensor(new int[] {2, 3}, new float[] {
                Float.intBitsToFloat(0x7fc12345), Float.intBitsToFloat(0xffc00001), Float.intBitsToFloat(0x7f800001),
                -0f, Float.NEGATIVE_INFINITY, Float.MIN_VALUE}));
        tensors.put("k.conv", new Tensor(new int[] {2, 1, 2, 3}, randomValues(12, 1)));
        tensors.put("empty", new Tensor(new int[] {0, 4}, new float[0]));
        // larger than the reader's and writer's chunk, so the chunk loop is crossed
        tensors.put("big", new Tensor(new int[] {200, 201}, randomValues(200 * 201, 2)));
        Path file = dir.resolve("w.safetensors");

        Safetensors.write(file, tensors);

        assertSameTensors(tensors, Safetensors.read(file));
        assertArrayEquals(Files.readAllBytes(file), Safetensors.toBytes(tensors));
        assertSameTensors(tensors, Safetensors.read(new ByteArrayInputStream(Safetensors.toBytes(tensors)), "w"));
    }

    @Test
    void namesNeedingJsonEscapesRoundTrip() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : List.of("quote\"back\\slash", "new\nline\ttab\u0001", "h\u00e9\u4e16/x", ""))
            tensors.put(name, new Tensor(new int[] {1}, new float[] {name.length()}));
        assertSameTensors(tensors, Safetensors.read(new ByteArrayInputStream(Safetensors.toBytes(tensors)), "w"));
    }

    @Test
    void writesTheByteLayoutOfTheSpec() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", new Tensor(new int[] {2}, new float[] {1f, -2f}));
        tensors.put("a", new Tensor(new int[0], new float[] {0.5f}));
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        assertEquals(138, json.length()); // padded with 6 spaces to 144 = 0x90
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(new byte[] {(byte) 0x90, 0, 0, 0, 0, 0, 0, 0});
        expected.writeBytes((json + "      ").getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3f}); // 1.0f = 0x3f800000, little-endian
        expected.writeBytes(new byte[] {0, 0, 0, (byte) 0xc0}); // -2.0f = 0xc0000000
        expected.writeBytes(new byte[] {0, 0, 0, 0x3f}); // 0.5f = 0x3f000000

        assertArrayEquals(expected.toByteArray(), Safetensors.toBytes(tensors));
    }

    @Test
    void readsFilesOfTheReferenceImplementation() {
        // The layouts of the reference implementation's own serialisation tests: no metadata, and metadata only.
        byte[] attn = file("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                0, 1, 2, 3, 4, 5);
        assertEquals(8 + 72 + 24, attn.length);
        Map<String, Tensor> read = Safetensors.read(new ByteArrayInputStream(attn), "ref");
        assertEquals(Map.of("attn0", new Tensor(new int[] {1, 1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5})), read);

        byte[] empty = file("{\"__metadata__\":{\"framework\":\"pt\"}}     ");
        assertEquals(Map.of(), Safetensors.read(new ByteArrayInputStream(empty), "ref"));
    }

    @Test
    void readsAnyValidHeaderLayoutAndReturnsDataOrder() throws IOException {
        String header = "{ \"b\" : {\"shape\": [2], \"dtype\": \"F32\", \"data_offsets\": [4, 12], \"extra\": [null, true]},\n"
                + "  \"a\\u00e9\\n\\\"q\\\"\\/\": {\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\n"
                + "  \"__metadata__\": {\"k\": \"v\"} }\t\r\n";
        Path file = dir.resolve("w.safetensors");
        Files.write(file, file(header, 7, 8, 9));

        Map<String, Tensor> read = Safetensors.read(file);

        assertEquals(List.of("a\u00e9\n\"q\"/", "b"), List.copyOf(read.keySet()));
        assertEquals(new Tensor(new int[0], new float[] {7}), read.get("a\u00e9\n\"q\"/"));
        assertEquals(new Tensor(new int[] {2}, new float[] {8, 9}), read.get("b"));
    }

    // ---- malformed files ----

    @Test
    void rejectsBadLengthPrefix() {
        assertBad(new byte[] {1, 2, 3}, "file is too short (3 bytes)");
        assertBad(withLength(9_999_999, new byte[112]), "header length 9999999 is larger than the file (120 bytes)");
        assertBad(withLength(-1, new byte[8]), "header length 18446744073709551615 is larger than the file (16 bytes)");
        assertStreamBad(withLength(200_000_000, "{}".getBytes(StandardCharsets.US_ASCII)),
                "header length 200000000 is over the limit of 100000000 bytes");
        assertStreamBad(withLength(100, "{}".getBytes(StandardCharsets.US_ASCII)),
                "header length 100 is larger than the file (10 bytes)");
    }

    @Test
    void rejectsInvalidJsonSayingWhere() {
        assertBad(file("{\"a\":"), "invalid JSON in the header at character 6: expected a value, found the end of the header");
        assertBad(file("{\"a\" 1}"), "at character 6: expected ':', found '1'");
        assertBad(file("{\"a\":{}} x"), "at character 10: unexpected 'x' after the end of the JSON value");
        assertBad(file("{\"a\":{},}"), "at character 9: expected a string key, found '}'");
        assertBad(file("{\"a\":{}]"), "at character 8: expected ',' or '}', found ']'");
        assertBad(file("{\"a\":[1,]}"), "at character 9: expected a value, found ']'");
        assertBad(file("{\"a\":tru}"), "at character 6: expected a value, found 't'");
        assertBad(file("{\"abc"), "at character 2: string is not terminated");
        assertBad(file("{\"a\\q\":{}}"), "at character 4: invalid escape \\q");
        assertBad(file("{\"a\\u00zz\":{}}"), "at character 4: \\u must be followed by 4 hex digits");
        assertBad(file("{\"a\nb\":{}}"), "at character 4: control character U+000A in a string must be escaped");
        assertBad(file("{\"a\":{},\"a\":{}}"), "at character 9: duplicate key \"a\"");
        assertBad(file(tensorJson("a", "\"F32\"", "[01]", "[0,4]")), "numbers must not have leading zeros");
        assertBad(file(tensorJson("a", "\"F32\"", "[1.5]", "[0,4]")), "expected an integer, found a fractional number");
        assertBad(file(tensorJson("a", "\"F32\"", "[1e3]", "[0,4]")), "expected an integer, found a fractional number");
        assertBad(file(tensorJson("a", "\"F32\"", "[99999999999999999999]", "[0,4]")), "integer 99999999999999999999 is too large");
        assertBad(file(tensorJson("a", "\"F32\"", "[-]", "[0,4]")), "expected a digit, found ']'");
        assertBad(file("[".repeat(100_000) + "]".repeat(100_000)), "nested more than 64 deep");
        assertBad(file(""), "at character 1: expected a value, found the end of the header");
        assertBad(withLength(4, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}), "header is not valid UTF-8");
    }

    @Test
    void rejectsHeadersOfTheWrongShape() {
        assertBad(file("[1]"), "header is an array, expected a JSON object");
        assertBad(file("{\"a\":[1]}"), "tensor 'a': entry is an array, expected an object");
        assertBad(file("{\"__metadata__\":\"pt\"}"), "__metadata__ is a string, expected an object of strings");
        assertBad(file("{\"__metadata__\":{\"k\":1}}"), "__metadata__ value \"k\" is an integer, expected a string");
    }

    @Test
    void rejectsBadTensorEntries() {
        assertBad(file(tensorJson("h.kernel", "\"F16\"", "[2]", "[0,4]"), 0),
                "tensor 'h.kernel': dtype is F16, expected F32");
        assertBad(file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 0), "tensor 'a': has no \"dtype\"");
        assertBad(file(tensorJson("a", "3", "[1]", "[0,4]"), 0), "tensor 'a': dtype is an integer, expected the string \"F32\"");
        assertBad(file(tensorJson("a", "\"F32\"", "\"2\"", "[0,4]"), 0), "tensor 'a': shape is a string, expected an array of integers");
        assertBad(file(tensorJson("a", "\"F32\"", "[2,null]", "[0,4]"), 0), "tensor 'a': shape holds null, expected only integers");
        assertBad(file(tensorJson("a", "\"F32\"", "[2,-3]", "[0,24]")), "tensor 'a': shape [2, -3] has a negative dimension");
        assertBad(file(tensorJson("a", "\"F32\"", "[0,3000000000]", "[0,0]")), "tensor 'a': shape [0, 3000000000] has a dimension over");
        assertBad(file(tensorJson("a", "\"F32\"", "[65536,65536]", "[0,0]")), "tensor 'a': shape [65536, 65536] has more values than");
        assertBad(file(tensorJson("a", "\"F32\"", "[1]", "[0]"), 0), "tensor 'a': data_offsets [0] should be two integers [begin, end]");
        assertBad(file(tensorJson("a", "\"F32\"", "[1]", "[8,4]"), 0), "tensor 'a': data_offsets [8, 4] are not a byte range");
        assertBad(file(tensorJson("a", "\"F32\"", "[1]", "[-4,0]"), 0), "tensor 'a': data_offsets [-4, 0] are not a byte range");
        assertBad(file(tensorJson("h.bias", "\"F32\"", "[2,3]", "[0,20]"), 1, 2, 3, 4, 5),
                "tensor 'h.bias': shape [2, 3] needs 24 bytes but data_offsets give 20");
    }

    @Test
    void rejectsDataLayoutsThatDoNotTileTheBuffer() {
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[%s]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[%s],\"data_offsets\":[%s]}}";
        assertBad(file(String.format(two, "0,8", "2", "4,12"), 1, 2, 3),
                "tensor 'b': data_offsets [4, 12] overlap those of tensor 'a' [0, 8]");
        assertBad(file(String.format(two, "0,8", "1", "12,16"), 1, 2, 3, 4),
                "tensor 'b': data_offsets [12, 16] leave data bytes 8 to 12 unused");
        assertBad(file(String.format(two, "4,12", "1", "12,16"), 1, 2, 3, 4),
                "tensor 'a': data_offsets [4, 12] leave data bytes 0 to 4 unused");
        assertBad(file(tensorJson("a", "\"F32\"", "[2]", "[0,8]"), 1),
                "tensor 'a': data_offsets [0, 8] go past the end of the data (4 bytes after the header)");
        assertBad(file(tensorJson("a", "\"F32\"", "[1]", "[0,4]"), 1, 2),
                "unexpected bytes after the end of the last tensor's data (data byte 4 of 8)");
    }

    @Test
    void streamsReportTruncationAndTrailingBytesWhenTheyMeetThem() {
        assertStreamBad(file(tensorJson("a", "\"F32\"", "[2]", "[0,8]"), 1),
                "tensor 'a': the file is truncated: data_offsets [0, 8] end past the data, which stops at data byte 4");
        assertStreamBad(file(tensorJson("a", "\"F32\"", "[1]", "[0,4]"), 1, 2),
                "unexpected bytes after the end of the last tensor's data (data byte 4)");
    }

    @Test
    void aMissingFileIsAnIoErrorNamingIt() {
        Path missing = dir.resolve("nope.safetensors");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Safetensors.read(missing));
        assertEquals("cannot read " + missing + ": no such file or directory", e.getMessage());
    }

    // ---- writing ----

    @Test
    void writerRejectsWhatTheFormatCannotHold() {
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.toBytes(Map.of("__metadata__", Tensor.zeros(1))));
        // Tensor itself accepts this shape: its product, 1, matches the data
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.toBytes(Map.of("a", new Tensor(new int[] {-1, -1}, new float[1]))));
    }

    @Test
    void aFailedWriteLeavesTheOldFile() throws IOException {
        Path file = dir.resolve("w.safetensors");
        Safetensors.write(file, Map.of("a", Tensor.zeros(2)));
        byte[] before = Files.readAllBytes(file);

        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("a", new Tensor(new int[] {-1, -1}, new float[1]))));

        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    // ---- helpers ----

    private void assertBad(byte[] content, String expectedProblem) {
        Path file = dir.resolve("w.safetensors");
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataFormatException e = assertThrows(DataFormatException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(expectedProblem), e.getMessage());
        // A stream of the same bytes fails too, though possibly later (it cannot know the file's size).
        assertStreamBad(content, "");
    }

    private static void assertStreamBad(byte[] content, String expectedProblem) {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Safetensors.read(new ByteArrayInputStream(content), "w.safetensors"));
        assertTrue(e.getMessage().startsWith("w.safetensors: ") && e.getMessage().contains(expectedProblem), e.getMessage());
    }

    private static String tensorJson(String name, String dtype, String shape, String offsets) {
        return "{\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    /** A file with this header (unpadded) and these float values as its data. */
    private static byte[] file(String header, float... data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(json.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        body.put(json);
        for (float v : data) body.putFloat(v);
        return withLength(json.length, body.array());
    }

    /** {@code rest} preceded by {@code headerLength} as the 8-byte little-endian prefix. */
    private static byte[] withLength(long headerLength, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).put(rest).array();
    }

    private static float[] randomValues(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = Float.intBitsToFloat(random.nextInt());
        return values;
    }

    /** Tensor.equals compares NaNs loosely; this compares every bit. */
    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).shape(), actual.get(name).shape(), name);
            assertArrayEquals(rawBits(expected.get(name).data()), rawBits(actual.get(name).data()), name);
        }
    }

    private static int[] rawBits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Float.floatToRawIntBits(values[i]);
        return bits;
    }
}
