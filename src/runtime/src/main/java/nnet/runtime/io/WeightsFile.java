package nnet.runtime.io;

import nnet.runtime.io.CompactKernel;
import nnet.runtime.DataFormatException;
import nnet.runtime.Network;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;
import nnet.runtime.math.SparseIndex;

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
 *
 * <p>A layer's connectivity is a dense 0/1 mask ({@code h.mask}) or the indices of its compact
 * kernel ({@code h.kernel.indices}, {@link CompactKernel}); either form is compared with either.
 */
public final class WeightsFile {
    /** LANGUAGE.md §6: the names of structure tensors (0/1 connectivity), which say how the weights were laid out. */
    private static final List<String> STRUCTURE_SUFFIXES = List.of(".mask", ".recurrent_mask", ".bias_mask", ".freeze_mask");

    private WeightsFile() {}

    /**
     * Reads {@code file} into {@code net}, printing a warning to {@code warnings} for each structure
     * tensor that differs from {@code expected} (the network's masks, or its compact kernels' indices,
     * by name) and for each tensor the network has no use for ({@code known}: every name the network
     * reads or writes). A value that is not finite is an error unless {@code allowNonFinite}.
     */
    public static void load(Network net, Path file, Map<String, ? extends StoredTensor> expected, Set<String> known, PrintStream warnings, boolean allowNonFinite) {
        Map<String, StoredTensor> weights = Safetensors.readStored(file);
        if (!allowNonFinite) requireFinite(file, weights);
        try {
            for (String w : differences(weights, expected, known)) warnings.println("warning: " + file + ": " + w);
            net.loadWeights(weights);
        } catch (DataFormatException e) {
            String m = e.getMessage();
            throw new DataFormatException(file + ": " + (m.startsWith("weights: ") ? m.substring("weights: ".length()) : m), e);
        }
    }

    /** {@link #load} for a network known only compiled (a jar): its own saved weights say what it expects. */
    public static void load(Network net, Path file, PrintStream warnings, boolean allowNonFinite) {
        Map<String, StoredTensor> saved = net.saveWeights(SparseWeights.AUTO);
        load(net, file, structure(saved), saved.keySet(), warnings, allowNonFinite);
    }

    /**
     * A NaN or an infinity in a weights file is an error naming the tensor and the first such
     * entry: loaded, it would make every output NaN with nothing to say why (a diverged run saved
     * by another tool, a bad conversion). {@code --allow-nonfinite} loads it for those who mean it.
     */
    public static void requireFinite(Path file, Map<String, ? extends StoredTensor> tensors) {
        tensors.forEach((name, t) -> {
            if (!(t instanceof Tensor f)) return;
            float[] v = f.data();
            int bad = 0, first = -1;
            for (int k = 0; k < v.length; k++)
                if (!Float.isFinite(v[k]) && bad++ == 0) first = k;
            if (bad > 0)
                throw new DataFormatException(file + ": tensor '" + name + "' holds " + v[first] + " at " + index(f.shape(), first)
                        + (bad > 1 ? " (the first of " + bad + " values that are not finite)" : "")
                        + "; weights must be finite numbers (give --allow-nonfinite to load them anyway)");
        });
    }

