package nnet.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nnet.TestNetworks;
import nnet.Compiler;
import nnet.ir.Graph;
import org.junit.jupiter.api.Test;

/** What the fusion rules make of the backward pass: the kernels, not their numbers (EmittedGradientTest checks those). */
class LoweringTest {
    static Program lowerWithLoss(String body) {
        Graph g = TestNetworks.graph("network T {\n" + body + "\n loss mse\n}");
        return Compiler.lower(Compiler.stages(g));
    }

    @Test
    void inputGradientUnderReluSkipsInactiveRows() {
        Program p = lowerWithLoss("input x[8]\n h = dense(x, 6, relu)\n y = dense(h, 3)\n output y");
        List<Kernel.LinearT> transposed = p.training().backward().stream().filter(k -> k instanceof Kernel.LinearT).map(k -> (Kernel.LinearT) k).toList();
        assertEquals(1, transposed.size(), "dh only: the gradient of x is not needed for the weights");
        assertNotNull(transposed.get(0).activeIf(), "dh is only used times relu'(z): rows with z <= 0 are skipped");
        assertTrue(p.training().inputBackward().stream().anyMatch(k -> k instanceof Kernel.LinearT), "dx is computed on request only");
    }

    @Test
    void contractionsRunOverTilesAndEachBufferIsTransposedOnce() {
        Program p = lowerWithLoss("input x[20]\n h = dense(x, 12, relu, connect: random(0.3))\n y = dense(h, 3)\n output y");
        Tiling t = p.tiling();
        assertNotNull(t, "contractions: tiles");
        List<Tiling.Batched> forward = batched(t.forward());
        assertEquals(2, forward.size(), "h's contraction (sparse) and y's (dense)");
        Buffer x = p.bufferOf().get(p.graph().inputs().get(0));
        assertTrue(Tiling.featureMajor(forward.get(0).kernel()), "the sparse one over feature-major copies");
        assertEquals(List.of(x), forward.get(0).toFeatureMajor(), "x is copied feature-major before h's contraction");
        assertEquals(List.of(), forward.get(1).toFeatureMajor(), "the dense one works on the samples' own buffers");
        assertTrue(t.forward().get(1) instanceof Tiling.PerSample, "bias and relu per sample, after the contraction");
        List<Tiling.Batched> sparseBackward = batched(t.backward()).stream().filter(b -> Tiling.featureMajor(b.kernel())).toList();
        assertEquals(1, sparseBackward.size(), "h's weight gradient (x needs no gradient)");
        Kernel.WeightGrad wg = (Kernel.WeightGrad) sparseBackward.get(0).kernel();
        assertEquals(List.of(wg.dz()), sparseBackward.get(0).toFeatureMajor(), "x's feature-major copy from the forward pass is still valid");
        assertEquals(null, lowerWithLoss("input x[2]\n h = dense(x, 2, weights: fixed [[1, 0], [0, 1]])\n y = h * h\n output y").tiling(),
                "no contraction to batch (a fixed one is unrolled): sample by sample");
    }

    private static List<Tiling.Batched> batched(List<Tiling.Step> steps) {
        return steps.stream().filter(s -> s instanceof Tiling.Batched).map(s -> (Tiling.Batched) s).toList();
    }

    @Test
    void weightGradientsAreAddedIntoStorageNotMaterialised() {
        Program p = lowerWithLoss("input x[8]\n h = dense(x, 6, tanh)\n output h");
        long weightGrads = p.training().backward().stream().filter(k -> k instanceof Kernel.WeightGrad).count();
        assertEquals(1, weightGrads);
        boolean biasIntoStorage = p.training().backward().stream().filter(k -> k instanceof Kernel.Map)
                .flatMap(k -> ((Kernel.Map) k).stores().stream()).anyMatch(s -> s instanceof Kernel.AddToGrad a && a.param().role().equals("bias"));
        assertTrue(biasIntoStorage, "the bias gradient is added in the loop that computes dz");
        assertEquals(1, p.training().backward().stream().filter(k -> k instanceof Kernel.Map).count(),
                "loss gradient aside, one element loop: tanh'(z) * dy and the bias gradient fused");
    }

    /** An input's gradient summed over 1500 unrolled lstm steps is cut into buffers, not one expression 1500 levels deep. */
    @Test
    void longSumsAreCutIntoBuffers() {
        Program p = Compiler.lower(Compiler.stages(TestNetworks.graph("network T {\n input seq[1500, 2]\n h = lstm(seq, 2)\n output h\n loss mse\n}")));
        int deepest = 0;
        for (Kernel k : p.training().inputBackward())
            if (k instanceof Kernel.Map m) for (Kernel.Store s : m.stores()) deepest = Math.max(deepest, depth(s.value()));
        assertTrue(deepest > 1 && deepest <= Lowering.MAX_FUSED_DEPTH, "deepest fused expression: " + deepest);
    }

    private static int depth(Expr e) {
        if (e instanceof Expr.Binary b) return 1 + Math.max(depth(b.a()), depth(b.b()));
        if (e instanceof Expr.Activate a) return 1 + depth(a.x());
        if (e instanceof Expr.Derivative d) return 1 + depth(d.x());
        return 0;
    }
}
