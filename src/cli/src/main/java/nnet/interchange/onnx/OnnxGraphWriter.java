package nnet.interchange.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import nnet.interchange.onnx.proto.Onnx.AttributeProto;
import nnet.interchange.onnx.proto.Onnx.GraphProto;
import nnet.interchange.onnx.proto.Onnx.NodeProto;
import nnet.interchange.onnx.proto.Onnx.TensorProto;
import nnet.interchange.onnx.proto.Onnx.TensorShapeProto;
import nnet.interchange.onnx.proto.Onnx.TypeProto;
import nnet.interchange.onnx.proto.Onnx.ValueInfoProto;

/**
 * Builds an ONNX {@code GraphProto} one node at a time: unique value names, initializers as raw
 * little-endian data, attributes by kind. Every tensor of the graph carries a leading batch axis
 * {@code N}; the shapes passed here for inputs and outputs are nnet's, without it.
 */
final class OnnxGraphWriter {
    /** The symbolic batch axis in front of every input and output. */
    static final String BATCH = "N";

    final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> used = new HashSet<>();
    private int nodes;

    OnnxGraphWriter(String name) {
        graph.setName(name);
    }

    /** Claims a value name; a taken name gets a numbered suffix. */
    String fresh(String base) {
        String name = base;
        for (int k = 1; !used.add(name); k++) name = base + "_" + k;
        return name;
    }

    /** Claims {@code name} exactly (a user-visible input, output or node name). */
    String claim(String name) {
        if (!used.add(name)) throw new IllegalStateException("ONNX value name used twice: " + name);
        return name;
    }

    /** Adds a node with one output, {@code out} (a name claimed before), and returns it. */
    String node(String op, String out, String[] inputs, AttributeProto... attributes) {
        return node(op, new String[] {out}, inputs, attributes)[0];
    }

    /** Adds a node with an intermediate result, named fresh from {@code base}; returns that name. */
    String temp(String op, String base, String[] inputs, AttributeProto... attributes) {
        return node(op, fresh(base), inputs, attributes);
    }

    /** Adds a node whose outputs are claimed names; returns them. */
    String[] node(String op, String[] outputs, String[] inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + nodes++);
        for (String in : inputs) n.addInput(in);
        for (String out : outputs) n.addOutput(out);
        for (AttributeProto a : attributes) n.addAttribute(a);
        graph.addNode(n);
        return outputs;
    }

    /** {@code x} reshaped to {@code [N, ...dims]}, as {@code out}. */
    String reshape(String x, int[] dims, String out) {
        long[] shape = new long[dims.length + 1];
        shape[0] = -1;
        for (int k = 0; k < dims.length; k++) shape[k + 1] = dims[k];
        return node("Reshape", out, new String[] {x, longs(out + "_shape", shape)});
    }

    String floats(String base, int[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return initializer(base, dims, TensorProto.DataType.FLOAT, b.array());
    }

    /** A float scalar (rank 0), which broadcasts against any tensor. */
    String scalar(String base, float value) {
        return floats(base, new int[0], new float[] {value});
    }

    String longs(String base, long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) b.putLong(v);
        return initializer(base, new int[] {values.length}, TensorProto.DataType.INT64, b.array());
    }

    /** 32-bit indices: half the bytes of int64, and Gather and ScatterElements take either. */
    String indices(String base, int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) b.putInt(v);
        return initializer(base, new int[] {values.length}, TensorProto.DataType.INT32, b.array());
    }

    private String initializer(String base, int[] dims, TensorProto.DataType type, byte[] raw) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(fresh(base)).setDataType(type.getNumber()).setRawData(ByteString.copyFrom(raw));
        for (int d : dims) t.addDims(d);
        graph.addInitializer(t);
        return t.getName();
    }

    /** A float tensor {@code [N, ...shape]}, as inputs and outputs are declared. */
    static ValueInfoProto batchedFloat(String name, int[] shape) {
        return batched(name, shape, false);
    }

    /** A value {@code [N, ...shape]} of floats, or of int64 ({@code integers}: token ids). */
    static ValueInfoProto batched(String name, int[] shape, boolean integers) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (int d : shape) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        TensorProto.DataType type = integers ? TensorProto.DataType.INT64 : TensorProto.DataType.FLOAT;
        TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(s);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto text(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto tensor(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }
}
