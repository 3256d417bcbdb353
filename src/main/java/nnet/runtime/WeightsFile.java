package nnet.runtime;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a weights file into a network and says where the file and the network disagree on
 * structure. A file written for another version of the {@code .nnet} source (a mask changed, a
 * layer removed) still loads: values at connections the source now leaves absent are ignored, and
 * tensors the network does not have are skipped. That is what one wants after a deliberate edit,
 * and silent data loss after an accidental one, so each difference is a warning.
 */
public final class WeightsFile {
    /** LANGUAGE.md §6: the names of structure tensors (0/1 connectivity), which say how the weights were laid out. */
    private static final List<String> STRUCTURE_SUFFIXES = List.of(".mask", ".recurrent_mask", ".bias_mask", ".freeze_mask");

    private WeightsFile() {}

    /**
     * Reads {@code file} into {@code net}, printing a warning to {@code warnings} for each structure
     * tensor that differs from {@code expected} (the network's masks by name) and for each tensor
     * the network has no use for ({@code known}: every name the network reads or writes).
     */
    public static void load(Network net, Path file, Map<String, Tensor> expected, Set<String> known, PrintStream warnings) {
        Map<String, Tensor> weights = Safetensors.read(file);
        for (String w : differences(weights, expected, known)) warnings.println("warning: " + file + ": " + w);
        try {
            net.loadWeights(weights);
        } catch (DataFormatException e) {
            String m = e.getMessage();
            throw new DataFormatException(file + ": " + (m.startsWith("weights: ") ? m.substring("weights: ".length()) : m), e);
        }
    }

    /** {@link #load} for a network known only compiled (a jar): its own saved weights say what it expects. */
    public static void load(Network net, Path file, PrintStream warnings) {
        Map<String, Tensor> saved = net.saveWeights();
        load(net, file, structure(saved), saved.keySet(), warnings);
    }

    /** The structure tensors among {@code weights}: the masks a file or a network's saved weights hold. */
    public static Map<String, Tensor> structure(Map<String, Tensor> weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        weights.forEach((name, t) -> {
            if (isStructure(name)) out.put(name, t);
        });
        return out;
    }

    static List<String> differences(Map<String, Tensor> file, Map<String, Tensor> expected, Set<String> known) {
        List<String> found = new ArrayList<>();
        for (var e : file.entrySet()) {
            String name = e.getKey();
            Tensor want = expected.get(name);
            if (want != null) {
                String d = difference(e.getValue(), want);
                if (d != null) found.add("'" + name + "' " + d + " (has the .nnet file changed since these weights were written?); "
                        + "weights at connections the source leaves absent are ignored, and new ones start from the file's values there");
            } else if (isStructure(name)) {
                if (!allOnes(e.getValue()))
                    found.add("'" + name + "' says the layer had absent connections, but in the source it is fully connected or gone"
                            + " (has the .nnet file changed?); the file's values are used everywhere");
            } else if (!known.contains(name)) {
                found.add("tensor '" + name + "' is not a weight of this network; it is ignored (was the layer renamed or removed?)");
            }
        }
        return found;
    }

    private static String difference(Tensor file, Tensor want) {
        if (!Arrays.equals(file.shape(), want.shape()))
            return "has shape " + file.shapeString() + ", but the source's connectivity is " + want.shapeString();
        int differ = 0;
        for (int k = 0; k < want.data().length; k++) if ((file.data()[k] != 0) != (want.data()[k] != 0)) differ++;
        return differ == 0 ? null : "differs from the source's connectivity in " + differ + " of " + want.data().length + " entries";
    }

    private static boolean allOnes(Tensor t) {
        for (float v : t.data()) if (v != 1) return false;
        return true;
    }

    private static boolean isStructure(String name) {
        return STRUCTURE_SUFFIXES.stream().anyMatch(name::endsWith);
    }
}
