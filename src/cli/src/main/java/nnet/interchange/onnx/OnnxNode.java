package nnet.interchange.onnx;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.interchange.onnx.proto.Onnx.AttributeProto;
import nnet.interchange.onnx.proto.Onnx.NodeProto;

/** One node of an ONNX graph, with its attributes by name; an absent optional input is the empty string. */
record OnnxNode(String op, String name, List<String> inputs, List<String> outputs, Map<String, AttributeProto> attributes) {
    static OnnxNode of(NodeProto n) {
        Map<String, AttributeProto> attributes = new LinkedHashMap<>();
        for (AttributeProto a : n.getAttributeList()) attributes.put(a.getName(), a);
        return new OnnxNode(n.getOpType(), n.getName(), List.copyOf(n.getInputList()), List.copyOf(n.getOutputList()), attributes);
    }

    /** {@code node '/fc1/Gemm' (Gemm)}, as errors name a node. */
    String describe() {
        return "node '" + (name.isEmpty() ? outputs.get(0) : name) + "' (" + op + ")";
    }

    /** The k-th input's name, or "" when it is absent. */
    String input(int k) {
        return k < inputs.size() ? inputs.get(k) : "";
    }

    long integer(String key, long otherwise) {
        AttributeProto a = attributes.get(key);
        return a == null ? otherwise : a.getI();
    }

    float real(String key, float otherwise) {
        AttributeProto a = attributes.get(key);
        return a == null ? otherwise : a.getF();
    }

    String text(String key, String otherwise) {
        AttributeProto a = attributes.get(key);
        return a == null ? otherwise : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An INTS attribute, or {@code otherwise} (null when there is no default). */
    long[] ints(String key, long[] otherwise) {
        AttributeProto a = attributes.get(key);
        return a == null ? otherwise : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    boolean has(String key) {
        return attributes.containsKey(key);
    }
}
