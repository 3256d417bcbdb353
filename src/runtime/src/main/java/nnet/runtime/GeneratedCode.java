package nnet.runtime;

import nnet.runtime.math.Activation;
import nnet.runtime.math.BatchNorm;
import nnet.runtime.math.ConvPlan;
import nnet.runtime.math.Dropout;
import nnet.runtime.math.Embedding;
import nnet.runtime.math.Fn;
import nnet.runtime.math.LayerNorm;
import nnet.runtime.math.LossFunction;

import java.io.Serializable;

/**
 * The runtime's side of its contract with generated code: every runtime method a generated network
 * class calls, or overrides, as a method reference. The Java compiler checks each reference against
 * the method it names, so a method renamed, or given another number or kind of parameters, fails the
 * build of this module, not a network at run time. The emitter ({@code nnet.emit.Call}) reads the
 * owner, name and descriptor it writes into a class back from the reference itself
 * ({@link java.lang.invoke.SerializedLambda}): generated code names no runtime method by a string.
 *
 * <p>Why references rather than method handles or an interface: a handle is looked up by a name and
 * a type written as strings and fails when the compiler starts, not when it is built; an interface
 * would make the registration methods public on every network. A reference is checked by javac and
 * costs nothing at run time (only the compiler reads this class). They live here, beside
 * {@link CompiledNetwork}, because its registration methods are protected: only code of this package
 * refers to them without javac routing the reference through a synthetic lambda.
 *
 * <p>The parameters are written with their boxes ({@code Integer} for {@code int}): a change within
 * one kind of number ({@code int} to {@code long}) still compiles, the descriptor then follows the
 * method, and the compiler's tests reject the values the emitter pushes (every generated class is
 * verified and linked against the runtime, {@code nnet.Linkage}). What a reference cannot name (the
 * constructor of an abstract class, fields, enum constants) the emitter names by string, and that
 * linkage check covers it.
 */
public final class GeneratedCode {
    private GeneratedCode() {}

    /** A method reference whose target the emitter reads back (serializable, so that it can). */
    public interface Ref extends Serializable {}

    /** Method references by number of parameters (a receiver counts), without a result... */
    public interface Action1<A> extends Ref { void call(A a); }
    public interface Action2<A, B> extends Ref { void call(A a, B b); }
    public interface Action3<A, B, C> extends Ref { void call(A a, B b, C c); }
    public interface Action4<A, B, C, D> extends Ref { void call(A a, B b, C c, D d); }
    public interface Action5<A, B, C, D, E> extends Ref { void call(A a, B b, C c, D d, E e); }
    public interface Action6<A, B, C, D, E, F> extends Ref { void call(A a, B b, C c, D d, E e, F f); }
    public interface Action7<A, B, C, D, E, F, G> extends Ref { void call(A a, B b, C c, D d, E e, F f, G g); }
    public interface Action8<A, B, C, D, E, F, G, H> extends Ref { void call(A a, B b, C c, D d, E e, F f, G g, H h); }
    public interface Action9<A, B, C, D, E, F, G, H, I> extends Ref { void call(A a, B b, C c, D d, E e, F f, G g, H h, I i); }

    /** ...and with one ({@code R}). */
    public interface Function0<R> extends Ref { R call(); }
    public interface Function1<A, R> extends Ref { R call(A a); }
    public interface Function2<A, B, R> extends Ref { R call(A a, B b); }
    public interface Function3<A, B, C, R> extends Ref { R call(A a, B b, C c); }
    public interface Function4<A, B, C, D, R> extends Ref { R call(A a, B b, C c, D d); }
    public interface Function5<A, B, C, D, E, R> extends Ref { R call(A a, B b, C c, D d, E e); }

    // ---- what the generated class overrides: its passes

    public static final Action1<CompiledNetwork> RUN = CompiledNetwork::run;
    public static final Action1<CompiledNetwork> BACKWARD = CompiledNetwork::backward;
    public static final Action1<CompiledNetwork> INPUT_BACKWARD = CompiledNetwork::inputBackward;
    public static final Action1<CompiledNetwork> TRAIN_FORWARD = CompiledNetwork::trainForward;
    public static final Action1<CompiledNetwork> PREDICT_LOSS = CompiledNetwork::predictLoss;
    public static final Action2<CompiledNetwork, Integer> TRAIN_STAGE = CompiledNetwork::trainStage;
    public static final Action2<CompiledNetwork, Integer> FORWARD_TILE = CompiledNetwork::forwardTile;
    public static final Action2<CompiledNetwork, Integer> TRAIN_TILE = CompiledNetwork::trainTile;
    public static final Action3<CompiledNetwork, Integer, Integer> TRAIN_TILE_STAGE = CompiledNetwork::trainTileStage;
    public static final Function1<CompiledNetwork, Boolean> TRAINS_DIFFERENTLY = CompiledNetwork::trainsDifferently;

