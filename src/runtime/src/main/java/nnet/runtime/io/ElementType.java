package nnet.runtime.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The type of an array's values as a data file stores them (NumPy's dtypes, HDF5's fixed- and
 * floating-point types), and how they become float32 as NumPy's {@code astype(np.float32)} makes
 * them: floats of 2, 4 or 8 bytes, signed and unsigned integers of 1, 2, 4 or 8 bytes (rounded to
 * the nearest float), and booleans (0 or 1), in either byte order. Arrays keep their file's
 * bytes (a genotype of {@code uint8} stays one byte) and are widened a row at a time.
 *
 * @param kind {@code 'f'} float, {@code 'i'} signed integer, {@code 'u'} unsigned integer, {@code 'b'} boolean (NumPy's letters)
 * @param size bytes per value
 */
public record ElementType(char kind, int size, ByteOrder order) {
    public ElementType {
        boolean known = switch (kind) {
            case 'f' -> size == 2 || size == 4 || size == 8;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'b' -> size == 1;
            default -> false;
        };
        if (!known) throw new IllegalArgumentException("no element type " + kind + size);
    }

    /** Whether {@code kind} of {@code size} bytes is one of these types. */
    public static boolean supported(char kind, int size) {
        try {
            new ElementType(kind, size, ByteOrder.LITTLE_ENDIAN);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** NumPy's name of the type: {@code uint8}, {@code float32}, {@code bool}. */
    public String numpyName() {
        return switch (kind) {
            case 'f' -> "float" + size * 8;
            case 'i' -> "int" + size * 8;
            case 'u' -> "uint" + size * 8;
            default -> "bool";
        };
    }

    /**
     * Widens {@code count} values from {@code src} (starting at byte {@code from}, this type's bytes
     * back to back) into {@code into[at ..]}.
     */
    public void widen(byte[] src, int from, int count, float[] into, int at) {
        if (size == 1) { // the genotypes' case, one byte per value: no buffer in the way
            switch (kind) {
                case 'u' -> {
                    for (int i = 0; i < count; i++) into[at + i] = src[from + i] & 0xFF;
                }
                case 'b' -> {
                    for (int i = 0; i < count; i++) into[at + i] = src[from + i] != 0 ? 1 : 0;
                }
                default -> {
                    for (int i = 0; i < count; i++) into[at + i] = src[from + i];
                }
            }
            return;
        }
        ByteBuffer buf = ByteBuffer.wrap(src).order(order);
        for (int i = 0, p = from; i < count; i++, p += size) into[at + i] = get(buf, p);
    }

    /** The value at byte {@code index} of {@code buf} (absolute, in this type's order; {@code buf}'s order is set). */
    private float get(ByteBuffer buf, int index) {
        return switch (kind) {
            case 'f' -> size == 4 ? buf.getFloat(index) : size == 8 ? (float) buf.getDouble(index) : halfToFloat(buf.getShort(index));
            case 'u' -> switch (size) {
                case 2 -> Short.toUnsignedInt(buf.getShort(index));
                case 4 -> Integer.toUnsignedLong(buf.getInt(index));
                default -> unsignedToFloat(buf.getLong(index));
            };
            default -> switch (size) {
                case 2 -> buf.getShort(index);
                case 4 -> buf.getInt(index);
                default -> buf.getLong(index);
            };
        };
    }

    /** A uint64 rounded to the nearest float (a long's conversion would read the top half as negative). */
    private static float unsignedToFloat(long v) {
        if (v >= 0) return v;
        // halve keeping the lowest bit (so rounding still sees it), convert, double: exact but for that rounding
        return 2f * ((v >>> 1) | (v & 1));
    }

    /** IEEE 754 binary16 (NumPy's float16) to float, exactly: every half is a float. */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF, sign = (bits >>> 15) << 31, exponent = (bits >>> 10) & 0x1F, mantissa = bits & 0x3FF;
        if (exponent == 0) return Math.copySign(mantissa * 0x1p-24f, sign != 0 ? -1f : 1f); // zeros (-0 too) and subnormals
        if (exponent == 31) return Float.intBitsToFloat(sign | 0x7F800000 | mantissa << 13); // infinities and NaN
        return Float.intBitsToFloat(sign | (exponent - 15 + 127) << 23 | mantissa << 13);
    }
}
