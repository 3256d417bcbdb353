package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.IntTensor;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;

import nnet.runtime.math.SparseIndex;

import java.util.Arrays;
import java.util.Map;

/**
 * A kernel by its present connections, as a weights file holds it compact (LANGUAGE.md §6):
 * {@code <kernel>.values} F32 {@code [nnz]}, {@code <kernel>.indices} I32 {@code [2, nnz]} (row 0 the
 * input of each value, row 1 its unit) and {@code <kernel>.shape} I32 {@code [2]} (inputs, units).
 * That is the COO triple of {@code torch.sparse_coo_tensor(indices, values, shape)} and of
 * {@code scipy.sparse.coo_matrix((values, (indices[0], indices[1])), shape)}: 12 bytes per
 * connection, whatever the dense shape. Written in row-major order; read in any order.
 *
 * @param index  the present connections, compressed sparse rows
 * @param values one per connection, in the index's (row-major) order
 */
public record CompactKernel(SparseIndex index, float[] values) {
    public static final String VALUES = ".values", INDICES = ".indices", SHAPE = ".shape";

    public CompactKernel {
        if (values.length != index.count()) throw new IllegalArgumentException(values.length + " values for " + index.count() + " connections");
    }

    /** Adds the three tensors of {@code kernelName} to {@code out}. */
    public void putInto(Map<String, StoredTensor> out, String kernelName) {
        out.put(kernelName + VALUES, new Tensor(new int[] {values.length}, values));
        putIndex(out, kernelName, index);
    }

    /** The index and shape tensors alone (a network's structure resource, which holds no values). */
    public static void putIndex(Map<String, StoredTensor> out, String kernelName, SparseIndex index) {
        int nnz = index.count();
        int[] pairs = new int[2 * nnz];
        for (int i = 0; i < index.rows(); i++)
            for (int k = index.rowStart()[i]; k < index.rowStart()[i + 1]; k++) {
                pairs[k] = i;
                pairs[nnz + k] = index.colIndex()[k];
            }
        out.put(kernelName + INDICES, new IntTensor(new int[] {2, nnz}, pairs));
        out.put(kernelName + SHAPE, new IntTensor(new int[] {2}, new int[] {index.rows(), index.cols()}));
    }

    /** Whether {@code file} holds {@code kernelName} compact (any of its tensors). */
    public static boolean isIn(Map<String, ? extends StoredTensor> file, String kernelName) {
        return file.containsKey(kernelName + VALUES) || file.containsKey(kernelName + INDICES);
    }

    /** Whether {@code tensorName} is one of the three tensors of a compact kernel. */
    public static String kernelOf(String tensorName) {
        for (String suffix : new String[] {VALUES, INDICES, SHAPE})
            if (tensorName.endsWith(suffix)) return tensorName.substring(0, tensorName.length() - suffix.length());
        return null;
    }

    /** Reads {@code kernelName} from a file's tensors; every inconsistency is a {@link DataFormatException} naming the tensor. */
    public static CompactKernel read(Map<String, ? extends StoredTensor> file, String kernelName) {
        int[] shape = ints(file, kernelName + SHAPE, 1);
        if (shape.length != 2 || shape[0] < 1 || shape[1] < 1)
            throw error(kernelName + SHAPE, "should be two positive sizes [inputs, units], found " + Arrays.toString(shape));
        StoredTensor v = file.get(kernelName + VALUES);
        if (!(v instanceof Tensor values) || values.shape().length != 1)
            throw error(kernelName + VALUES, v == null ? "is missing (a compact kernel has .values, .indices and .shape)" : "should be F32 [nnz], found " + v.dtype() + Arrays.toString(v.shape()));
        int nnz = values.data().length;
        int[] pairs = ints(file, kernelName + INDICES, 2);
        if (file.get(kernelName + INDICES).shape()[0] != 2 || pairs.length != 2 * nnz)
            throw error(kernelName + INDICES, "should be I32 [2, " + nnz + "] (inputs, units) for " + nnz + " values, found " + Arrays.toString(file.get(kernelName + INDICES).shape()));
        int n = shape[0], m = shape[1];
        for (int k = 0; k < nnz; k++) {
            int i = pairs[k], j = pairs[nnz + k];
            if (i < 0 || i >= n || j < 0 || j >= m)
                throw error(kernelName + INDICES, "connection " + k + " is (" + i + ", " + j + "), outside the kernel's " + n + " x " + m);
        }
        return fromPairs(n, m, pairs, nnz, values.data(), kernelName);
    }

    /** The connections of {@code kernelName} alone, from its index and shape (values, if there, are not needed). */
    public static SparseIndex readIndex(Map<String, ? extends StoredTensor> file, String kernelName) {
        if (file.containsKey(kernelName + VALUES)) return read(file, kernelName).index();
        StoredTensor indices = file.get(kernelName + INDICES);
        int nnz = indices == null ? 0 : indices.length() / 2;
        Map<String, StoredTensor> withValues = new java.util.HashMap<>(file);
        withValues.put(kernelName + VALUES, new Tensor(new int[] {nnz}, new float[nnz]));
        return read(withValues, kernelName).index();
    }

