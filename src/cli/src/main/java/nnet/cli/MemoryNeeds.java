package nnet.cli;

import java.util.ArrayList;
import java.util.List;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.lower.Tiling;
import nnet.jar.Cli;
import nnet.runtime.UserError;

/**
 * What a command will allocate for a network, estimated from its graph before anything is
 * allocated, and refused with advice when the Java VM may not use that much: a network under the
 * checker's size limit can still need more than the default heap (a 40000 x 40000 dense layer is
 * 6.4 GB of weights, and training adds as much for its gradients and twice that for Adam). The
 * estimate counts what is certainly allocated, so it errs low: running out later is still
 * reported the same way ({@link Cli#outOfMemory}).
 */
final class MemoryNeeds {
    /** Bytes of a float (and of the int index beside each entry of a sparse weight). */
    private static final long FLOAT = 4, SPARSE_ENTRY = 8;

    /** What a command does with the network, and so what it allocates besides the weights. */
    enum Use {
        /** {@code init}: every weight tensor at its full shape (a sparse kernel compact), and the masks. */
        INITIAL_WEIGHTS,
        /** {@code run}, {@code predict}, {@code compile}, {@code bench}: the compiled network, its buffers, a weights file read. */
        FORWARD,
        /** {@code grad}: and a gradient per trainable weight. */
        GRADIENTS,
        /** {@code train}: and the optimizer's state. */
        TRAINING
    }

    private MemoryNeeds() {}

    /**
     * @param optimizerSlots state values per trainable weight (Adam 2, SGD with momentum 1), for {@link Use#TRAINING}
     */
    static void check(Graph g, Use use, int optimizerSlots, String command) {
        check(g, use, optimizerSlots, 1, command);
    }

    /**
     * {@link #check(Graph, Use, int, String)} for train steps of {@code batch} samples: a network with a
     * batchnorm holds a whole batch at once in a staged step (LANGUAGE.md §10), in units of a tile of
     * {@link Tiling#SIZE} samples (one sample each in batches of fewer than {@link #MIN_TILED}), each unit
     * its own gradient storage and every sample its values.
     */
    static void check(Graph g, Use use, int optimizerSlots, int batch, String command) {
        Estimate e = estimate(g, use, optimizerSlots, batch);
        long max = Runtime.getRuntime().maxMemory();
        if (e.total() <= max) return;
        long suggestedGb = (long) Math.ceil(e.total() * 1.25 / (1L << 30)) + 1;
        throw new UserError("network " + g.name() + " needs about " + Cli.gigabytes(e.total()) + " of memory for " + command + " (" + String.join(", ", e.parts())
                + "), but this Java VM may use at most " + Cli.gigabytes(max) + "; give it more, e.g. JAVA_TOOL_OPTIONS=-Xmx" + suggestedGb + "g nnetc " + command
                + (e.staged() == 0 ? " ..." : command.equals("grad") ? " ..., or fewer rows" : " ..., or a smaller --batch"));
    }

    /** Batches smaller than this run sample by sample (nnet.runtime.CompiledNetwork's threshold for tiles). */
    static final int MIN_TILED = 4;

    /** Bytes in all, what they are for ({@code weights 1.2 GB}), and of them a staged step's units. */
    record Estimate(long total, List<String> parts, long staged) {}

    static Estimate estimate(Graph g, Use use, int optimizerSlots, int batch) {
        long stored = 0, full = 0, trainable = 0, masks = 0, activations = 0;
        for (Param p : g.params()) {
            long size = p.shape().sizeLong();
            stored += p.present() == null ? size * FLOAT : p.count() * SPARSE_ENTRY;
            if (!p.isFixed()) trainable += p.count();
            if (p.isSparseKernel()) {
                full += p.count() * 3; // compact in a file: a value and two int32 indices per connection
                masks += p.count(); // the connectivity, compressed sparse rows
            } else {
                full += size;
                if (p.present() != null) masks += (long) p.present().rows() * p.present().cols();
            }
            // a freeze mask goes compact beside a sparse kernel, dense beside a dense one
            if (p.frozen() != null) masks += p.isSparseKernel() ? p.frozen().count() : (long) p.frozen().rows() * p.frozen().cols();
        }
        for (Node n : g.nodes()) activations += n.shape().sizeLong();
        List<String> parts = new ArrayList<>();
        long total = 0;
        if (use == Use.INITIAL_WEIGHTS) {
            total += add(parts, "weights", full * FLOAT);
            total += add(parts, "masks", masks * FLOAT);
        } else {
            total += add(parts, "weights", stored);
            total += add(parts, "activations", activations * FLOAT);
            total += add(parts, "the weights while they are loaded", (full + masks) * FLOAT);
            if (use != Use.FORWARD) total += add(parts, "gradients", trainable * FLOAT);
            if (use == Use.TRAINING && optimizerSlots > 0) total += add(parts, "optimizer state", optimizerSlots * trainable * FLOAT);
        }
        long staged = 0;
        if (use != Use.INITIAL_WEIGHTS && use != Use.FORWARD && batch > 1 && g.nodes().stream().anyMatch(n -> Op.BATCH_COUPLED.contains(n.op()))) {
            // the units besides the network itself: their gradients, and the values of the batch's other samples
            long units = batch < MIN_TILED ? batch : (batch + Tiling.SIZE - 1) / Tiling.SIZE;
            staged = ((units - 1) * trainable + (batch - 1) * activations) * FLOAT;
            total += add(parts, "a batchnorm's train step holding " + batch + " samples in " + units + (units == 1 ? " unit" : " units"), staged);
        }
        return new Estimate(total, parts, staged);
    }

    private static long add(List<String> parts, String what, long bytes) {
        if (bytes > 0) parts.add(what + " " + Cli.gigabytes(bytes));
        return bytes;
    }
}
