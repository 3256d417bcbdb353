package nnet.interchange.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.interchange.onnx.OnnxValue.Floats;
import nnet.interchange.onnx.OnnxValue.Ints;
import nnet.interchange.onnx.proto.Onnx.GraphProto;
import nnet.interchange.onnx.proto.Onnx.ModelProto;
import nnet.interchange.onnx.proto.Onnx.NodeProto;
import nnet.interchange.onnx.proto.Onnx.OperatorSetIdProto;
import nnet.interchange.onnx.proto.Onnx.TensorProto;
import nnet.interchange.onnx.proto.Onnx.TensorShapeProto;
import nnet.interchange.onnx.proto.Onnx.ValueInfoProto;
import nnet.runtime.UserError;

/**
 * A saved ONNX model as the import reads it: the default domain's opset, the graph's nodes in
 * order, its initializers as constants, and its inputs (those that are not initializers: older
 * IR versions list both) and outputs.
 */
final class OnnxFile {
    /** A graph input: its name and its dimensions, {@code dims[0]} the batch (fixed or named). */
    record Input(String name, long[] dims) {}

    final String name;
    final ModelProto model;
    final int opset;
    final List<OnnxNode> nodes = new ArrayList<>();
    final Map<String, OnnxValue> initializers = new LinkedHashMap<>();
    final List<Input> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();

    private OnnxFile(String name, ModelProto model) {
        this.name = name;
        this.model = model;
        GraphProto g = model.getGraph();
        this.opset = (int) model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion).findFirst().orElseThrow(() -> new UserError(name + ": the model imports no opset of the default ONNX domain"));
        for (TensorProto t : g.getInitializerList()) initializers.put(t.getName(), constant(t, "initializer " + t.getName()));
        for (NodeProto n : g.getNodeList()) {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx"))
                throw new UserError(name + ": " + OnnxNode.of(n).describe() + " is of domain '" + n.getDomain() + "'; nnet imports the default ONNX operators");
            nodes.add(OnnxNode.of(n));
        }
        for (ValueInfoProto v : g.getInputList()) if (!initializers.containsKey(v.getName())) inputs.add(new Input(v.getName(), dims(v)));
        for (ValueInfoProto v : g.getOutputList()) outputs.add(v.getName());
    }

    static OnnxFile open(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) throw new UserError(name + ": no such file");
        try (InputStream in = Files.newInputStream(file)) {
            ModelProto m = ModelProto.parseFrom(in);
            if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) throw new UserError(name + ": not an ONNX model (no graph, or a graph without nodes)");
            return new OnnxFile(name, m);
        } catch (InvalidProtocolBufferException e) {
            throw new UserError(name + ": not an ONNX model: " + e.getMessage());
        } catch (IOException e) {
            throw new UserError(name + ": cannot read: " + e.getMessage());
        }
    }

    /** {@code PyTorch 1.13, opset 17}: what wrote the file. */
    String producer() {
        String p = (model.getProducerName() + " " + model.getProducerVersion()).trim();
        return (p.isEmpty() ? "" : p + ", ") + "opset " + opset;
    }

    private long[] dims(ValueInfoProto v) {
        if (!v.getType().hasTensorType()) throw new UserError(name + ": input '" + v.getName() + "' is not a tensor");
        var t = v.getType().getTensorType();
        if (t.getElemType() != TensorProto.DataType.FLOAT.getNumber())
            throw new UserError(name + ": input '" + v.getName() + "' holds " + TensorProto.DataType.forNumber(t.getElemType()) + "; nnet's inputs are float32");
        long[] dims = new long[t.getShape().getDimCount()];
        for (int k = 0; k < dims.length; k++) {
            TensorShapeProto.Dimension d = t.getShape().getDim(k);
            if (d.hasDimValue()) dims[k] = d.getDimValue();
            else if (k == 0) dims[k] = OnnxValue.BATCH;
            else throw new UserError(name + ": input '" + v.getName() + "' has no fixed size along axis " + k + " ('" + d.getDimParam()
                    + "'); nnet's shapes are static: export with a fixed size there (only the batch axis, axis 0, may vary)");
        }
        return dims;
    }

    /** A TensorProto as a constant: floats (float32 or float64) or integers (int64, int32, bool). */
    OnnxValue constant(TensorProto t, String what) {
        try {
            return decode(t, what);
        } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException | ArithmeticException e) {
            throw new UserError(name + ": " + what + " holds fewer values than its shape " + t.getDimsList() + " needs");
        }
    }

    private OnnxValue decode(TensorProto t, String what) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL)
            throw new UserError(name + ": " + what + " is stored in an external data file; nnet reads models whose weights are inside the .onnx file");
        int[] shape = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
        int n = Math.toIntExact(nnet.runtime.Tensor.size(shape));
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !t.getRawData().isEmpty();
        TensorProto.DataType type = TensorProto.DataType.forNumber(t.getDataType());
        if (type == null) type = TensorProto.DataType.UNDEFINED;
        switch (type) {
            case FLOAT, DOUBLE -> {
                float[] v = new float[n];
                boolean single = type == TensorProto.DataType.FLOAT;
                for (int i = 0; i < n; i++)
                    v[i] = hasRaw ? (single ? raw.getFloat() : (float) raw.getDouble()) : single ? t.getFloatData(i) : (float) t.getDoubleData(i);
                return new Floats(shape, v);
            }
            case INT64, INT32, BOOL -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++)
                    v[i] = switch (type) {
                        case INT64 -> hasRaw ? raw.getLong() : t.getInt64Data(i);
                        case INT32 -> hasRaw ? raw.getInt() : t.getInt32Data(i);
                        default -> hasRaw ? raw.get() : t.getInt32Data(i);
                    };
                return new Ints(shape, v);
            }
            default -> throw new UserError(name + ": " + what + " holds " + type + "; nnet imports float32, float64 and integer constants");
        }
    }
}
