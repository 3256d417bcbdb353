package nnet.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnet.ir.BatchNormSpec;
import nnet.ir.Node;

/**
 * A batchnorm's kernels ({@link Kernel.Norm}) and the buffers of its batch statistics and partial
 * sums, and the stages a train step is cut into where samples need the whole batch's sums.
 */
final class NormLowering {
    private final Lowering lowering;
    private final Map<BatchNormSpec, NormBuffers> buffers = new HashMap<>();

    NormLowering(Lowering lowering) {
        this.lowering = lowering;
    }

    /** A batchnorm's buffers of the batch's statistics (written by the runtime between stages) and of the partial sums it combines. */
    record NormBuffers(Buffer stats, Buffer moments, Buffer gradStats, Buffer gradSums) {}

    /** The batchnorm a node computes or differentiates. */
    private static BatchNormSpec normOf(Node n) {
        return n.arg() instanceof BatchNormSpec spec ? spec : ((BatchNormSpec.ParamGrad) n.arg()).spec();
    }

    NormBuffers buffers(Node n) {
        return buffers.computeIfAbsent(normOf(n), k -> {
            int size = 2 * k.channels();
            return new NormBuffers(lowering.newBuffer(n, size, "$stats"), lowering.newBuffer(n, size, "$moments"), lowering.newBuffer(n, size, "$gradStats"), lowering.newBuffer(n, size, "$gradSums"));
        });
    }

    /** A part of a batchnorm: {@code n} is the batchnorm, its gradient, or a param gradient of it. */
    Kernel.Norm kernel(Node n, Kernel.NormRole role, Buffer x, Buffer dy, Buffer out) {
        NormBuffers nb = buffers(n);
        BatchNormSpec b = normOf(n);
        boolean gradStats = role == Kernel.NormRole.GRAD_SUMS || role == Kernel.NormRole.GRAD;
        return new Kernel.Norm(n.span(), Lowering.label(n) + "_" + role.name().toLowerCase(), role, b, x, dy, out, role == Kernel.NormRole.PREDICT ? null : nb.stats(),
                gradStats ? nb.gradStats() : null);
    }

    /**
     * The train step cut into stages after each kernel whose partial sums the runtime combines over the
     * batch ({@link Kernel.Norm#endsStage}); null when no sample depends on another.
     */
    static List<Program.Stage> stages(List<Kernel> trainForward, List<Kernel> backward) {
        List<Program.Stage> out = new ArrayList<>();
        List<Kernel> run = new ArrayList<>();
        for (List<Kernel> part : List.of(trainForward, backward))
            for (Kernel k : part) {
                run.add(k);
                if (k instanceof Kernel.Norm n && n.endsStage()) {
                    out.add(new Program.Stage(List.copyOf(run), n));
                    run.clear();
                }
            }
        if (out.isEmpty()) return null;
        out.add(new Program.Stage(List.copyOf(run), null));
        return out;
    }
}
