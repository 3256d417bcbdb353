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

    /** Every kernel of a dense and sparse network runs batched over the tile, but the loss: per sample, gathering what it reads. */
    @Test
    void kernelsRunBatchedOverTilesButTheLoss() {
        Program p = lowerWithLoss("input x[20]\n h = dense(x, 12, relu, connect: random(0.3))\n y = dense(h, 3)\n output y");
        Tiling t = p.tiling();
        assertNotNull(t, "contractions: tiles");
        assertTrue(t.forward().stream().allMatch(s -> s instanceof Tiling.Batched), "the forward pass: " + t.forward());
        List<Tiling.PerSample> perSample = t.backward().stream().filter(s -> s instanceof Tiling.PerSample).map(s -> (Tiling.PerSample) s).toList();
        assertEquals(1, perSample.size(), "the loss and its gradient, in one run over the lanes");
        assertTrue(perSample.get(0).kernels().stream().allMatch(k -> k instanceof Kernel.Loss), "only the loss");
        Buffer y = p.bufferOf().get(p.graph().outputs().get(0));
        assertTrue(perSample.get(0).gather().contains(y) && perSample.get(0).gather().contains(p.training().losses().get(0).target()), "it reads the output and the target");
        assertEquals(2, perSample.get(0).scatter().size(), "it writes the loss and its gradient");
    }

    /** conv2d, its gradients and the pools run batched over the tile rows like every kernel but the loss. */
    @Test
    void convolutionsAndPoolsRunBatched() {
        Program p = lowerWithLoss("input img[1, 6, 6]\n c = conv2d(img, 2, 3, relu)\n m = maxpool(c, 2)\n y = dense(flatten(m), 2)\n output y");
        Tiling t = p.tiling();
        assertTrue(t.forward().stream().allMatch(s -> s instanceof Tiling.Batched), "the forward pass: " + t.forward());
        List<Kernel> backward = t.backward().stream().filter(s -> s instanceof Tiling.Batched).map(s -> ((Tiling.Batched) s).kernel()).toList();
        assertTrue(backward.stream().anyMatch(k -> k instanceof Kernel.Conv c && c.role() == Kernel.ConvRole.KERNEL_GRAD), "the kernel gradient");
        assertTrue(backward.stream().anyMatch(k -> k instanceof Kernel.PoolGrad), "the pool's gradient");
        assertTrue(t.backward().stream().filter(s -> s instanceof Tiling.PerSample).allMatch(s -> ((Tiling.PerSample) s).kernels().stream().allMatch(k -> k instanceof Kernel.Loss)),
                "only the loss lane by lane");
    }

    @Test
    void weightGradientsAreAddedIntoStorageNotMaterialised() {
        Program p = lowerWithLoss("input x[8]\n h = dense(x, 6, tanh)\n output h");
        long weightGrads = p.training().backward().stream().filter(k -> k instanceof Kernel.WeightGrad).count();
        assertEquals(1, weightGrads);
        boolean biasIntoStorage = p.training().backward().stream().filter(k -> k instanceof Kernel.Map)
                .flatMap(k -> ((Kernel.Map) k).stores().stream()).anyMatch(s -> s instanceof Kernel.AddToGrad a && a.param().role().equals("bias"));
        assertTrue(biasIntoStorage, "the bias gradient is added in the loop that computes dz");
        assertEquals(1, p.training().backward().stream().filter(k -> k instanceof Kernel.Map m && m.extent() > 1).count(),
                "loss gradient aside, one element loop: the sample's weight times tanh'(z) * dy, and the bias gradient fused");
    }

    /**
     * A sum of 1500 terms over five statements (one statement may nest 400 levels), fused into one
     * expression, and the gradient of its input summed from 1500 uses, are cut into buffers, not
     * expressions 1500 levels deep.
     */
    @Test
    void longSumsAreCutIntoBuffers() {
        StringBuilder sums = new StringBuilder(" s0 = x" + " + x".repeat(299) + "\n");
        for (int k = 1; k < 5; k++) sums.append(" s").append(k).append(" = s").append(k - 1).append(" + x".repeat(300)).append('\n');
        Program p = Compiler.lower(Compiler.stages(TestNetworks.graph("network T {\n input x[2]\n" + sums + " output s4\n loss mse\n}")));
        for (List<Kernel> pass : List.of(p.forward(), p.training().inputBackward())) {
            int deepest = 0;
            for (Kernel k : pass) if (k instanceof Kernel.Map m) for (Kernel.Store s : m.stores()) deepest = Math.max(deepest, depth(s.value()));
            assertTrue(deepest > 1 && deepest <= Lowering.MAX_FUSED_DEPTH, "deepest fused expression: " + deepest);
        }
    }

    private static int depth(Expr e) {
        if (e instanceof Expr.Binary b) return 1 + Math.max(depth(b.a()), depth(b.b()));
        if (e instanceof Expr.Activate a) return 1 + depth(a.x());
        if (e instanceof Expr.Derivative d) return 1 + depth(d.x());
        return 0;
    }
}
