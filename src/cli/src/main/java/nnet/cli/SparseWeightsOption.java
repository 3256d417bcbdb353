package nnet.cli;

import nnet.runtime.io.SparseWeights;
import nnet.runtime.UserError;
import picocli.CommandLine.Option;

/** {@code --sparse-weights auto|always|never}, shared by the commands that write weights or gradients (LANGUAGE.md §6). */
final class SparseWeightsOption {
    @Option(names = "--sparse-weights", paramLabel = "auto|always|never", defaultValue = "auto",
            description = "kernels with absent connections as values + indices (compact) or as dense kernel + mask; auto: compact when at least 65,536 entries with at most 25%% present, or too large to be dense (default ${DEFAULT-VALUE})")
    String value;

    /** The layout, checked against the network before any work: {@code never} cannot write a kernel too large to be dense. */
    SparseWeights layoutFor(nnet.ir.Graph g) {
        SparseWeights w = layout();
        if (w == SparseWeights.NEVER)
            for (nnet.ir.Param p : g.params()) if (p.isSparseKernel()) SparseWeights.checkDense(p.name(), p.shape().dim(0), p.shape().dim(1));
        return w;
    }

    SparseWeights layout() {
        SparseWeights w = SparseWeights.named(value);
        if (w == null) throw new UserError("--sparse-weights takes auto, always or never, not '" + value + "'");
        return w;
    }
}