    // ---- what its constructor calls: registration of nodes, weights and the train step

    public static final Action4<CompiledNetwork, String, float[], int[]> NODE = CompiledNetwork::node;
    public static final Action2<CompiledNetwork, String> INPUT = CompiledNetwork::input;
    public static final Action2<CompiledNetwork, String> OUTPUT = CompiledNetwork::output;
    public static final Action3<CompiledNetwork, String, Integer> TOKENS = CompiledNetwork::tokens;
    public static final Function5<CompiledNetwork, String, Integer, Integer, String, float[][]> DENSE_PARAM = CompiledNetwork::denseParam;
    public static final Function5<CompiledNetwork, String, String, String, Integer, SparseParam> SPARSE_PARAM = CompiledNetwork::sparseParam;
    public static final Function3<CompiledNetwork, String, String, SparseParam> FIXED_SPARSE = CompiledNetwork::fixedSparse;
    public static final Function4<CompiledNetwork, String, int[], String, float[]> FLAT_PARAM = CompiledNetwork::flatParam;
    public static final Function5<CompiledNetwork, String, int[], String, String, float[]> CONV_PARAM = CompiledNetwork::convParam;
    public static final Function4<CompiledNetwork, String, Integer, Integer, int[]> CHANNEL_PAIRS = CompiledNetwork::channelPairs;
    public static final Function2<CompiledNetwork, String, float[][]> FIXED_ROWS = CompiledNetwork::fixedRows;
    public static final Function2<CompiledNetwork, String, Tensor> STRUCTURE = CompiledNetwork::structure;
    public static final Function1<Tensor, float[]> TENSOR_DATA = Tensor::data;
    public static final Function3<CompiledNetwork, float[], Integer, float[][]> TILE_ROWS = CompiledNetwork::tileRows;
    public static final Function3<CompiledNetwork, String, Boolean, float[][]> ROWS_GRADIENT = CompiledNetwork::rowsGradient;
    public static final Function2<CompiledNetwork, String, float[]> FLAT_GRADIENT = CompiledNetwork::flatGradient;
    public static final Function2<CompiledNetwork, String, boolean[]> TOUCHED_ROWS = CompiledNetwork::touchedRows;
    public static final Action8<CompiledNetwork, String, String, Float, String, float[], float[], float[]> LOSS = CompiledNetwork::loss;
    public static final Action2<CompiledNetwork, float[]> TOTAL_LOSS = CompiledNetwork::totalLoss;
    public static final Action3<CompiledNetwork, float[], float[]> ACTIVITY_PENALTY = CompiledNetwork::activityPenalty;
    public static final Action4<CompiledNetwork, String, Float, Float> PENALTY = CompiledNetwork::penalty;
    public static final Action2<CompiledNetwork, Long> REPEATED_VISITS = CompiledNetwork::repeatedVisits;
    public static final Action8<CompiledNetwork, float[], float[], Integer, Float, String, String, Float> BATCH_STATISTICS = CompiledNetwork::batchStatistics;
    public static final Action3<CompiledNetwork, String, float[]> INPUT_GRADIENT = CompiledNetwork::inputGradient;
    public static final Action5<CompiledNetwork, String, String, Integer, Integer> TRAIN_DEFAULTS = CompiledNetwork::trainDefaults;

    /** The arrays of a sparse kernel ({@link SparseParam}), each into a field. */
    public static final Function1<SparseParam, float[]> SPARSE_VALUES = SparseParam::values;
    public static final Function1<SparseParam, int[]> SPARSE_ROW_START = SparseParam::rowStart;
    public static final Function1<SparseParam, int[]> SPARSE_COL_INDEX = SparseParam::colIndex;
    public static final Function1<SparseParam, int[]> SPARSE_COL_START = SparseParam::colStart;
    public static final Function1<SparseParam, int[]> SPARSE_ROW_INDEX = SparseParam::rowIndex;
    public static final Function1<SparseParam, int[]> SPARSE_POSITION = SparseParam::position;
    public static final Function1<SparseParam, int[]> SPARSE_TWINS = SparseParam::twins;

    /** A conv's plans, made by the constructor (the arrays are read from the plan's fields). */
    public static final Function4<int[], int[], Boolean, Integer, ConvPlan> CONV_PLAN = ConvPlan::of;
    public static final Function4<int[], int[], Boolean, Integer, ConvPlan> CONV_SAMPLE_PLAN = ConvPlan::ofSample;
    public static final Function2<int[], Integer, float[][]> CONV_SAMPLE_SCRATCH = ConvPlan::sampleScratch;

