package nnet.emit;

/**
 * The register blocking of the Vector API micro-kernels for one register file, as BLIS keeps a
 * table of micro-kernel shapes per instruction set. A micro-kernel keeps its accumulators, the
 * vectors it loads per step and one broadcast in vector registers; more than the machine has and
 * C2 spills them to the stack in the hot loop. A network's kernels are generated once per row of
 * {@link #TABLE} (class {@code <Network>$Vector} for 32 registers, {@code <Network>$Vector16} for
 * 16), and the network class runs the one its machine's register file fits, chosen as it is
 * initialised ({@link nnet.runtime.Vectors#narrow}): a jar compiled on one machine runs its best
 * form on another. The vector length is the machine's too ({@code SPECIES_PREFERRED}, read by the
 * kernels at run time).
 *
 * <pre>
 * ISA (vector x registers)          shape   dense forward, input grad   weight grad   conv product (channels x positions x lane vectors)   conv kernel gradient (channels x taps)
 * AVX-512 (16 floats x 32)          wide    12 x 2 = 24                 8 x 2 = 16    4 x 3 x 2 = 24; 8 channels x 1 x 2 = 16            4 x 3, over 2 lane vectors
 * NEON (4 x 32), AVX-512VL 128-bit  wide    (as AVX-512; the JVM's 128-bit x86 vectors are taken as narrow)
 * AVX2 (8 x 16)                     narrow  6 x 2 = 12                  4 x 2 = 8     3 x 1 x 4 = 12                                      2 x 4, over 4 lane vectors
 * SSE / AVX2 at 128 bits (4 x 16)   narrow  (as AVX2)
 *
 * sparse weight gradient over a sequence's steps (units x connections x lane vectors, summed over 16 steps in registers)
 * wide     a unit: 1 x 8 x 2 = 16; a pair of the same inputs: 2 x 4 x 2 = 16
 * narrow   a unit: 1 x 4 x 2 = 8; a pair: 2 x 2 x 2 = 8
 * </pre>
 *
 * Counts are accumulators; with the vectors loaded per step and the broadcasts each stays within
 * the file. Checked in C2's code for this machine (the hot loop's instructions, disassembled from
 * {@code -XX:CompileCommand=print}; BENCHMARKS.md): no vector register is spilled in these loops but
 * AVX2's conv kernel gradient, 4 vectors a step of 32 multiply-adds (its 12-sum forms spilled 12 and 48).
 * C2 may keep every broadcast of a step live at once: the 6 x 2 weight gradient spilled 3 vectors under
 * AVX2 (12 + 2 + 6 > 16), 4 x 2 none; on AVX-512 12 x 2 spilled 18 a step (24 + 2 + 12 > 32), 8 x 2
 * none (the dense forward's 12 broadcasts come from one row of W or one run of its panels, and its 12 x 2 loop took 82
 * instructions for 24 multiply-adds, none spilled). One sample's products ({@link ContractionSampleVectors}:
 * 4 rows, 8 accumulators at most) and the elementwise kernels (one row at a time) fit either file
 * and are the same in both.
 *
 * <p>A conv micro-kernel over tile rows takes a tile's 32 lanes in blocks of {@code laneVectors}
 * vectors: 2 of AVX-512's 16 floats, 4 of AVX2's 8 (2 blocks of 4 at 128 bits). With the whole row
 * in one call, a product takes a tile row's 32 lanes in one pass over the taps, not two, and the
 * kernel gradient of 2 channels x 4 taps has 8 independent sums: the 4 x 1 of 2 lane vectors it
 * replaces chained 2 multiply-adds a step into each of 4, and waited on their latency. Checked in
 * C2's code under {@code -XX:UseAVX=2} (BENCHMARKS.md): the kernel gradient's loop 211 instructions
 * for 32 multiply-adds (6.6 a multiply-add, 14 before), 160 and no spill since the lane is a constant where
 * one block covers the row ({@link LaneBlocks#firstWhenWhole}); 3 x 4 or 2 x 6 taps spilled 12 and 48 vectors a step
 * (2 x 6 still 8 with the lane a constant).
 * 1 channel x 3 positions x 4 took 6.8 instructions a multiply-add against 7.3 for 2 x 1 x 4, and ran
 * slower (each call re-reads the rows of x for one channel). With the lane a constant, 3 x 1 x 4 fits the 16
 * registers exactly (12 sums, 3 broadcasts, 1 vector of x): 56 instructions for 12 multiply-adds (4.7), none
 * spilled, against 54 for 8 (6.8) for 2 x 1 x 4; a block of 16 channels takes 5 calls of 3 and one of 1. On
 * AVX-512, 4 x 3 x 2: 119 for 24 (5.0), none spilled, against 95 for 16 (5.9) for 4 x 2 x 2; the kernel
 * gradient's 4 x 4 spilled 4 vectors (202 for 32), so it stays 4 x 3 (165 for 24). Where 4 vectors would pass the tile's 32
 * lanes (the 16 registers asked for on a machine of 16-float vectors), the narrow kernels take 2
 * ({@link #laneVectorForms}).
 *
 * <p>A conv's plan ({@link nnet.runtime.math.ConvPlan}) takes output (or, for the input gradient, input) channels in
 * blocks of at most {@code convBlock}, which the micro-kernels take a few at a time ({@link #convChannels}). The narrow
 * product takes 3 channels a call, and a block of 4 left a call of 1: 16% of the gated CNN's train step with AVX2 code,
 * at 1.9 times the cost of a multiply-add in the call of 3. Blocks of 6 leave one rest call per 16 channels, not 4: the
 * products' share of the step against the kernel gradient's went 1.73 → 1.43 (BENCHMARKS.md). On AVX-512, blocks of 6
 * made the product 6 x 1 x 2 in place of 4 x 3 x 2, and the step slower (309 against 270 µs a sample), so the wide
 * shape keeps 4.
 *
 * @param suffix           the vector class's name after the network's
 * @param registers        vector registers of the machines it is for
 * @param gradientRows     rows of z (the dense forward pass) or of the input gradient per block (x 2 vectors of lanes)
 * @param weightInputs     inputs of the weight gradient per block (x 2 vectors of units)
 * @param laneVectors      vectors of lanes per block of a conv or sparse micro-kernel over tile rows, where the tile's 32 lanes hold them ({@link LaneBlocks})
 * @param convBlock        the largest block of channels of a conv's plan over tile rows
 */
