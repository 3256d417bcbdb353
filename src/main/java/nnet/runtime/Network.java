package nnet.runtime;

import java.util.List;
import java.util.Map;

/**
 * A compiled network, as Java code sees it. {@code forward} runs generated straight-line loops;
 * every named node stays readable afterwards through {@link #activation}.
 */
public interface Network {
    /** The network's name in the source ({@code network Xor}). */
    String name();

    List<String> inputNames();

    List<String> outputNames();

    /** Every readable node name (inputs, statement names, block-prefixed names like {@code r1.h}), in source order. */
    List<String> nodeNames();

    /** The static shape of a named node. */
    int[] shape(String node);

    /**
     * Runs one sample. {@code inputs} are flattened row-major, one array per input in
     * {@link #inputNames()} order. Returns the outputs' buffers: valid until the next call.
     */
    float[][] forward(float[]... inputs);

    /** The value a named node had in the last forward pass (the network's own buffer; copy it to keep it). */
    float[] activation(String node);

    /** Replaces the weights; names and shapes as LANGUAGE.md §6. Missing trainable weights are an error. */
    void loadWeights(Map<String, Tensor> weights);

    /** The current weights and the connectivity masks, named as LANGUAGE.md §6. */
    Map<String, Tensor> saveWeights();
}
