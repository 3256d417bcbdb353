package nnet.runtime.io;

import nnet.runtime.Tensor;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rows read from a file a block at a time and kept in the file's dtype: the blocks read last are
 * kept (least recently used out first), as many as {@link #keepRows} asks for, and a row is
 * widened to floats when it is read. What a block is belongs to the format: a run of rows of a
 * {@code .npy} ({@link FileRows}), the rows of a band of HDF5 chunks.
 */
public abstract class BlockRows implements RowSource {
    /** Blocks kept when reading in order: the one being read and the one before (a batch may straddle them). */
    private static final int IN_ORDER = 2;

    private final String name;
    private final int[] shape;
    private final ElementType type;
    private final int width, blockRows, blocks;
    private final Map<Integer, byte[]> kept = new LinkedHashMap<>(16, 0.75f, true);
    private int capacity = IN_ORDER;
    /** The block read last, looked up before the map: rows in order ask for it again and again. */
    private int lastBlock = -1;
    private byte[] last;
    /** Blocks read from the file: a test's measure of locality. */
    private long reads;

    protected BlockRows(String name, int[] shape, ElementType type, int blockRows) {
        if (shape.length == 0 || shape[0] < 1) throw new IllegalArgumentException("rows of " + Arrays.toString(shape));
        this.name = name;
        this.shape = shape.clone();
        this.type = type;
        this.width = Math.toIntExact(Tensor.size(Arrays.copyOfRange(shape, 1, shape.length)));
        this.blockRows = Math.max(1, Math.min(blockRows, shape[0]));
        this.blocks = (shape[0] + this.blockRows - 1) / this.blockRows;
    }

    /**
     * Reads block {@code block} (rows {@code block * blockRows()} up to the next block or the end)
     * into {@code into}: the rows' values back to back, row-major, in {@link #type()}'s bytes.
     */
    protected abstract void readBlock(int block, byte[] into);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int[] shape() {
        return shape.clone();
    }

    @Override
    public final int width() {
        return width;
    }

    @Override
    public final int blockRows() {
        return blockRows;
    }

    @Override
    public final int rowBytes() {
        return width * type.size();
    }

    public final ElementType type() {
        return type;
    }

    /** Blocks read from the file so far. */
    public final long blocksRead() {
        return reads;
    }

    @Override
    public final void keepRows(int rows) {
        capacity = (int) Math.min(blocks, Math.max(IN_ORDER, ((long) rows + blockRows - 1) / blockRows + 1));
        while (kept.size() > capacity) evictOldest();
    }

    @Override
    public final void read(int row, float[] into, int at) {
        if (row < 0 || row >= shape[0]) throw new IndexOutOfBoundsException(name + ": row " + row + " of " + shape[0]);
        int block = row / blockRows;
        byte[] bytes = block == lastBlock ? last : block(block);
        type.widen(bytes, (row - block * blockRows) * width * type.size(), width, into, at);
    }

    private byte[] block(int block) {
        byte[] bytes = kept.get(block);
        if (bytes == null) {
            int rowsIn = Math.min(blockRows, shape[0] - block * blockRows);
            byte[] recycled = kept.size() >= capacity ? evictOldest() : null;
            int size = Math.multiplyExact(rowsIn, rowBytes());
            bytes = recycled != null && recycled.length == size ? recycled : new byte[size];
            readBlock(block, bytes);
            reads++;
            kept.put(block, bytes);
        }
        lastBlock = block;
        last = bytes;
        return bytes;
    }

    /** Drops the block used longest ago, and returns its array for the next block to reuse. */
    private byte[] evictOldest() {
        Iterator<Map.Entry<Integer, byte[]>> oldest = kept.entrySet().iterator();
        Map.Entry<Integer, byte[]> e = oldest.next();
        oldest.remove();
        if (e.getKey() == lastBlock) {
            lastBlock = -1;
            last = null;
        }
        return e.getValue();
    }
}