    /**
     * A 0/1 structure tensor (a sparse kernel's {@code h.freeze_mask}) in either form: dense
     * {@code [n, m]} under {@code maskName}, or compact as {@code <maskName>.indices} and
     * {@code <maskName>.shape} (the present entries; a mask needs no values). Null when absent.
     */
    public static SparseIndex readMask(Map<String, ? extends StoredTensor> file, String maskName) {
        if (file.containsKey(maskName + INDICES)) return readIndex(file, maskName);
        StoredTensor t = file.get(maskName);
        if (t == null) return null;
        if (!(t instanceof Tensor dense) || dense.shape().length != 2)
            throw error(maskName, "should be an F32 [inputs, units] mask, found " + t.dtype() + Arrays.toString(t.shape()));
        try {
            return SparseIndex.fromMask(dense);
        } catch (IllegalArgumentException e) {
            throw error(maskName, e.getMessage());
        }
    }

    /** Adds a 0/1 structure tensor to {@code out}: compact (its indices and shape) or as the dense {@code [n, m]} mask. */
    public static void putMask(Map<String, StoredTensor> out, String maskName, SparseIndex mask, boolean compact) {
        if (compact) putIndex(out, maskName, mask);
        else {
            SparseWeights.checkDense(maskName, mask.rows(), mask.cols());
            out.put(maskName, mask.toMask());
        }
    }

    /** Sorts the pairs into compressed sparse rows, their values with them: O(n + nnz log(row length)). */
    private static CompactKernel fromPairs(int n, int m, int[] pairs, int nnz, float[] v, String kernelName) {
        int[] start = new int[n + 1];
        for (int k = 0; k < nnz; k++) start[pairs[k] + 1]++;
        for (int i = 0; i < n; i++) start[i + 1] += start[i];
        int[] next = Arrays.copyOf(start, n);
        long[] keyed = new long[nnz]; // (column << 32 | original position), sorted within each row
        for (int k = 0; k < nnz; k++) keyed[next[pairs[k]]++] = ((long) pairs[nnz + k] << 32) | k;
        int[] col = new int[nnz];
        float[] values = new float[nnz];
        for (int i = 0; i < n; i++) {
            Arrays.sort(keyed, start[i], start[i + 1]);
            for (int k = start[i]; k < start[i + 1]; k++) {
                col[k] = (int) (keyed[k] >>> 32);
                values[k] = v[(int) keyed[k]];
                if (k > start[i] && col[k] == col[k - 1])
                    throw error(kernelName + INDICES, "lists the connection (" + i + ", " + col[k] + ") twice");
            }
        }
        return new CompactKernel(new SparseIndex(n, m, start, col), values);
    }

    private static int[] ints(Map<String, ? extends StoredTensor> file, String name, int rank) {
        StoredTensor t = file.get(name);
        if (t == null) throw error(name, "is missing (a compact kernel has .values, .indices and .shape)");
        if (!(t instanceof IntTensor it) || it.shape().length != rank)
            throw error(name, "should be I32 of rank " + rank + ", found " + t.dtype() + Arrays.toString(t.shape()));
        return it.data();
    }

    private static DataFormatException error(String tensor, String problem) {
        return new DataFormatException("weights: tensor '" + tensor + "' " + problem);
    }

    /** The dense {@code [inputs, units]} kernel, 0 at absent connections. */
    public Tensor toDense() {
        return toDense("this kernel");
    }

    /** {@link #toDense()}; {@code name} names the kernel when it is too large to be dense. */
    public Tensor toDense(String name) {
        SparseWeights.checkDense(name, index.rows(), index.cols());
        float[] d = new float[index.rows() * index.cols()];
        for (int i = 0; i < index.rows(); i++)
            for (int k = index.rowStart()[i]; k < index.rowStart()[i + 1]; k++) d[i * index.cols() + index.colIndex()[k]] = values[k];
        return new Tensor(new int[] {index.rows(), index.cols()}, d);
    }

    /** The values of a dense {@code [inputs, units]} kernel at {@code index}'s connections. */
    public static CompactKernel of(Tensor dense, SparseIndex index) {
        float[] v = new float[index.count()];
        for (int i = 0; i < index.rows(); i++)
            for (int k = index.rowStart()[i]; k < index.rowStart()[i + 1]; k++) v[k] = dense.data()[i * index.cols() + index.colIndex()[k]];
        return new CompactKernel(index, v);
    }

    /**
     * Every tensor of a file dense: each compact kernel {@code h.kernel} as its dense values and its
     * 0/1 mask {@code h.mask}, each compact mask {@code h.freeze_mask} as its dense 0/1 tensor.
     */
    public static Map<String, Tensor> dense(Map<String, ? extends StoredTensor> file, String fileName) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        try {
            file.forEach((name, t) -> {
                String kernel = kernelOf(name);
                if (kernel != null && WeightsFile.isStructure(kernel)) { // a compact mask: written once, at its indices
                    if (!name.endsWith(INDICES)) return;
                    SparseIndex mask = readIndex(file, kernel);
                    SparseWeights.checkDense(kernel + " (this command needs it dense)", mask.rows(), mask.cols());
                    out.put(kernel, mask.toMask());
                } else if (kernel != null && file.containsKey(kernel + INDICES)) { // one of the three: the kernel is written once, at its values
                    if (!name.endsWith(VALUES)) return;
                    CompactKernel c = read(file, kernel);
                    out.put(kernel, c.toDense(kernel + " (this command needs it dense)"));
                    out.put(kernel.endsWith(".kernel") ? kernel.substring(0, kernel.length() - ".kernel".length()) + ".mask" : kernel + ".mask", c.index().toMask());
                } else if (t instanceof Tensor f) out.put(name, f);
                else throw new DataFormatException("weights: tensor '" + name + "' is " + t.dtype() + ", not part of a compact kernel");
            });
        } catch (DataFormatException e) {
            throw new DataFormatException(fileName + ": " + e.getMessage().replaceFirst("^weights: ", ""), e);
        }
        return out;
    }
}