    /** The row-major {@code k}-th entry of {@code shape} as {@code [1, 0]}. */
    private static String index(int[] shape, int k) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = k % Math.max(shape[d], 1);
            k /= Math.max(shape[d], 1);
        }
        return Arrays.toString(at);
    }

    /** The structure tensors among {@code weights}: the masks a file or a network's saved weights hold, and compact kernels' indices. */
    public static Map<String, StoredTensor> structure(Map<String, ? extends StoredTensor> weights) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        weights.forEach((name, t) -> {
            if (isStructure(name) || name.endsWith(CompactKernel.INDICES) || name.endsWith(CompactKernel.SHAPE)) out.put(name, t);
        });
        return out;
    }

    static List<String> differences(Map<String, ? extends StoredTensor> file, Map<String, ? extends StoredTensor> expected, Set<String> known) {
        Map<String, Object> want = connectivities(expected), have = connectivities(file);
        List<String> found = new ArrayList<>();
        for (var e : have.entrySet()) {
            String name = e.getKey();
            Object w = want.get(name);
            if (w != null) {
                String d = difference(e.getValue(), w);
                if (d != null) found.add("'" + name + "' " + d + " (has the .nnet file changed since these weights were written?); "
                        + "weights at connections the source leaves absent are ignored, and new ones start from the file's values there");
            } else if (!(e.getValue() instanceof Tensor t && allOnes(t))) {
                found.add("'" + name + "' says the layer had absent connections, but in the source it is fully connected or gone"
                        + " (has the .nnet file changed?); the file's values are used everywhere");
            }
        }
        for (String name : file.keySet()) {
            String kernel = CompactKernel.kernelOf(name);
            boolean ok = known.contains(name) || isStructure(name) || (kernel != null && (known.contains(kernel) || isStructure(kernel)));
            if (!ok) found.add("tensor '" + name + "' is not a weight of this network; it is ignored (was the layer renamed or removed?)");
        }
        return found;
    }

    /** Each structure tensor by its mask name: a dense mask as its {@link Tensor}, a compact kernel's connections as a {@link SparseIndex}. */
    private static Map<String, Object> connectivities(Map<String, ? extends StoredTensor> tensors) {
        Map<String, Object> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (isStructure(name) && t instanceof Tensor mask) out.put(name, mask);
            else if (name.endsWith(CompactKernel.INDICES)) {
                String kernel = CompactKernel.kernelOf(name);
                out.put(maskNameOf(kernel), CompactKernel.readIndex(tensors, kernel));
            }
        });
        return out;
    }

    /** {@code h.kernel} is described by {@code h.mask} (Param.maskName); a compact mask ({@code h.freeze_mask.indices}) by itself. */
    private static String maskNameOf(String kernel) {
        if (isStructure(kernel)) return kernel;
        return kernel.endsWith(".kernel") ? kernel.substring(0, kernel.length() - ".kernel".length()) + ".mask" : kernel + ".mask";
    }

    private static String difference(Object file, Object want) {
        if (file instanceof Tensor f && want instanceof Tensor w) {
            if (!Arrays.equals(f.shape(), w.shape()))
                return "has shape " + f.shapeString() + ", but the source's connectivity is " + w.shapeString();
            int differ = 0;
            for (int k = 0; k < w.data().length; k++) if ((f.data()[k] != 0) != (w.data()[k] != 0)) differ++;
            return differ == 0 ? null : "differs from the source's connectivity in " + differ + " of " + w.data().length + " entries";
        }
        SparseIndex f = asIndex(file), w = asIndex(want);
        if (f == null || w == null || f.rows() != w.rows() || f.cols() != w.cols())
            return "has shape " + shapeOf(file) + ", but the source's connectivity is " + shapeOf(want);
        long differ = 0;
        for (int i = 0; i < f.rows(); i++) differ += rowDifference(f, w, i);
        return differ == 0 ? null : "differs from the source's connectivity in " + differ + " of " + (long) w.rows() * w.cols() + " entries";
    }

    private static SparseIndex asIndex(Object o) {
        if (o instanceof SparseIndex s) return s;
        Tensor t = (Tensor) o;
        if (t.shape().length != 2) return null;
        for (float v : t.data()) if (v != 0 && v != 1) return SparseIndex.of(t.shape()[0], t.shape()[1], (i, j) -> t.data()[i * t.shape()[1] + j] != 0);
        return SparseIndex.fromMask(t);
    }

    private static String shapeOf(Object o) {
        return o instanceof SparseIndex s ? "[" + s.rows() + ", " + s.cols() + "]" : ((Tensor) o).shapeString();
    }

    /** Entries present in one row of exactly one of the two. */
    private static int rowDifference(SparseIndex a, SparseIndex b, int i) {
        int p = a.rowStart()[i], q = b.rowStart()[i], pe = a.rowStart()[i + 1], qe = b.rowStart()[i + 1], same = 0;
        while (p < pe && q < qe) {
            int x = a.colIndex()[p], y = b.colIndex()[q];
            if (x == y) {
                same++;
                p++;
                q++;
            } else if (x < y) p++;
            else q++;
        }
        return (a.rowStart()[i + 1] - a.rowStart()[i]) + (b.rowStart()[i + 1] - b.rowStart()[i]) - 2 * same;
    }

    private static boolean allOnes(Tensor t) {
        for (float v : t.data()) if (v != 1) return false;
        return true;
    }

    /** Whether {@code name} is a structure tensor's (a mask's; compact, it is the base of {@code .indices} and {@code .shape}). */
    public static boolean isStructure(String name) {
        return STRUCTURE_SUFFIXES.stream().anyMatch(name::endsWith);
    }
}
