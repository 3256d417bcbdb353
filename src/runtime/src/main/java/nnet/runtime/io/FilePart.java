package nnet.runtime.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file, or a part of one, as the data flags name them: {@code genotype.h5} (its only 2-D
 * dataset), {@code genotype.h5:/X} (a dataset by path), {@code data.npz:x} (an array),
 * {@code subjects.csv:labels} (a column by its header's name). A spec that names an existing
 * file is that file, colons and all; otherwise the part follows the first colon whose left side
 * is a file.
 *
 * @param part the dataset, array or column, or null for the whole file
 */
public record FilePart(Path file, String part) {
    public static FilePart parse(String spec) {
        Path whole = Path.of(spec);
        if (spec.equals("-") || Files.exists(whole)) return new FilePart(whole, null); // - is standard input
        for (int colon = spec.indexOf(':'); colon > 0; colon = spec.indexOf(':', colon + 1)) {
            Path file = Path.of(spec.substring(0, colon));
            if (Files.isRegularFile(file)) return new FilePart(file, spec.substring(colon + 1));
        }
        return new FilePart(whole, null); // a file that is not there: its reader says so
    }

    /** {@code file:part}, or the file. */
    @Override
    public String toString() {
        return part == null ? file.toString() : file + ":" + part;
    }
}