    /** Whether the Vector API kernels run, asked once by the class's static initialiser. */
    public static final Function0<Boolean> VECTORS_ENABLED = Vectors::enabled;
    public static final Function1<Integer, Boolean> VECTORS_NARROW = Vectors::narrow;

    // ---- what kernels call: the rows of the tables, and kernels written in Java

    public static final Function1<Float, Float> EXP = Fn::exp;
    public static final Function2<Integer, Integer, Integer> FIRST_INSIDE = Fn::firstInside;
    public static final Function4<Integer, Integer, Integer, Integer, Integer> END_INSIDE = Fn::endInside;
    public static final Function3<Activation, Float, Float, Float> ACTIVATION_APPLY = Activation::applyFloat;
    public static final Function3<Activation, Float, Float, Float> ACTIVATION_DERIVATIVE = Activation::derivativeFloat;
    public static final Function4<Activation, Float, Float, Float, Float> ACTIVATION_SECANT = Activation::secantFloat;
    public static final Function4<LossFunction, float[], float[], Integer, Float> LOSS_VALUE = LossFunction::value;
    public static final Action5<LossFunction, float[], float[], Integer, float[]> LOSS_GRADIENT = LossFunction::gradient;

    public static final Action6<float[], float[], Long, Integer, Integer, Float> DROPOUT = Dropout::apply;
    public static final Action6<float[][], float[][], Long, Integer, Integer, Float> DROPOUT_TILE = Dropout::applyTile;
    public static final Action4<float[], float[], float[][], Integer> EMBEDDING_LOOKUP = Embedding::lookup;
    public static final Action4<float[][], float[][], float[][], Integer> EMBEDDING_LOOKUP_TILE = Embedding::lookupTile;
    public static final Action5<float[], float[], float[][], boolean[], Integer> EMBEDDING_GRADIENT = Embedding::gradient;
    public static final Action6<float[][], float[][], float[][], boolean[], Integer, Integer> EMBEDDING_GRADIENT_TILE = Embedding::gradientTile;

    public static final Action9<float[], float[], float[], float[], float[], float[], Float, Integer, Integer> BATCHNORM_PREDICT = BatchNorm::predict;
    public static final Action9<float[][], float[][], float[], float[], float[], float[], Float, Integer, Integer> BATCHNORM_PREDICT_TILE = BatchNorm::predictTile;
    public static final Action4<float[], float[], Integer, Integer> BATCHNORM_MOMENTS = BatchNorm::moments;
    public static final Action5<float[][], float[], Integer, Integer, Integer> BATCHNORM_MOMENTS_TILE = BatchNorm::momentsTile;
    public static final Action7<float[], float[], float[], float[], float[], Integer, Integer> BATCHNORM_NORMALIZE = BatchNorm::normalize;
    public static final Action7<float[][], float[][], float[], float[], float[], Integer, Integer> BATCHNORM_NORMALIZE_TILE = BatchNorm::normalizeTile;
    public static final Action6<float[], float[], float[], float[], Integer, Integer> BATCHNORM_GRAD_SUMS = BatchNorm::gradSums;
    public static final Action7<float[][], float[][], float[], float[], Integer, Integer, Integer> BATCHNORM_GRAD_SUMS_TILE = BatchNorm::gradSumsTile;
    public static final Action8<float[], float[], float[], float[], float[], float[], Integer, Integer> BATCHNORM_GRAD = BatchNorm::grad;
    public static final Action9<float[][], float[][], float[][], float[], float[], float[], Integer, Integer, Integer> BATCHNORM_GRAD_TILE = BatchNorm::gradTile;
    public static final Action7<float[], float[], float[], float[], Boolean, Integer, Integer> BATCHNORM_PARAM_GRAD = BatchNorm::paramGrad;
    public static final Action8<float[][], float[][], float[], float[], Boolean, Integer, Integer, Integer> BATCHNORM_PARAM_GRAD_TILE = BatchNorm::paramGradTile;
    public static final Action6<float[], float[], float[], float[], Float, Integer> LAYERNORM_FORWARD = LayerNorm::forward;
    public static final Action6<float[][], float[][], float[], float[], Float, Integer> LAYERNORM_FORWARD_TILE = LayerNorm::forwardTile;
    public static final Action6<float[], float[], float[], float[], Float, Integer> LAYERNORM_GRAD = LayerNorm::grad;
    public static final Action7<float[][], float[][], float[][], float[], Float, Integer, Integer> LAYERNORM_GRAD_TILE = LayerNorm::gradTile;
    public static final Action6<float[], float[], float[], Boolean, Float, Integer> LAYERNORM_PARAM_GRAD = LayerNorm::paramGrad;
    public static final Action7<float[][], float[][], float[], Boolean, Float, Integer, Integer> LAYERNORM_PARAM_GRAD_TILE = LayerNorm::paramGradTile;
}
