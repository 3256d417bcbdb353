package nnet.interchange.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * PyTorch's exact GELU, which ONNX before opset 20 has no operator for, is written as
 * {@code x * (erf(x / sqrt(2)) + 1) * 0.5}: five nodes (Div, Erf, Add, Mul, Mul). Found in a
 * graph, they become one Gelu node (approximate "none"), imported as nnet's gelu with a note on
 * the difference. The tanh form ({@code approximate='tanh'}) needs no rewriting: it is arithmetic
 * and tanh, which nnet imports as they are.
 */
final class OnnxGelu {
    private OnnxGelu() {}

    static List<OnnxNode> rewrite(List<OnnxNode> nodes, Function<String, Float> scalar) {
        Map<String, List<OnnxNode>> readers = new HashMap<>();
        Map<String, OnnxNode> producers = new HashMap<>();
        for (OnnxNode n : nodes) {
            for (String in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            for (String out : n.outputs()) producers.put(out, n);
        }
        Map<OnnxNode, OnnxNode> replaced = new HashMap<>();
        Set<OnnxNode> removed = new HashSet<>();
        for (OnnxNode erf : nodes) {
            if (!erf.op().equals("Erf")) continue;
            OnnxNode scale = producers.get(erf.input(0));
            if (scale == null || only(readers, scale) != erf) continue;
            String x = operand(scale, scalar, scale.op().equals("Div") ? Math.sqrt(2) : scale.op().equals("Mul") ? Math.sqrt(0.5) : Double.NaN);
            if (x == null) continue;
            OnnxNode plusOne = only(readers, erf);
            if (plusOne == null || !plusOne.op().equals("Add") || !erf.outputs().get(0).equals(operand(plusOne, scalar, 1))) continue;
            OnnxNode times = only(readers, plusOne);
            if (times == null || !times.op().equals("Mul") || !times.inputs().containsAll(List.of(x, plusOne.outputs().get(0)))) continue;
            OnnxNode half = only(readers, times);
            if (half == null || !half.op().equals("Mul") || !times.outputs().get(0).equals(operand(half, scalar, 0.5))) continue;
            var approximate = OnnxGraphWriter.text("approximate", "none");
            String name = scale.name().substring(0, scale.name().lastIndexOf('/') + 1) + "Gelu"; // /act/Div -> /act/Gelu: named after its module
            replaced.put(scale, new OnnxNode("Gelu", name, List.of(x), List.of(half.outputs().get(0)), Map.of("approximate", approximate)));
            removed.addAll(List.of(erf, plusOne, times, half));
        }
        List<OnnxNode> out = new ArrayList<>();
        for (OnnxNode n : nodes) if (!removed.contains(n)) out.add(replaced.getOrDefault(n, n));
        return out;
    }

    private static OnnxNode only(Map<String, List<OnnxNode>> readers, OnnxNode n) {
        List<OnnxNode> r = readers.getOrDefault(n.outputs().get(0), List.of());
        return r.size() == 1 ? r.get(0) : null;
    }

    /** The input of a binary node that is not the constant {@code c} (within float rounding), or null when neither input is. */
    private static String operand(OnnxNode n, Function<String, Float> scalar, double c) {
        if (n.inputs().size() != 2 || Double.isNaN(c)) return null;
        for (int k = 0; k < 2; k++) {
            Float v = scalar.apply(n.input(k));
            if (v != null && Math.abs(v - c) <= 1e-6 * Math.max(1, Math.abs(c)) && !(k == 0 && n.op().equals("Div"))) return n.input(1 - k);
        }
        return null;
    }
}
