package nnet.emit;

import java.util.List;
import nnet.ir.Param;
import nnet.lower.Buffer;
import org.objectweb.asm.Type;

/**
 * The fields of a generated network class, by name and type: the one place that knows them. The
 * class emitter declares them, the constructor fills them and the kernel emitters read them, all
 * from here; a param's types follow its {@link Param#layout()}.
 */
final class Fields {
    private Fields() {}

    static final Type FLOATS = Type.getType(float[].class), ROWS = Type.getType(float[][].class), INTS = Type.getType(int[].class),
            FLAGS = Type.getType(boolean[].class);

    /** A field of the network class (or an argument of a Vector API kernel, which is loaded from one). */
    record Field(String name, Type type) {}

    // ---- buffers

    /** A buffer: one sample's values of a node (or of several: a reshape shares its input's). */
    static Field buffer(Buffer b) {
        return new Field(b.field(), FLOATS);
    }

    /** A buffer's tile rows {@code [feature][lane]}, registered with the runtime, which loads inputs and targets into them. */
    static Field tileRows(Buffer b) {
        return new Field(b.field() + "$t", ROWS);
    }

    /** Per-lane scratch rows of a tile: a softmax's max and sum, its gradient's dot product, a conv kernel gradient's sums. */
    static final Field LANES_A = new Field("t$lanesA", FLOATS), LANES_B = new Field("t$lanesB", FLOATS);

    /**
     * The runtime's flag (a field of its base class) that the tile running is the first of a batch's part: a
     * gradient {@link nnet.lower.Tiling#gradientsSetByTiles set by tiles} is set then, not added to.
     */
    static final Field SETS_GRADIENTS = new Field("setsGradients", Type.BOOLEAN_TYPE);

    /** Rows of zeros a tile's loop view shows where its history has no block (a carried state before the first step): only ever read. */
    static final Field ZERO_ROWS = new Field("t$zeroRows", ROWS);

    // ---- params, as their layout stores them

    /** A param's values: rows for {@link Param.Layout#ROWS}, else one array (a sparse kernel's present values, unit by unit). */
    static Field values(Param p) {
        return new Field("p$" + p.name().replace('.', '$'), p.layout() == Param.Layout.ROWS ? ROWS : FLOATS);
    }

    /** A param's gradient storage, laid out like its values. */
    static Field gradient(Param p) {
        return new Field("g$" + p.name().replace('.', '$'), values(p).type());
    }

    /**
     * The index arrays of a {@link Param.Layout#SPARSE} kernel, beside its values: by input (row order:
     * where each input's entries start, their units), by unit (the values' order: where each unit's
     * entries start, their inputs), and where each entry by input sits among the values.
     */
    enum Index {
        START("start"), COL("col"), COL_START("colStart"), ROW_INDEX("rowIndex"), POSITION("position"), TWINS("twins");

        final String suffix;

        Index(String suffix) {
            this.suffix = suffix;
        }
    }

    static Field index(Param sparse, Index which) {
        return new Field(values(sparse).name() + "$" + which.suffix, INTS);
    }

    /** A {@link Param.Layout#CONV} kernel's present (input channel, filter) pairs, {@code [i0, o0, i1, o1, ...]}. */
    static Field channelPairs(Param conv) {
        return new Field(values(conv).name() + "$pairs", INTS);
    }

    /** The flags of an embedding's rows that a batch touched. */
    static Field touchedRows(Param embeddings) {
        return new Field(gradient(embeddings).name() + "$touched", FLAGS);
    }

    /**
     * Sample-major rows {@code [lane][unit]} of a dense kernel's output side: its forward pass (plain
     * form) sums into them, its weight gradient reads dz copied into them. One per kernel (the steps of
     * an lstm share theirs): kernels run one at a time. Made only for a run of the plain kernels (VECTOR unset).
     */
    static Field sampleMajor(Param dense) {
        return new Field(values(dense).name() + "$sampleMajor", ROWS);
    }

