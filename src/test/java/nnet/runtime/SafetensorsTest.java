package nnet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path tmp;

    /** A file laid out by hand from the format's definition, not by our writer. */
    private static byte[] handMade(String header, float... data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) b.putFloat(f);
        out.writeBytes(b.array());
        return out.toByteArray();
    }

    @Test
    void readsAFileWrittenByTheSpec() throws IOException {
        Path f = Files.write(tmp.resolve("w.safetensors"), handMade(
                "{\"__metadata__\":{\"format\":\"pt\"},\"h.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                        + "\"h.kernel\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}",
                1, 2, 3, 4, -1, 0.5f));
        Map<String, Tensor> t = Safetensors.read(f);
        assertArrayEquals(new int[] {2, 2}, t.get("h.kernel").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.get("h.kernel").data());
        assertArrayEquals(new float[] {-1, 0.5f}, t.get("h.bias").data());
    }

    @Test
    void writesTheLayoutOfTheSpec() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", new Tensor(new int[] {2}, new float[] {1, -2}));
        byte[] b = Safetensors.toBytes(m);
        long headerLen = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
        String header = new String(b, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"), header);
        ByteBuffer data = ByteBuffer.wrap(b, 8 + (int) headerLen, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1f, data.getFloat());
        assertEquals(-2f, data.getFloat());
    }

    @Test
    void roundTripsShapesAndBits() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("scalar", new Tensor(new int[] {}, new float[] {3}));
        m.put("v", new Tensor(new int[] {3}, new float[] {Float.NaN, -0f, Float.MIN_VALUE}));
        m.put("conv.kernel", new Tensor(new int[] {2, 1, 2, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8}));
        Path f = tmp.resolve("r.safetensors");
        Safetensors.write(f, m);
        Map<String, Tensor> back = Safetensors.read(f);
        assertEquals(m.keySet(), back.keySet());
        for (String k : m.keySet()) {
            assertArrayEquals(m.get(k).shape(), back.get(k).shape());
            for (int i = 0; i < m.get(k).data().length; i++)
                assertEquals(Float.floatToRawIntBits(m.get(k).data()[i]), Float.floatToRawIntBits(back.get(k).data()[i]));
        }
    }

    private void assertBad(byte[] bytes, String expected) throws IOException {
        Path f = Files.write(tmp.resolve("bad.safetensors"), bytes);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("bad.safetensors") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void malformedFilesNameTheFileAndTheTensor() throws IOException {
        assertBad(new byte[] {1, 2, 3}, "shorter than");
        assertBad(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(999999).array(), "header length 999999");
        assertBad(handMade("{\"w\": [1, 2"), "invalid header");
        assertBad(handMade("{\"w\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 0), "tensor 'w': dtype is F16, expected F32");
        assertBad(handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 1, 2, 3, 4, 5, 6), "tensor 'w': shape [2, 3] needs 24 bytes but data_offsets give 20");
        assertBad(handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 1, 2), "tensor 'w': data_offsets [0, 16] lie outside");
        assertBad(handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 1), "dimension -1");
        assertBad(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 1, 2), "overlaps");
    }

    @Test
    void aFailedWriteKeepsTheOldFile() throws IOException {
        Path f = Files.writeString(tmp.resolve("keep.csv"), "old");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary file is left behind");
        }
    }
}
