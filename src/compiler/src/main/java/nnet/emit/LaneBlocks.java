package nnet.emit;

import java.util.function.IntFunction;
import nnet.lower.Tiling;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * The loop of a vector kernel's driver over a tile's 32 lanes in blocks of {@code laneVectors}
 * vectors (a micro-kernel's accumulators are per lane vector). A shape takes the whole row in one
 * block where it can (AVX2: 4 vectors of 8; {@link VectorShape#laneVectors}), so a step's index,
 * row reference and broadcast serve 4 multiply-adds rather than 2; where the machine's vectors are
 * too long for that (16 floats, the 16-register form asked for by property), the driver takes 2.
 */
final class LaneBlocks {
    private LaneBlocks() {}

    /**
     * At a micro-kernel's entry: {@code lane = 0} where one block of {@code laneVectors} vectors covers the
     * tile's lanes, the only block {@link #over} then gives. {@code LENGTH} is a constant to C2, so the lane
     * becomes the constant 0 and the block's loads take their offsets as immediates: no register per offset
     * and none for the lane, which on AVX2's 16 registers had pushed the loop's counters to the stack
     * (the conv product's loop 58 instructions for 8 multiply-adds).
     */
    static void firstWhenWhole(MethodBuilder m, int lane, int laneVectors) {
        Label partial = new Label();
        blockLanes(m, laneVectors);
        m.push(Tiling.SIZE);
        m.ifICmp(GeneratorAdapter.LT, partial);
        m.set(lane, m.constant(0));
        m.mark(partial);
    }

    /** {@code for lane = 0; lane < LANES; lane += laneVectors V}. */
    static void over(MethodBuilder m, int lane, int laneVectors, MethodBuilder.Body body) {
        m.forLoopBy(lane, m.constant(0), m.constant(Tiling.SIZE), () -> blockLanes(m, laneVectors), body);
    }

    /** Pushes the lanes a block of {@code laneVectors} vectors holds: {@code LENGTH x laneVectors}. */
    private static void blockLanes(MethodBuilder m, int laneVectors) {
        m.getStatic(Fields.LENGTH);
        m.push(laneVectors);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
    }

    /**
     * The body emitted for each of the shape's lane-vector forms ({@link VectorShape#laneVectorForms}),
     * the first whose block fits in the tile's lanes running: {@code LENGTH} is a constant to C2, which
     * keeps one branch.
     */
    static void perForm(MethodBuilder m, VectorShape shape, int lane, IntFunction<MethodBuilder.Body> body) {
        Label done = new Label();
        for (int lanes : shape.laneVectorForms()) {
            Label next = new Label();
            blockLanes(m, lanes);
            m.push(Tiling.SIZE);
            m.ifICmp(GeneratorAdapter.GT, next);
            over(m, lane, lanes, body.apply(lanes));
            m.goTo(done);
            m.mark(next);
        }
        m.mark(done);
    }
}