    /**
     * The Vector API weight gradient's copy of dz, sample-major in one array ({@code [lane * stride + unit]},
     * {@link #flatStride}): its lanes' rows are a line more than 4 KB apart, where separate row arrays of
     * 1,024 floats fell in the same L1 sets (the lstm's train step 886 -> 789 µs on AVX-512). Made only for a run of
     * the Vector API kernels; weight gradients of the same dz share the first's ({@link ContractionVectors#sharedArguments}).
     */
    static Field flatSampleMajor(Param dense) {
        return new Field(values(dense).name() + "$flatSampleMajor", FLOATS);
    }

    /**
     * The distance between two lanes' rows in {@link #flatSampleMajor}: the padded row and one 64-byte
     * line more, so 32 rows of 1,024 units are not all 4 KB apart (one L1 set: the lstm's weight gradient
     * ran 45% slower so).
     */
    static int flatStride(int units) {
        return nnet.runtime.CompiledNetwork.paddedRow(units) + 16;
    }

    /**
     * A dense kernel read many times a run (at every step of a loop, or over many outer rows), as the Vector API
     * forward pass reads it: per block of units ({@link VectorShape#gradientRows}, the last block the rest), the
     * block's weights input by input in one run ({@code [b n + i width + u]}), packed from the rows before the first
     * use (by the loop, or by the product's own method). From W's rows, each input's
     * few weights of a block were a part of a line 4 KB from the last: the lstm's forward pass with AVX2 code took
     * 634 µs a sample, 517 packed (BENCHMARKS.md). Made only for a run of the Vector API kernels (VECTOR set).
     */
    static Field panels(Param dense) {
        return new Field(values(dense).name() + "$panels", FLOATS);
    }

    /**
     * The sparse weight gradient over a sequence's steps: a chunk of {@link ContractionVectors#ROWS_PER_CALL}
     * steps of its input rows in one array, input by input ({@link #stepStride} apart), so a micro-kernel's
     * loop over the steps loads from one array at offsets its loop counter gives: from the rows' own arrays,
     * each load needed the row's reference, length and range checks (134 instructions for 16 multiply-adds).
     */
    static Field stepInputs(Param sparse) {
        return new Field(values(sparse).name() + "$stepInputs", FLOATS);
    }

    /** As {@link #stepInputs}, the dz rows of the unit (or the pair of units) whose sums are taken, one unit after the other. */
    static Field stepGradients(Param sparse) {
        return new Field(values(sparse).name() + "$stepGradients", FLOATS);
    }

    /** The distance between two inputs' (or units') steps in {@link #stepInputs}: the chunk's rows of 32 lanes and one 64-byte line. */
    static int stepStride() {
        return ContractionVectors.ROWS_PER_CALL * nnet.lower.Tiling.SIZE + 16;
    }


    /** The arrays of a {@link nnet.runtime.math.ConvPlan}, in the order kernels take them; each is the plan's field of that name in lower case. */
    static final List<String> PLAN_PARTS = List.of("Jobs", "Taps", "Positions");

    /** Part of a conv's tile plan: its forward pass's (also its kernel gradient's), or its input gradient's. */
    static Field tilePlan(Param conv, boolean forward, String part) {
        return new Field(values(conv).name() + (forward ? "$fwd" : "$bwd") + part, INTS);
    }

    /** Part of a conv's one-sample plan, for the vector length of the machine (made by the constructor when the Vector API runs). */
    static Field samplePlan(Param conv, boolean forward, String part) {
        return new Field(values(conv).name() + (forward ? "$sampleFwd" : "$sampleBwd") + part, INTS);
    }

    /** A conv's one-sample scratch rows: the image and its gradients in rows of whole vectors. */
    static Field sampleScratch(Param conv) {
        return new Field(values(conv).name() + "$sampleScratch", ROWS);
    }

    // ---- static fields, set by a class's static initialiser

    /** Of a Vector API class: the species of the process ({@code SPECIES_PREFERRED}) and its length in floats. */
    static final Field SPECIES = new Field("S", Type.getObjectType("jdk/incubator/vector/VectorSpecies")), LENGTH = new Field("V", Type.INT_TYPE);

    /** Of the network class: the Vector API kernels run (the module is there and a tile is whole vectors). */
    static final Field VECTOR = new Field("VECTOR", Type.BOOLEAN_TYPE);
    /** The machine has 16 vector registers: the {@code $Vector16} class runs. */
    static final Field NARROW = new Field("NARROW", Type.BOOLEAN_TYPE);
}