record VectorShape(String suffix, int registers, int gradientRows, int weightInputs, int laneVectors, int convBlock) {
    /** AVX-512 and other files of 32 registers. */
    static final VectorShape WIDE = new VectorShape("$Vector", 32, 12, 8, 2, nnet.runtime.math.ConvPlan.BLOCK);
    /** AVX2, SSE: 16 registers. */
    static final VectorShape NARROW = new VectorShape("$Vector16", 16, 6, 4, 4, 6);
    static final java.util.List<VectorShape> TABLE = java.util.List.of(WIDE, NARROW);

    private boolean wide() {
        return registers >= 32;
    }

    /** The lane vectors a conv or sparse micro-kernel takes per block: the shape's, or 2 where the machine's vectors are too long for that many in 32 lanes (chosen at run time). */
    int[] laneVectorForms() {
        return laneVectors == 2 ? new int[] {2} : new int[] {laneVectors, 2};
    }

    /** Output channels per call of a conv product micro-kernel over tile rows taking {@code lanes} lane vectors (a plan's larger block is split). */
    int convChannels(int lanes) {
        if (wide()) return 8;
        return lanes >= 4 ? 3 : 4;
    }

    /**
     * Positions a product micro-kernel over tile rows takes per call for a block of {@code channels}
     * and {@code lanes} lane vectors: its accumulators are channels x positions x lanes, besides them a
     * broadcast per channel and one vector of x.
     */
    int convPositions(int channels, int lanes) {
        if (wide()) return channels > 4 ? 1 : 12 / channels; // 4 x 3 x 2: 24 + 4 + 1 of 32; 8 x 1 x 2: 16 + 8 + 1
        return Math.max(1, 8 / (channels * lanes)); // 3 x 1 x 4: 12 + 3 + 1 of 16; 1 x 2 x 4: 8 + 1 + 1; 4 x 1 x 2: 8 + 4 + 1
    }

    /** Output channels per call of a kernel-gradient micro-kernel over tile rows. */
    int gradientChannels(int lanes) {
        return !wide() && lanes >= 4 ? 2 : 4;
    }

    /** Taps a kernel-gradient micro-kernel over tile rows takes per call for {@code channels}: channels x taps accumulators, a vector of dy per channel and one of x. */
    int convTaps(int channels) {
        if (wide()) return 12 / channels;
        return Math.max(1, Math.min(8 / channels, (registers - 1 - channels) / channels)); // 2 x 4: 8 + 2 + 1 of 16
    }

    /**
     * Connections per call of the sparse weight gradient over a sequence's steps for 1 unit or a pair of
     * the same inputs, on {@link ContractionVectors#STEP_LANE_VECTORS} lane vectors: units x connections x
     * 2 accumulators, a vector of dz per unit and lane vector, one of x. 32 registers: a unit 8 (19), a
     * pair 4 (21); 16: a unit 4 (11), a pair 2 (13).
     */
    int stepConnections(int units) {
        return (wide() ? 8 : 4) / units;
    }

    /** Positions (vectors of columns) a one-sample product micro-kernel takes per call: channels x positions accumulators, a broadcast per channel, one load. */
    int convSamplePositions(int channels) {
        if (wide()) return Math.min(8, 16 / channels);
        return Math.max(1, Math.min(8, (registers - 2 - channels) / channels));
    }

    /** Taps a one-sample kernel-gradient micro-kernel takes per call: channels x taps accumulators, a load of dy per channel and one of x. */
    int convSampleTaps(int channels) {
        if (wide()) return 12 / channels;
        return Math.max(1, Math.min(12, (registers - 2 - channels) / channels));
    }
}
