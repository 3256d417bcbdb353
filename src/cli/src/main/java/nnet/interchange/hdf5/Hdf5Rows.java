package nnet.interchange.hdf5;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.exceptions.HdfException;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import nnet.runtime.io.BlockRows;
import nnet.runtime.DataFormatException;
import nnet.runtime.io.ElementType;
import nnet.runtime.io.FileRows;
import nnet.runtime.io.RowFormat;
import nnet.runtime.io.RowSource;
import nnet.runtime.UserError;

/**
 * HDF5 datasets as rows (with jhdf, pure Java), for every command that reads rows: GenNet's
 * {@code genotype.h5} ({@code [subjects, SNPs]}) and anything h5py writes of floats, integers and
 * booleans. {@code file.h5} is its only dataset of two or more axes, {@code file.h5:/X} a dataset
 * by path. A contiguous dataset is read from its place in the file like a {@code .npy}; a chunked
 * one (gzip, shuffle, lzf, ...) a band of chunks at a time, the rows of one chunk row being a block.
 * Values stay in the file's dtype until a row is read.
 */
public final class Hdf5Rows implements RowFormat {
    private static final List<String> EXTENSIONS = List.of(".h5", ".hdf5", ".hdf", ".he5");

    @Override
    public boolean reads(Path file) {
        String name = file.toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    @Override
    public RowSource open(Path file, String part) {
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (HdfException e) {
            throw new DataFormatException(file + ": not an HDF5 file, or a damaged one (" + e.getMessage() + ")");
        }
        try {
            Dataset d = part == null ? onlyArray(file, hdf) : dataset(file, hdf, part);
            String name = file + ":" + d.getPath();
            int[] shape = d.getDimensions();
            if (d.isScalar() || shape.length == 0) throw new DataFormatException(name + ": a single value, not an array of rows");
            if (shape[0] == 0) throw new DataFormatException(name + ": no data rows (shape " + Arrays.toString(shape) + ")");
            ElementType type = type(name, d.getDataType());
            if (d instanceof ContiguousDataset c && c.getDataAddress() >= 0) { // stored whole and in order: read like a .npy, jhdf not needed again
                RowSource rows = new FileRows(file, name, hdf.getUserBlockSize() + c.getDataAddress(), type, shape);
                hdf.close();
                return rows;
            }
            return new Chunks(hdf, (DatasetBase) d, name, type, shape);
        } catch (HdfException e) {
            hdf.close();
            throw new DataFormatException(file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            hdf.close();
            throw e;
        }
    }

    private static Dataset dataset(Path file, HdfFile hdf, String part) {
        String path = part.startsWith("/") ? part : "/" + part;
        Node node;
        try {
            node = hdf.getByPath(path);
        } catch (HdfException e) {
            node = null;
        }
        if (node instanceof Dataset d) return d;
        throw new UserError(file + " has no dataset " + path + (node != null ? " (it is a group)" : "") + "; its datasets are " + listing(datasets(hdf)));
    }

    /** The file's only dataset of two or more axes (GenNet's {@code X}, or {@code data}). */
    private static Dataset onlyArray(Path file, HdfFile hdf) {
        List<Dataset> all = datasets(hdf);
        List<Dataset> arrays = all.stream().filter(d -> d.getDimensions().length >= 2).toList();
        if (arrays.size() == 1) return arrays.get(0);
        if (arrays.isEmpty() && all.size() == 1) return all.get(0); // one 1-D dataset: a column
        throw new UserError(file + " holds " + (arrays.isEmpty() ? "no dataset of two or more axes" : arrays.size() + " datasets of two or more axes")
                + " (" + listing(all) + "): name one, as " + file + ":" + (arrays.isEmpty() ? all.isEmpty() ? "/X" : all.get(0).getPath() : arrays.get(0).getPath()));
    }

    private static List<Dataset> datasets(Group g) {
        List<Dataset> out = new ArrayList<>();
        for (Node n : g.getChildren().values()) {
            if (n instanceof Dataset d) out.add(d);
            else if (n instanceof Group child) out.addAll(datasets(child));
        }
        return out;
    }

    private static String listing(List<Dataset> datasets) {
        if (datasets.isEmpty()) return "none";
        return String.join(", ", datasets.stream().map(d -> d.getPath() + " " + Arrays.toString(d.getDimensions())).toList());
    }

    /** The dtype as {@link ElementType}: floats, integers, and h5py's booleans (an enum over int8). */
    private static ElementType type(String name, DataType t) {
        if (t instanceof EnumDataType e && e.getBaseType() instanceof FixedPoint base && base.getSize() == 1) t = base;
        if (t instanceof FixedPoint f && ElementType.supported(f.isSigned() ? 'i' : 'u', f.getSize()))
            return new ElementType(f.isSigned() ? 'i' : 'u', f.getSize(), f.getByteOrder());
        if (t instanceof FloatingPoint f && ElementType.supported('f', f.getSize())) return new ElementType('f', f.getSize(), f.getByteOrder());
        throw new DataFormatException(name + ": holds " + t.getClass().getSimpleName() + " values of " + t.getSize()
                + " bytes; rows are read from numbers (floats, integers or booleans)");
    }

    /** A chunked dataset (a band of chunk rows a block), or another kept in the file's header or not yet written (one block). */
    private static final class Chunks extends BlockRows {
        private final HdfFile hdf;
        private final DatasetBase dataset;
        private final ChunkBands bands;

        Chunks(HdfFile hdf, DatasetBase dataset, String name, ElementType type, int[] shape) {
            this(hdf, dataset, name, type, shape, dataset instanceof ChunkedDataset c ? new ChunkBands(c, name, type, shape) : null);
        }

        private Chunks(HdfFile hdf, DatasetBase dataset, String name, ElementType type, int[] shape, ChunkBands bands) {
            super(name, shape, type, bands != null ? bands.bandRows() : shape[0]);
            this.hdf = hdf;
            this.dataset = dataset;
            this.bands = bands;
        }

        @Override
        protected void readBlock(int block, byte[] into) {
            int first = block * blockRows(), rows = into.length / rowBytes();
            try {
                if (bands != null) bands.read(first, rows, into);
                else dataset.getDataBuffer().get(into); // one block: the whole dataset
            } catch (HdfException e) {
                throw new DataFormatException(name() + ": rows " + first + " to " + (first + rows - 1) + " cannot be read: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            hdf.close();
        }
    }
}
