package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.Tensor;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The rows of an array stored row-major from a byte offset of a file ({@code .npy} data, an HDF5
 * dataset's contiguous storage), read a block of rows at a time with positional reads. Not memory
 * mapped: Java 17 cannot unmap a file before the collector frees the mapping, and mapped pages
 * count in the process's resident memory, so a pass over a 12 GB file would show 12 GB resident;
 * reads into the kept blocks cost a copy from the page cache and keep memory at the blocks kept.
 */
public final class FileRows extends BlockRows {
    /** About this many bytes a block: large reads from the page cache, few blocks to keep for a window. */
    static final int BLOCK_BYTES = 1 << 22;

    private final Path file;
    private final long start;
    private final FileChannel channel;

    /** The rows of {@code shape[0]} by the rest, of {@code type}, from byte {@code start} of {@code file}. */
    public FileRows(Path file, long start, ElementType type, int[] shape) {
        this(file, file.toString(), start, type, shape);
    }

    /** The same, called {@code name} in messages (a dataset in the file). */
    public FileRows(Path file, String name, long start, ElementType type, int[] shape) {
        this(file, name, start, type, shape, rowsPerBlock(type, shape));
    }

    /** The same, {@code blockRows} rows a block (tests use small blocks). */
    FileRows(Path file, String name, long start, ElementType type, int[] shape, int blockRows) {
        super(name, shape, type, blockRows);
        this.file = file;
        this.start = start;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw IoErrors.failure("read", file.toString(), e);
        }
    }

    private static int rowsPerBlock(ElementType type, int[] shape) {
        long rowBytes = type.size() * Tensor.size(java.util.Arrays.copyOfRange(shape, 1, shape.length));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, BLOCK_BYTES / Math.max(1, rowBytes)));
    }

    @Override
    protected void readBlock(int block, byte[] into) {
        ByteBuffer buf = ByteBuffer.wrap(into);
        long at = start + (long) block * blockRows() * rowBytes();
        try {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, at + buf.position());
                if (n < 0) throw new EOFException();
            }
        } catch (EOFException e) {
            throw new DataFormatException(name() + ": the file ends inside the rows of block " + block + " (was it cut short?)");
        } catch (IOException e) {
            throw IoErrors.failure("read", file.toString(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only: nothing is lost
        }
    }
}
