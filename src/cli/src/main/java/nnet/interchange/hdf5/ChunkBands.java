package nnet.interchange.hdf5;

import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.exceptions.HdfException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import nnet.runtime.DataFormatException;
import nnet.runtime.io.ElementType;

/**
 * The rows of a chunked dataset, a band of chunks at a time: every chunk whose first axis starts at
 * the band's first row, decompressed once by jhdf and copied into the band's rows (row-major over
 * the whole width). A chunk never written holds the dataset's fill value, as HDF5 and h5py read it
 * (jhdf's own readers return zeros there).
 */
final class ChunkBands {
    private final ChunkedDataset dataset;
    private final String name;
    private final int[] shape, chunk;
    private final int size;
    /** One value of the fill value, in the type's bytes. */
    private final byte[] fill;

    ChunkBands(ChunkedDataset dataset, String name, ElementType type, int[] shape) {
        this.dataset = dataset;
        this.name = name;
        this.shape = shape;
        this.chunk = dataset.getChunkDimensions();
        this.size = type.size();
        this.fill = fillBytes(type, dataset.getFillValue());
    }

    int bandRows() {
        return chunk[0];
    }

    /** Rows {@code first} to {@code first + rows - 1} (one band: {@code first} a multiple of the chunk's rows) into {@code into}. */
    void read(int first, int rows, byte[] into) {
        int rank = shape.length;
        int[] grid = new int[rank], at = new int[rank]; // the chunk's position in the chunk grid, axes 1.. (axis 0 is the band)
        for (int k = 1; k < rank; k++) grid[k] = (shape[k] + chunk[k] - 1) / chunk[k];
        do {
            int[] offset = new int[rank];
            offset[0] = first;
            for (int k = 1; k < rank; k++) offset[k] = at[k] * chunk[k];
            byte[] data = chunkAt(offset);
            copy(data, offset, rows, into);
        } while (next(at, grid));
    }

    /** The chunk at {@code offset}, decompressed, or one of fill values if it was never written. */
    private byte[] chunkAt(int[] offset) {
        try {
            return dataset.getDecompressedChunk(offset);
        } catch (HdfException e) {
            // jhdf says a chunk is absent only by this message; anything else is a damaged file
            if (e.getMessage() == null || !e.getMessage().startsWith("No chunk with offset"))
                throw new DataFormatException(name + ": the chunk at " + Arrays.toString(offset) + " cannot be read: " + e.getMessage());
            int values = 1;
            for (int c : chunk) values *= c;
            byte[] filled = new byte[values * size];
            for (int i = 0; i < filled.length; i += size) System.arraycopy(fill, 0, filled, i, size);
            return filled;
        }
    }

    /** Copies the part of a chunk inside the dataset (edge chunks are stored whole) into the band's rows. */
    private void copy(byte[] data, int[] offset, int rows, byte[] into) {
        int rank = shape.length, last = rank - 1;
        int[] extent = new int[rank]; // of the chunk, inside the dataset (and the band)
        extent[0] = Math.min(chunk[0], rows);
        for (int k = 1; k < rank; k++) extent[k] = Math.min(chunk[k], shape[k] - offset[k]);
        int run = (rank == 1 ? extent[0] : extent[last]) * size;
        if (rank == 1) {
            System.arraycopy(data, 0, into, 0, run);
            return;
        }
        int[] i = new int[rank];
        do { // over the chunk's positions on every axis but the last: one run of the last axis each
            long src = 0, dst = 0;
            for (int k = 0; k < rank; k++) {
                src = src * chunk[k] + i[k];
                dst = dst * shape[k] + (k == 0 ? i[0] : offset[k] + i[k]);
            }
            System.arraycopy(data, Math.toIntExact(src * size), into, Math.toIntExact(dst * size), run);
        } while (next(i, extent, last));
    }

    /** The next position of an odometer over axes 1.. below {@code limit}; false after the last. */
    private static boolean next(int[] at, int[] limit) {
        for (int k = at.length - 1; k >= 1; k--) {
            if (++at[k] < limit[k]) return true;
            at[k] = 0;
        }
        return false;
    }

    /** The next position over axes 0 to {@code end - 1} below {@code limit}; false after the last. */
    private static boolean next(int[] at, int[] limit, int end) {
        for (int k = end - 1; k >= 0; k--) {
            if (++at[k] < limit[k]) return true;
            at[k] = 0;
        }
        return false;
    }

    /** The fill value in the type's bytes (0 when the file sets none, HDF5's default). */
    private static byte[] fillBytes(ElementType type, Object value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(type.order());
        if (value instanceof Number n) {
            switch (type.kind()) {
                case 'f' -> {
                    if (type.size() == 4) b.putFloat(n.floatValue());
                    else if (type.size() == 8) b.putDouble(n.doubleValue());
                    else if (n.doubleValue() != 0) throw new DataFormatException("a float16 dataset with a fill value other than 0 is not read here");
                }
                default -> {
                    long v = n.longValue();
                    for (int k = 0; k < type.size(); k++) b.put((byte) (type.order() == java.nio.ByteOrder.LITTLE_ENDIAN ? v >>> 8 * k : v >>> 8 * (type.size() - 1 - k)));
                }
            }
        }
        return Arrays.copyOf(b.array(), type.size());
    }
}
