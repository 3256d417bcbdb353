package nnet.runtime;

import nnet.runtime.io.CompactKernel;

import nnet.runtime.io.SparseWeights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network's weights to and from the tensors of a weights file (LANGUAGE.md §6): every param by
 * name, a sparse kernel dense (its {@code [n, m]} values and 0/1 mask) or compact
 * ({@link CompactKernel}) in either direction, structure tensors (masks, fixed values) beside them.
 */
final class StoredWeights {
    private StoredWeights() {}

    /** Replaces the values of {@code params} (of the network {@code name}) with {@code weights}'; a missing or misshapen one is an error naming it. */
    static void load(String name, Map<String, ParamStorage> params, Map<String, ? extends StoredTensor> weights) {
        List<String> missing = new ArrayList<>();
        Map<String, CompactKernel> compact = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            String param = e.getKey();
            StoredTensor t = weights.get(param);
            int[] shape = e.getValue().shape;
            if (t == null && CompactKernel.isIn(weights, param)) {
                CompactKernel c = CompactKernel.read(weights, param);
                if (shape.length != 2 || c.index().rows() != shape[0] || c.index().cols() != shape[1])
                    throw new DataFormatException("weights: compact kernel '" + param + "' is " + c.index().rows() + " x " + c.index().cols() + ", the network needs "
                            + Arrays.toString(shape));
                compact.put(param, c);
                continue;
            }
            if (t == null) {
                missing.add(param);
                continue;
            }
            if (!(t instanceof Tensor))
                throw new DataFormatException("weights: tensor '" + param + "' is " + t.dtype() + ", weights are F32");
            if (!Arrays.equals(t.shape(), shape))
                throw new DataFormatException("weights: tensor '" + param + "' has shape " + Arrays.toString(t.shape()) + ", the network needs "
                        + Arrays.toString(shape) + (isTransposed(t.shape(), shape) ? TRANSPOSED : ""));
        }
        if (!missing.isEmpty()) throw new DataFormatException("weights: missing " + String.join(", ", missing) + " (the network " + name + " needs " + String.join(", ", params.keySet()) + ")");
        for (var e : params.entrySet()) {
            ParamStorage p = e.getValue();
            CompactKernel c = compact.get(e.getKey());
            if (c == null) p.load(((Tensor) weights.get(e.getKey())).data());
            else if (p.connections != null) p.loadCompact(c);
            else p.load(c.toDense(e.getKey()).data());
        }
    }

    /** PyTorch's habit: {@code nn.Linear.weight} is {@code [out, in]}, a dense kernel here {@code [in, out]}. */
    static final String TRANSPOSED = " (inputs x units; PyTorch's Linear.weight is [out, in]: save its transpose, weight.T)";

    static boolean isTransposed(int[] found, int[] needed) {
        return found.length == 2 && needed.length == 2 && found[0] == needed[1] && found[1] == needed[0];
    }

    /**
     * The params as {@code layout} says, then the structure tensors that a compact kernel does not
     * already carry. A sparse kernel's freeze mask takes the kernel's form: compact beside a compact
     * kernel, dense beside a dense one.
     */
    static Map<String, StoredTensor> save(Map<String, ParamStorage> params, Map<String, StoredTensor> structure, SparseWeights layout) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        Set<String> written = new HashSet<>(); // structure names saved with their kernel
        for (var e : params.entrySet()) {
            ParamStorage p = e.getValue();
            if (p.connections == null) out.put(e.getKey(), new Tensor(p.shape, p.save()));
            else {
                boolean compact = layout.compact(p.shape[0], p.shape[1], p.connections.count());
                if (compact) p.saveCompact().putInto(out, e.getKey());
                else {
                    SparseWeights.checkDense(e.getKey(), p.shape[0], p.shape[1]);
                    out.put(e.getKey(), new Tensor(p.shape, p.save()));
                    out.put(p.maskName, p.connections.toMask());
                }
                written.add(e.getKey());
                if (p.frozenName != null) {
                    CompactKernel.putMask(out, p.frozenName, p.frozen, compact);
                    written.add(p.frozenName);
                }
            }
        }
        structure.forEach((name, t) -> {
            String kernel = CompactKernel.kernelOf(name);
            if (!written.contains(name) && (kernel == null || !written.contains(kernel))) out.put(name, t);
        });
        return out;
    }
}
