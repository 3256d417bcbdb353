package nnet.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every generated network class extends. The generated constructor allocates its buffers
 * and weights and registers them here by name; the generated {@link #run()} is the forward pass.
 * This class only does the bookkeeping around them: input checks, weights I/O by name, lookup
 * of activations. Nothing here runs per element.
 */
public abstract class CompiledNetwork implements Network {
    private final String name;
    private final Map<String, float[]> nodes = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final Map<String, Slot> params = new LinkedHashMap<>();
    /** Masks and fixed values, loaded from the class's structure resource; saved with the weights. */
    private final Map<String, Tensor> structure;
    private float[][] inputBuffers = new float[0][];
    private float[][] outputBuffers = new float[0][];

    /** A weight tensor and how its values sit in the class's arrays. */
    private interface Slot {
        int[] shape();

        void load(float[] rowMajor);

        float[] save();
    }

    protected CompiledNetwork(String name) {
        this.name = name;
        this.structure = readStructure(getClass());
    }

    /** The resource {@code <Class>.structure.safetensors} beside the class, or nothing if the network has none. */
    private static Map<String, Tensor> readStructure(Class<?> c) {
        String resource = c.getSimpleName() + ".structure.safetensors";
        try (InputStream in = c.getResourceAsStream(resource)) {
            return in == null ? Map.of() : Safetensors.read(in, resource);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    /** The generated forward pass: reads the input buffers, writes every node buffer. */
    protected abstract void run();

    // ---- registration, called by the generated constructor

    protected final void node(String nodeName, float[] buffer, int[] shape) {
        nodes.put(nodeName, buffer);
        shapes.put(nodeName, shape);
    }

    protected final void input(String nodeName) {
        inputs.add(nodeName);
        inputBuffers = append(inputBuffers, nodes.get(nodeName));
    }

    protected final void output(String nodeName) {
        outputs.add(nodeName);
        outputBuffers = append(outputBuffers, nodes.get(nodeName));
    }

    private static float[][] append(float[][] a, float[] b) {
        float[][] c = Arrays.copyOf(a, a.length + 1);
        c[a.length] = b;
        return c;
    }

    /** A fully connected kernel {@code [n, m]} kept as rows, so loops over units run over one array. */
    protected final float[][] denseParam(String paramName, int n, int m) {
        float[][] rows = new float[n][m];
        params.put(paramName, new Slot() {
            public int[] shape() {
                return new int[] {n, m};
            }

            public void load(float[] v) {
                for (int i = 0; i < n; i++) System.arraycopy(v, i * m, rows[i], 0, m);
            }

            public float[] save() {
                float[] v = new float[n * m];
                for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, v, i * m, m);
                return v;
            }
        });
        return rows;
    }

    /** A kernel with absent connections: only present values are stored, in row-major (CSR) order. */
    protected final SparseParam sparseParam(String paramName, String maskName) {
        SparseIndex idx = SparseIndex.fromMask(structure(maskName));
        float[] values = new float[idx.count()];
        int n = idx.rows(), m = idx.cols();
        int[] start = idx.rowStart(), col = idx.colIndex();
        params.put(paramName, new Slot() {
            public int[] shape() {
                return new int[] {n, m};
            }

            // a stored value at an absent position is ignored: kernels trained elsewhere by
            // multiplying a mask in still hold their old values there
            public void load(float[] v) {
                for (int i = 0; i < n; i++)
                    for (int k = start[i]; k < start[i + 1]; k++) values[k] = v[i * m + col[k]];
            }

            public float[] save() {
                float[] v = new float[n * m];
                for (int i = 0; i < n; i++)
                    for (int k = start[i]; k < start[i + 1]; k++) v[i * m + col[k]] = values[k];
                return v;
            }
        });
        return new SparseParam(values, start, col);
    }

    /** The arrays generated code reads for a sparse kernel. */
    public record SparseParam(float[] values, int[] rowStart, int[] colIndex) {}

    /** Fixed values of a kernel with absent connections, in CSR order like {@link #sparseParam}; not a weight. */
    protected final SparseParam fixedSparse(String valuesName, String maskName) {
        SparseIndex idx = SparseIndex.fromMask(structure(maskName));
        float[] all = structure(valuesName).data(), values = new float[idx.count()];
        int m = idx.cols();
        int[] start = idx.rowStart(), col = idx.colIndex();
        for (int i = 0; i < idx.rows(); i++)
            for (int k = start[i]; k < start[i + 1]; k++) values[k] = all[i * m + col[k]];
        return new SparseParam(values, start, col);
    }

    /**
     * A weight tensor kept flat, row-major (biases, conv and lstm kernels). With {@code maskName},
     * entries the mask marks absent are held at 0 whatever the file says.
     */
    protected final float[] flatParam(String paramName, int[] shape, String maskName) {
        float[] v = new float[(int) Tensor.size(shape)];
        float[] mask = maskName == null ? null : structure(maskName).data();
        params.put(paramName, new Slot() {
            public int[] shape() {
                return shape;
            }

            public void load(float[] src) {
                System.arraycopy(src, 0, v, 0, v.length);
                if (mask != null) for (int k = 0; k < v.length; k++) if (mask[k % mask.length] == 0) v[k] = 0;
            }

            public float[] save() {
                return v.clone();
            }
        });
        return v;
    }

    /** A tensor of the structure resource: a mask, or the values of a fixed param. */
    protected final Tensor structure(String tensorName) {
        Tensor t = structure.get(tensorName);
        if (t == null) throw new IllegalStateException(getClass().getName() + ": structure resource lacks " + tensorName);
        return t;
    }

    /** Fixed values as rows, for a fixed kernel too large to fold into code. */
    protected final float[][] fixedRows(String tensorName) {
        Tensor t = structure(tensorName);
        int n = t.shape()[0], m = t.shape()[1];
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) rows[i] = Arrays.copyOfRange(t.data(), i * m, (i + 1) * m);
        return rows;
    }

    // ---- Network

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> inputNames() {
        return List.copyOf(inputs);
    }

    @Override
    public List<String> outputNames() {
        return List.copyOf(outputs);
    }

    @Override
    public List<String> nodeNames() {
        return List.copyOf(nodes.keySet());
    }

    @Override
    public int[] shape(String node) {
        int[] s = shapes.get(node);
        if (s == null) throw new IllegalArgumentException(unknownNode(node));
        return s.clone();
    }

    @Override
    public final float[][] forward(float[]... in) {
        if (in.length != inputBuffers.length)
            throw new IllegalArgumentException(name + " takes " + inputBuffers.length + " input(s) " + inputs + ", got " + in.length);
        for (int k = 0; k < in.length; k++) {
            if (in[k].length != inputBuffers[k].length)
                throw new IllegalArgumentException("input " + inputs.get(k) + Arrays.toString(shapes.get(inputs.get(k))) + " takes "
                        + inputBuffers[k].length + " values, got " + in[k].length);
            System.arraycopy(in[k], 0, inputBuffers[k], 0, in[k].length);
        }
        run();
        return outputBuffers;
    }

    @Override
    public float[] activation(String node) {
        float[] b = nodes.get(node);
        if (b == null) throw new IllegalArgumentException(unknownNode(node));
        return b;
    }

    private String unknownNode(String node) {
        return "network " + name + " has no node '" + node + "'; it has " + String.join(", ", nodes.keySet());
    }

    @Override
    public void loadWeights(Map<String, Tensor> weights) {
        List<String> missing = new ArrayList<>();
        for (var e : params.entrySet()) {
            Tensor t = weights.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
                continue;
            }
            if (!Arrays.equals(t.shape(), e.getValue().shape()))
                throw new DataFormatException("weights: tensor '" + e.getKey() + "' has shape " + t.shapeString() + ", the network needs "
                        + Arrays.toString(e.getValue().shape()));
        }
        if (!missing.isEmpty()) throw new DataFormatException("weights: missing " + String.join(", ", missing) + " (the network " + name + " needs " + String.join(", ", params.keySet()) + ")");
        for (var e : params.entrySet()) e.getValue().load(weights.get(e.getKey()).data());
    }

    @Override
    public Map<String, Tensor> saveWeights() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : params.entrySet()) out.put(e.getKey(), new Tensor(e.getValue().shape(), e.getValue().save()));
        out.putAll(structure);
        return out;
    }
}
