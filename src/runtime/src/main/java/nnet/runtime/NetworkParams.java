package nnet.runtime;

import nnet.runtime.io.CompactKernel;

import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.math.ConvPlan;
import nnet.runtime.math.SparseIndex;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights of one compiled network by name, as its generated constructor registers them (the
 * registration methods of {@link CompiledNetwork} hand their calls on to here), and the structure
 * resource they are built from: masks, fixed values, the connections of sparse kernels. A training
 * replica's or an attribution pass's params share the arrays of the network they were made from.
 */
final class NetworkParams {
    final Map<String, ParamStorage> byName = new LinkedHashMap<>();
    /** Masks, fixed values and the connections of sparse kernels (compact indices), loaded from the class's structure resource; saved with the weights. */
    final Map<String, StoredTensor> structure;
    /** The network's class name, for messages. */
    private final String network;
    /** The params whose arrays these share, or null. */
    private final NetworkParams sharedWith;

    NetworkParams(Class<?> network, NetworkParams sharedWith) {
        this.network = network.getName();
        this.structure = readStructure(network);
        this.sharedWith = sharedWith;
    }

    /** The resource {@code <Class>.structure.safetensors} beside the class, or nothing if the network has none. */
    private static Map<String, StoredTensor> readStructure(Class<?> c) {
        String resource = c.getSimpleName() + ".structure.safetensors";
        try (InputStream in = c.getResourceAsStream(resource)) {
            return in == null ? Map.of() : Safetensors.readStored(in, resource);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    ParamStorage get(String paramName) {
        return byName.get(paramName);
    }

    /**
     * A fully connected kernel {@code [n, m]} kept as rows, so loops over units run over one array;
     * each row padded with zeros to a multiple of {@link CompiledNetwork#ROW_ALIGN} (they never train: their
     * gradient is 0). {@code frozenName} names the structure tensor of its frozen entries, or is null.
     */
    float[][] dense(String paramName, int n, int m, String frozenName) {
        float[][] rows = sharedWith != null ? sharedWith.get(paramName).values : new float[n][CompiledNetwork.paddedRow(m)];
        byName.put(paramName, new ParamStorage(paramName, new int[] {n, m}, rows, (i, j) -> j < m ? i * m + j : -1, frozen(frozenName)));
        return rows;
    }

    /**
     * A kernel with absent connections: only present values are stored, unit by unit (column order,
     * the order a forward pass over a tile reads them). A stored value at an absent position of a
     * weights file is ignored on load: kernels trained elsewhere by multiplying a mask in still hold
     * their old values there.
     */
    SparseParam sparse(String paramName, String maskName, String frozenName, int columns) {
        boolean compact = structure.containsKey(paramName + CompactKernel.INDICES);
        SparseIndex rows = compact ? CompactKernel.readIndex(structure, paramName) : repeated(SparseIndex.fromMask(structure(maskName)), columns);
        SparseParam p = SparseParam.of(sharedWith != null ? sharedWith.get(paramName).values[0] : new float[rows.count()], rows);
        int n = rows.rows(), m = rows.cols();
        int[] colOf = p.columnOfEach();
        ParamStorage.Layout rowMajor = (long) n * m <= SparseWeights.MAX_DENSE ? (seg, k) -> p.rowIndex()[k] * m + colOf[k] : (seg, k) -> {
            throw new UserError(paramName + " is " + n + " x " + m + ", too large for a dense tensor; use its compact form (--sparse-weights auto)");
        };
        ParamStorage storage = new ParamStorage(paramName, new int[] {n, m}, new float[][] {p.values()}, rowMajor, null);
        if (frozenName != null) { // by the mask's entries (compact for a kernel of any size), never a dense [n, m] tensor
            SparseIndex frozen = CompactKernel.readMask(structure, frozenName);
            if (frozen == null) throw new IllegalStateException(network + ": structure resource lacks " + frozenName);
            int[] rowOf = p.rowIndex();
            storage.leaveOut((seg, k) -> Arrays.binarySearch(frozen.colIndex(), frozen.rowStart()[rowOf[k]], frozen.rowStart()[rowOf[k] + 1], colOf[k]) >= 0);
            storage.frozen = frozen;
            storage.frozenName = frozenName;
        }
        if (compact) {
            storage.connections = rows;
            storage.storedAt = p.position();
            storage.maskName = maskName;
        }
        byName.put(paramName, storage);
        return p;
    }

    /** An lstm kernel's mask has a column per unit and repeats for each gate: its index over all {@code columns}. */
    private static SparseIndex repeated(SparseIndex unitPattern, int columns) {
        if (unitPattern.cols() == columns) return unitPattern;
        Tensor mask = unitPattern.toMask();
        int units = unitPattern.cols();
        return SparseIndex.of(unitPattern.rows(), columns, (i, j) -> mask.data()[i * units + j % units] == 1);
    }

    private Tensor frozen(String frozenName) {
        return frozenName == null ? null : structure(frozenName);
    }

    /** Fixed values of a kernel with absent connections, stored unit by unit like {@link #sparse}'s; not a weight. */
    SparseParam fixedSparse(String valuesName, String maskName) {
        SparseIndex rows = SparseIndex.fromMask(structure(maskName));
        float[] all = structure(valuesName).data();
        SparseParam p = SparseParam.of(new float[rows.count()], rows);
        int m = rows.cols();
        int[] colOf = p.columnOfEach();
        for (int k = 0; k < p.values().length; k++) p.values()[k] = all[p.rowIndex()[k] * m + colOf[k]];
        return p;
    }

    /**
     * A weight tensor kept flat, row-major (biases, lstm kernels). With {@code maskName} (a bias
     * mask, repeated over rows), entries the mask marks absent are held at 0 whatever the file
     * says, and never train.
     */
    float[] flat(String paramName, int[] shape, String maskName) {
        int size = (int) Tensor.size(shape);
        if (maskName == null) return flat(paramName, shape, null, null);
        float[] present = structure(maskName).data(), absent = new float[size];
        for (int k = 0; k < size; k++) absent[k] = present[k % present.length] == 0 ? 1 : 0;
        return flat(paramName, shape, absent, null);
    }

    /**
     * A conv2d kernel {@code [filters, C, kh, kw]}, flat. With {@code tableName} (the {@code C x filters}
     * channel table), the entries of absent channel pairs are held at 0 and never train; with
     * {@code frozenName} (a table of the same shape), the taps of frozen pairs keep their value.
     */
    float[] conv(String paramName, int[] shape, String tableName, String frozenName) {
        return flat(paramName, shape, tableName == null ? null : everyTap(shape, tableName, 0), frozenName == null ? null : everyTap(shape, frozenName, 1));
    }

    /** Per entry of a conv kernel, 1 where its (channel, filter) pair's entry in the table is {@code value}. */
    private float[] everyTap(int[] shape, String tableName, float value) {
        float[] table = structure(tableName).data(), out = new float[(int) Tensor.size(shape)];
        int filters = shape[0], channels = shape[1], taps = shape[2] * shape[3];
        for (int k = 0; k < out.length; k++) out[k] = table[(k / taps % channels) * filters + k / (taps * channels)] == value ? 1 : 0;
        return out;
    }

    /** The present (input channel, filter) pairs of a conv2d, as {@code [i0, o0, i1, o1, ...]}: its loops visit these only. */
    int[] channelPairs(String tableName, int channels, int filters) {
        float[] table = tableName == null ? null : structure(tableName).data();
        return ConvPlan.pairs(channels, filters, (i, o) -> table == null || table[i * filters + o] != 0);
    }

    /**
     * A flat param; entries where {@code absent} is non-zero are 0 after every load and never train,
     * entries where {@code frozen} is non-zero keep what was loaded.
     */
    private float[] flat(String paramName, int[] shape, float[] absent, float[] frozen) {
        float[] v = sharedWith != null ? sharedWith.get(paramName).values[0] : new float[(int) Tensor.size(shape)];
        int[] zeroed = absent == null ? new int[0] : java.util.stream.IntStream.range(0, absent.length).filter(k -> absent[k] != 0).toArray();
        ParamStorage p = new ParamStorage(paramName, shape, new float[][] {v}, (seg, k) -> k, null) {
            @Override
            void load(float[] src) {
                super.load(src);
                for (int k : zeroed) v[k] = 0;
            }
        };
        if (absent != null) p.leaveOut(absent);
        if (frozen != null) p.leaveOut(frozen);
        byName.put(paramName, p);
        return v;
    }

    /** A tensor of the structure resource: a mask, or the values of a fixed param. */
    Tensor structure(String tensorName) {
        if (!(structure.get(tensorName) instanceof Tensor t)) throw new IllegalStateException(network + ": structure resource lacks " + tensorName);
        return t;
    }

    /** Fixed values as rows, for a fixed kernel too large to fold into code; padded like {@link #dense}'s. */
    float[][] fixedRows(String tensorName) {
        Tensor t = structure(tensorName);
        int n = t.shape()[0], m = t.shape()[1];
        float[][] rows = new float[n][CompiledNetwork.paddedRow(m)];
        for (int i = 0; i < n; i++) System.arraycopy(t.data(), i * m, rows[i], 0, m);
        return rows;
    }
}
