package nnet.runtime;

import nnet.runtime.math.Embedding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named nodes of one compiled network, its inputs and outputs in order, as its generated
 * constructor registers them ({@link CompiledNetwork} hands the calls on to here), and the checks of
 * what a caller passes in.
 */
final class NetworkNodes {
    private final String network;
    final Map<String, float[]> buffers = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    final List<String> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    /** Integer inputs by name, with the rows of the smallest vocabulary that reads them. */
    final Map<String, Integer> tokenInputs = new LinkedHashMap<>();
    float[][] inputBuffers = new float[0][];
    float[][] outputBuffers = new float[0][];

    NetworkNodes(String network) {
        this.network = network;
    }

    void node(String nodeName, float[] buffer, int[] shape) {
        buffers.put(nodeName, buffer);
        shapes.put(nodeName, shape);
    }

    void input(String nodeName) {
        inputs.add(nodeName);
        inputBuffers = append(inputBuffers, buffers.get(nodeName));
    }

    void tokens(String inputName, int vocabulary) {
        tokenInputs.merge(inputName, vocabulary, Math::min);
    }

    void output(String nodeName) {
        outputs.add(nodeName);
        outputBuffers = append(outputBuffers, buffers.get(nodeName));
    }

    private static float[][] append(float[][] a, float[] b) {
        float[][] c = Arrays.copyOf(a, a.length + 1);
        c[a.length] = b;
        return c;
    }

    float[] buffer(String node) {
        float[] b = buffers.get(node);
        if (b == null) throw new IllegalArgumentException(unknownNode(node));
        return b;
    }

    int[] shape(String node) {
        int[] s = shapes.get(node);
        if (s == null) throw new IllegalArgumentException(unknownNode(node));
        return s;
    }

    private String unknownNode(String node) {
        return "network " + network + " has no node '" + node + "'; it has " + String.join(", ", buffers.keySet());
    }

    /** One sample's inputs (already checked) into the input buffers. */
    void load(float[][] in) {
        for (int k = 0; k < in.length; k++) System.arraycopy(in[k], 0, inputBuffers[k], 0, in[k].length);
    }

    /** Checks sample {@code sample} of a batch (named in a message), or one sample alone (-1): how many inputs, their lengths, their token ids. */
    void check(float[][] in, int sample) {
        if (in.length != inputBuffers.length)
            throw new IllegalArgumentException(network + " takes " + inputBuffers.length + " input(s) " + inputs + ", got " + in.length);
        for (int k = 0; k < in.length; k++) {
            String input = inputs.get(k);
            if (in[k].length != inputBuffers[k].length)
                throw new IllegalArgumentException("input " + input + Arrays.toString(shapes.get(input)) + " takes "
                        + inputBuffers[k].length + " values, got " + in[k].length);
            Integer vocabulary = tokenInputs.get(input);
            if (vocabulary != null) Embedding.checkTokens(input + (sample >= 0 ? " of sample " + sample + " of the batch" : ""), in[k], vocabulary);
        }
    }
}
