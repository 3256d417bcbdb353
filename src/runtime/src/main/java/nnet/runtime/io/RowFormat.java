package nnet.runtime.io;

import java.nio.file.Path;

/**
 * A file format of rows besides CSV and NumPy, found with {@link java.util.ServiceLoader} on the
 * class path: {@code nnetc} adds HDF5 (with jhdf), which this runtime, having no dependencies,
 * cannot read itself. Wherever rows are read ({@link DataFiles}), a file this format
 * {@link #reads} is opened by it.
 */
public interface RowFormat {
    /** Whether this format reads {@code file}, by its name. */
    boolean reads(Path file);

    /**
     * The rows (first axis) of the array {@code part} of {@code file}, or with {@code part} null
     * the file's only array of two or more axes. A user's mistake is a {@link UserError} or
     * {@link DataFormatException} naming the file.
     */
    RowSource open(Path file, String part);
}
