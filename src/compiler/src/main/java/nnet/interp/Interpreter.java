package nnet.interp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnet.ir.Connectivity;
import nnet.ir.ConvSpec;
import nnet.expand.LstmExpansion;
import nnet.ir.Graph;
import nnet.ir.LoopSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.PoolSpec;
import nnet.ir.Shape;
import nnet.ir.BatchNormSpec;
import nnet.ir.LayerNormSpec;
import nnet.runtime.math.LossFunction;
import nnet.runtime.Tensor;

/**
 * The executable definition of every IR op, in double precision and written for clarity, not
 * speed: one case per op, and no default, so a new op does not compile until it is defined here.
 * Activations and losses are the double-precision rows of their tables ({@code Activation},
 * {@code LossFunction}); an lstm runs through its expansion ({@link LstmExpansion}), the one
 * definition the compiler uses too. Generated code is tested against it on random inputs, and
 * gradients are checked against finite differences computed through it.
 */
public final class Interpreter {
    private final Graph g;
    private final Map<String, double[]> weights;

    /** {@code weights} by param name, row-major; fixed params may be absent (their constants are used). */
    public Interpreter(Graph g, Map<String, double[]> weights) {
        this.g = g;
        this.weights = weights;
    }

    public static Map<String, double[]> toDouble(Map<String, Tensor> tensors) {
        Map<String, double[]> out = new HashMap<>();
        tensors.forEach((k, t) -> {
            double[] d = new double[t.data().length];
            for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
            out.put(k, d);
        });
        return out;
    }

    /**
     * How a run computes the ops that train differently ({@link Op#TRAINING_MODE}): predicting, or a
     * train step whose dropout masks come from {@code dropoutKey} (sample {@code sample} of its batch);
     * {@code batch} holds what the batch-coupled ops need of the whole batch (a batchnorm's statistics
     * by its spec, its gradient's means by its node), computed by {@link #runBatch} before each sample's value.
     */
    private record Mode(boolean training, long dropoutKey, int sample, Map<Object, double[][]> batch) {
        static final Mode PREDICT = new Mode(false, 0, 0, Map.of());
    }

    /** Runs the graph on one sample as predicting does; returns every node's value, indexed by node id. */
    public double[][] run(Map<String, double[]> inputs) {
        return run(inputs, null, null);
    }

    /** {@link #run}, with the value of node {@code replaced} set to {@code value} instead of computed (finite differences with respect to a hidden node). */
    public double[][] run(Map<String, double[]> inputs, Node replaced, double[] value) {
        double[][] v = new double[g.nodes().size()][];
        Map<Node, double[][][]> loops = new HashMap<>();
        for (Node n : g.nodes()) v[n.id()] = n == replaced ? value.clone() : eval(n, v, inputs, loops, Mode.PREDICT);
        return v;
    }

    /**
     * Runs the graph on a batch as a train step does: dropout masks drawn from {@code dropoutKey}
     * ({@code nnet.runtime.math.Dropout.key(seed, step)}) for sample s of the batch, batchnorm with the
     * batch's statistics. Returns every node's value per sample, {@code [sample][node id]}.
     */
    public double[][][] runBatch(List<Map<String, double[]>> samples, long dropoutKey) {
        int batch = samples.size();
        double[][][] v = new double[batch][g.nodes().size()][];
        List<Map<Node, double[][][]>> loops = new java.util.ArrayList<>();
        for (int s = 0; s < batch; s++) loops.add(new HashMap<>());
        Map<Object, double[][]> coupled = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() == Op.BATCHNORM) coupled.put(n.arg(), BatchStatistics.moments((BatchNormSpec) n.arg(), column(v, n.input(0))));
            if (n.op() == Op.BATCHNORM_GRAD) {
                BatchNormSpec b = (BatchNormSpec) n.arg();
                coupled.put(n, BatchStatistics.gradientMeans(b, coupled.get(b), column(v, n.input(0)), column(v, n.input(1))));
            }
            for (int s = 0; s < batch; s++) v[s][n.id()] = eval(n, v[s], samples.get(s), loops.get(s), new Mode(true, dropoutKey, s, coupled));
        }
        return v;
    }

    /** A node's value in every sample of a batch. */
    private static double[][] column(double[][][] v, Node n) {
        double[][] out = new double[v.length][];
        for (int s = 0; s < v.length; s++) out[s] = v[s][n.id()];
        return out;
    }

    /**
     * The value of one node, from the values of the nodes before it: the definition of every op.
     * {@code loops} holds the values of every body node at every step of the loops run so far.
     */
    private double[] eval(Node n, double[][] v, Map<String, double[]> inputs, Map<Node, double[][][]> loops, Mode mode) {
        int size = n.shape().size();
        double[] a = n.inputs().isEmpty() ? null : v[n.input(0).id()];
        double[] b = n.inputs().size() < 2 ? null : v[n.input(1).id()];
        return switch (n.op()) {
            case INPUT -> {
                double[] x = inputs.get(n.name());
                if (x == null || x.length != size) throw new IllegalArgumentException("input " + n.name() + " needs " + size + " values");
                yield x.clone();
            }
            case CONST -> new double[] {(Float) n.arg()};
            case LINEAR -> linear(n.param(), a, n.input(0).shape(), size);
            case BIAS_ADD -> {
                double[] bias = param(n.param());
                int m = n.shape().last();
                yield map(size, k -> a[k] + (n.param().has(0, k % m) ? bias[k % m] : 0));
            }
            case ADD -> map(size, k -> at(a, k) + at(b, k));
            case SUB -> map(size, k -> at(a, k) - at(b, k));
            case MUL -> map(size, k -> at(a, k) * at(b, k));
            case DIV -> map(size, k -> at(a, k) / at(b, k));
            case ACTIVATION -> {
                Op.ActivationSpec f = (Op.ActivationSpec) n.arg();
                yield map(size, k -> f.fn().apply(a[k], f.alpha()));
            }
            case DERIV -> {
                Op.ActivationSpec f = (Op.ActivationSpec) n.arg();
                yield map(size, k -> f.fn().derivative(a[k], f.alpha()));
            }
            case SECANT -> {
                Op.ActivationSpec f = (Op.ActivationSpec) n.arg();
                yield map(size, k -> f.fn().secant(a[k], b[k], f.alpha()));
            }
            case SOFTMAX -> softmax(a, n.shape().last());
            case RESHAPE -> a.clone();
            case CONCAT -> concat(n, v, size);
            case SLICE -> slice((Op.SliceSpec) n.arg(), a, n.input(0).shape(), size);
            case EMBED -> embed((Op.SliceSpec) n.arg(), a, n.shape());
            case CONV2D -> conv2d((ConvSpec) n.arg(), a, n.input(0).shape(), n.shape());
            case MAXPOOL, AVGPOOL -> pool(n, a);
            case LSTM -> new Interpreter(LstmExpansion.alone(n), weights).lastValue(Map.of("x", a));
            case LOOP -> {
                loops.put(n, loop(n, v, loops, mode));
                yield new double[1];
            }
            case LOOP_OUT -> loopOut((LoopSpec.Out) n.arg(), loops.get(n.input(0)), size);
            case EMBEDDING -> FieldLayerOps.embedding(a, param(n.param()), n.param().shape().dim(0), n.param().shape().dim(1));
            case EMBEDDING_GRAD -> FieldLayerOps.embeddingGrad(a, b, ((Param) n.arg()).shape().dim(0), ((Param) n.arg()).shape().dim(1));
            case DROPOUT -> FieldLayerOps.dropout((Op.DropoutSpec) n.arg(), a, mode.training(), mode.dropoutKey(), mode.sample());
            case BATCHNORM -> {
                BatchNormSpec bn = (BatchNormSpec) n.arg();
                double[][] stats = mode.training() ? batchOnly(mode, bn) : BatchStatistics.moving(bn, bn.movingMean() == null ? new double[bn.channels()] : param(bn.movingMean()), param(bn.movingVariance()));
                yield FieldLayerOps.batchnorm(bn, a, stats, optional(bn.gamma()), optional(bn.beta()));
            }
            case BATCHNORM_GRAD -> {
                BatchNormSpec bn = (BatchNormSpec) n.arg();
                yield FieldLayerOps.batchnormGrad(bn, a, b, batchOnly(mode, bn), batchOnly(mode, n), optional(bn.gamma()));
            }
            case BATCHNORM_PARAM_GRAD -> {
                BatchNormSpec.ParamGrad pg = (BatchNormSpec.ParamGrad) n.arg();
                yield FieldLayerOps.batchnormParamGrad(pg, a, b, batchOnly(mode, pg.spec()));
            }
            case LAYERNORM -> {
                LayerNormSpec l = (LayerNormSpec) n.arg();
                yield FieldLayerOps.layernorm(l, a, optional(l.gamma()), optional(l.beta()));
            }
            case LAYERNORM_GRAD -> FieldLayerOps.layernormGrad((LayerNormSpec) n.arg(), a, b, optional(((LayerNormSpec) n.arg()).gamma()));
            case LAYERNORM_PARAM_GRAD -> FieldLayerOps.layernormParamGrad((LayerNormSpec.ParamGrad) n.arg(), a, b);
            case LINEAR_T -> linearTransposed((Param) n.arg(), a, n.input(0).shape(), size);
            case WEIGHT_GRAD -> weightGrad((Param) n.arg(), a, n.input(0).shape(), b);
            case ROW_SUM -> { // a bias gradient: 0 at the absent entries of a bias mask
                double[] out = new double[size];
                Param p = n.arg() instanceof Param q ? q : null;
                for (int k = 0; k < a.length; k++) if (p == null || p.has(0, k % size)) out[k % size] += a[k];
                yield out;
            }
            case SUM -> new double[] {java.util.Arrays.stream(a).sum()};
            case SOFTMAX_GRAD -> softmaxGrad(a, b, n.shape().last());
            case CONV2D_INPUT_GRAD -> convGrad((ConvSpec) n.arg(), null, n.shape(), a, n.input(0).shape(), true);
            case CONV2D_KERNEL_GRAD -> convGrad((ConvSpec) n.arg(), a, n.input(0).shape(), b, n.input(1).shape(), false);
            case CONV2D_BIAS_GRAD -> { // 0 at absent entries of a bias mask
                double[] out = new double[size];
                Param bias = ((ConvSpec) n.arg()).bias();
                int per = n.input(0).shape().size() / size;
                for (int k = 0; k < a.length; k++) if (bias.has(0, k / per)) out[k / per] += a[k];
                yield out;
            }
            case MAXPOOL_GRAD, AVGPOOL_GRAD -> poolGrad(n, a, v[n.input(n.inputs().size() - 1).id()]);
            case LOSS -> new double[] {((LossFunction) n.arg()).value(a, b, n.input(0).shape().last())};
            case LOSS_GRAD -> {
                double[] out = new double[size];
                ((LossFunction) n.arg()).gradient(a, b, n.input(0).shape().last(), out);
                yield out;
            }
        };
    }

    /** A param's values, or null for one the layer does not have (a batchnorm without scale or center). */
    private double[] optional(Param p) {
        return p == null ? null : param(p);
    }

    /** What a batch-coupled op needs of the whole batch: only a train step's run over a batch has it. */
    private static double[][] batchOnly(Mode mode, Object key) {
        double[][] d = mode.batch().get(key);
        if (d == null) throw new IllegalStateException("batchnorm while training needs the batch: run it with runBatch");
        return d;
    }

    /**
     * Runs a loop's body step by step, in the loop's direction: the values of every body node at
     * every step, {@code [t][body node id]}. Carried inputs are zero at the first step; a body
     * extending another loop's takes that loop's values of the same step for the nodes they share.
     */
    private double[][][] loop(Node n, double[][] v, Map<Node, double[][][]> loops, Mode mode) {
        LoopSpec l = (LoopSpec) n.arg();
        Graph body = l.body();
        Interpreter step = new Interpreter(body, weights);
        double[][][] prior = l.priorNodes() > 0 ? loops.get(n.input(0)) : null;
        int first = prior != null ? 1 : 0;
        List<Node> sequences = l.stepInputs(), carried = l.carriedInputs();
        double[][][] out = new double[l.steps()][][];
        for (int k = 0; k < l.steps(); k++) {
            int t = l.reverse() ? l.steps() - 1 - k : k, before = l.previous(t);
            double[][] bv = new double[body.nodes().size()][];
            if (prior != null) System.arraycopy(prior[t], 0, bv, 0, l.priorNodes());
            for (int i = 0; i < sequences.size(); i++) {
                int len = sequences.get(i).shape().size();
                bv[sequences.get(i).id()] = java.util.Arrays.copyOfRange(v[n.input(first + i).id()], t * len, (t + 1) * len);
            }
            for (int i = 0; i < carried.size(); i++)
                bv[carried.get(i).id()] = before < 0 || before >= l.steps() ? new double[carried.get(i).shape().size()] : out[before][body.outputs().get(i).id()];
            Map<Node, double[][][]> inner = new HashMap<>();
            for (Node b : body.nodes()) if (bv[b.id()] == null) bv[b.id()] = step.eval(b, bv, Map.of(), inner, mode);
            out[t] = bv;
        }
        return out;
    }

    /** A body node's values at every step, one after the other, or their sum. */
    private static double[] loopOut(LoopSpec.Out o, double[][][] steps, int size) {
        double[] out = new double[size];
        int len = o.node().shape().size();
        for (int t = 0; t < steps.length; t++) {
            double[] x = steps[t][o.node().id()];
            for (int k = 0; k < len; k++) out[o.summed() ? k : t * len + k] += x[k];
        }
        return out;
    }

    /** Element k of an operand; a [1] operand broadcasts. */
    private static double at(double[] x, int k) {
        return x[x.length == 1 ? 0 : k];
    }

    private static double[] map(int size, java.util.function.IntToDoubleFunction element) {
        double[] out = new double[size];
        for (int k = 0; k < size; k++) out[k] = element.applyAsDouble(k);
        return out;
    }

    /** The value of a graph's last node, run on {@code inputs}. */
    private double[] lastValue(Map<String, double[]> inputs) {
        double[][] v = run(inputs);
        return v[v.length - 1];
    }

    private static double[] softmax(double[] a, int m) {
        double[] out = new double[a.length];
        for (int from = 0; from < a.length; from += m) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = from; j < from + m; j++) max = Math.max(max, a[j]);
            for (int j = from; j < from + m; j++) sum += out[j] = Math.exp(a[j] - max);
            for (int j = from; j < from + m; j++) out[j] /= sum;
        }
        return out;
    }

    /** {@code y * (dy - sum(dy * y))} per row. */
    private static double[] softmaxGrad(double[] y, double[] dy, int m) {
        double[] out = new double[y.length];
        for (int from = 0; from < y.length; from += m) {
            double dot = 0;
            for (int j = from; j < from + m; j++) dot += dy[j] * y[j];
            for (int j = from; j < from + m; j++) out[j] = y[j] * (dy[j] - dot);
        }
        return out;
    }

    private double[] param(Param p) {
        if (p.fixed() != null) {
            double[] d = new double[p.fixed().length];
            for (int i = 0; i < d.length; i++) d[i] = p.fixed()[i];
            return d;
        }
        double[] w = weights.get(p.name());
        if (w == null || w.length != p.shape().size()) throw new IllegalArgumentException("weights lack " + p.name() + p.shape());
        return w;
    }

    /** Only present connections contribute; the stored value of an absent one is ignored. */
    private double[] linear(Param p, double[] x, Shape in, int size) {
        double[] w = param(p), out = new double[size];
        int n = in.last(), m = p.shape().dim(1);
        for (int r = 0; r < in.outer(); r++)
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) if (p.has(i, j)) s += x[r * n + i] * w[i * m + j];
                out[r * m + j] = s;
            }
        return out;
    }

    private double[] linearTransposed(Param p, double[] dz, Shape in, int size) {
        double[] w = param(p), dx = new double[size];
        int n = p.shape().dim(0), m = in.last();
        for (int r = 0; r < in.outer(); r++)
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < m; j++) if (p.has(i, j)) s += w[i * m + j] * dz[r * m + j];
                dx[r * n + i] = s;
            }
        return dx;
    }

    /** Only entries that exist and train get a gradient; the rest stay exactly 0. */
    private static double[] weightGrad(Param p, double[] x, Shape in, double[] dz) {
        Connectivity frozen = p.frozen();
        int n = in.last(), m = p.shape().dim(1);
        double[] dw = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                if (!p.has(i, j) || (frozen != null && frozen.get(i, j))) continue;
                double s = 0;
                for (int r = 0; r < in.outer(); r++) s += x[r * n + i] * dz[r * m + j];
                dw[i * m + j] = s;
            }
        return dw;
    }

    private static double[] slice(Op.SliceSpec sl, double[] a, Shape in, int size) {
        int inner = in.sizeAfter(sl.axis()), run = sl.length() * inner;
        double[] out = new double[size];
        for (int o = 0; o < in.sizeBefore(sl.axis()); o++) System.arraycopy(a, (o * in.dim(sl.axis()) + sl.offset()) * inner, out, o * run, run);
        return out;
    }

    private static double[] embed(Op.SliceSpec sl, double[] a, Shape outShape) {
        int inner = outShape.sizeAfter(sl.axis()), run = sl.length() * inner;
        double[] out = new double[outShape.size()];
        for (int o = 0; o < outShape.sizeBefore(sl.axis()); o++) System.arraycopy(a, o * run, out, (o * outShape.dim(sl.axis()) + sl.offset()) * inner, run);
        return out;
    }

    private static double[] concat(Node n, double[][] v, int size) {
        int axis = (Integer) n.arg();
        int inner = n.shape().sizeAfter(axis), pos = 0;
        double[] out = new double[size];
        for (int o = 0; o < n.shape().sizeBefore(axis); o++)
            for (Node part : n.inputs()) {
                int len = part.shape().dim(axis) * inner;
                System.arraycopy(v[part.id()], o * len, out, pos, len);
                pos += len;
            }
        return out;
    }

    /** Over the present (input channel, filter) pairs of the channel table only; padding is zero. */
    private double[] conv2d(ConvSpec c, double[] x, Shape in, Shape outShape) {
        double[] k = param(c.kernel()), out = new double[outShape.size()];
        double[] b = c.bias() == null ? null : param(c.bias());
        int ch = in.dim(0), h = in.dim(1), w = in.dim(2), f = outShape.dim(0), oh = outShape.dim(1), ow = outShape.dim(2);
        for (int o = 0; o < f; o++)
            for (int y = 0; y < oh; y++)
                for (int xx = 0; xx < ow; xx++) {
                    double s = b == null || !c.bias().has(0, o) ? 0 : b[o];
                    for (int i = 0; i < ch; i++) {
                        if (!c.kernel().has(i, o)) continue;
                        for (int ky = 0; ky < c.kh(); ky++)
                            for (int kx = 0; kx < c.kw(); kx++) {
                                int iy = y * c.strideY() + ky - c.padTop(), ix = xx * c.strideX() + kx - c.padLeft();
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                s += x[(i * h + iy) * w + ix] * k[((o * ch + i) * c.kh() + ky) * c.kw() + kx];
                            }
                    }
                    out[(o * oh + y) * ow + xx] = s;
                }
        return out;
    }

    /**
     * The two gradients of a conv2d, over the same present (input, output) pairs as {@link #conv2d}:
     * the input gradient (x unused, the result shaped like {@code in}) or the kernel gradient, 0 at
     * the taps of frozen pairs.
     */
    private double[] convGrad(ConvSpec c, double[] x, Shape in, double[] dy, Shape outShape, boolean inputGrad) {
        double[] k = inputGrad ? param(c.kernel()) : null;
        double[] out = new double[inputGrad ? in.size() : c.kernel().shape().size()];
        int ch = in.dim(0), h = in.dim(1), w = in.dim(2), f = outShape.dim(0), oh = outShape.dim(1), ow = outShape.dim(2);
        for (int o = 0; o < f; o++)
            for (int i = 0; i < ch; i++) {
                if (!c.kernel().has(i, o) || (!inputGrad && c.kernel().frozen() != null && c.kernel().frozen().get(i, o))) continue;
                for (int ky = 0; ky < c.kh(); ky++)
                    for (int kx = 0; kx < c.kw(); kx++) {
                        int ki = ((o * ch + i) * c.kh() + ky) * c.kw() + kx;
                        for (int y = 0; y < oh; y++)
                            for (int xx = 0; xx < ow; xx++) {
                                int iy = y * c.strideY() + ky - c.padTop(), ix = xx * c.strideX() + kx - c.padLeft();
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                double g = dy[(o * oh + y) * ow + xx];
                                if (inputGrad) out[(i * h + iy) * w + ix] += k[ki] * g;
                                else out[ki] += x[(i * h + iy) * w + ix] * g;
                            }
                    }
            }
        return out;
    }

    /** maxpool's gradient goes to each window's first maximum, avgpool's is spread evenly; overlapping windows add up. */
    private static double[] poolGrad(Node n, double[] x, double[] dy) {
        PoolSpec p = (PoolSpec) n.arg();
        Shape in = n.shape(), s = n.input(n.inputs().size() - 1).shape();
        int k = p.k(), h = in.dim(1), w = in.dim(2);
        boolean max = n.op() == Op.MAXPOOL_GRAD;
        double[] dx = new double[in.size()];
        for (int c = 0; c < s.dim(0); c++)
            for (int y = 0; y < s.dim(1); y++)
                for (int xx = 0; xx < s.dim(2); xx++) {
                    double g = dy[(c * s.dim(1) + y) * s.dim(2) + xx];
                    int best = -1;
                    for (int py = 0; py < k; py++)
                        for (int px = 0; px < k; px++) {
                            int at = (c * h + y * p.strideY() + py) * w + xx * p.strideX() + px;
                            if (!max) dx[at] += g / (k * k);
                            else if (best < 0 || x[at] > x[best]) best = at;
                        }
                    if (max) dx[best] += g;
                }
        return dx;
    }

    /** The window of output (y, x) starts at input (y strideY, x strideX). */
    private static double[] pool(Node n, double[] x) {
        PoolSpec p = (PoolSpec) n.arg();
        Shape in = n.input(0).shape(), s = n.shape();
        int k = p.k(), h = in.dim(1), w = in.dim(2);
        boolean max = n.op() == Op.MAXPOOL;
        double[] out = new double[s.size()];
        for (int c = 0; c < s.dim(0); c++)
            for (int y = 0; y < s.dim(1); y++)
                for (int xx = 0; xx < s.dim(2); xx++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int dy = 0; dy < k; dy++)
                        for (int dx = 0; dx < k; dx++) {
                            double val = x[(c * h + y * p.strideY() + dy) * w + xx * p.strideX() + dx];
                            acc = max ? Math.max(acc, val) : acc + val;
                        }
                    out[(c * s.dim(1) + y) * s.dim(2) + xx] = max ? acc : acc / (k * k);
                }
        return out;
    }

    /** Values of the graph's outputs, in order. */
    public static List<double[]> outputs(Graph g, double[][] values) {
        return g.outputs().stream().map(n -> values[n.id()]).toList();
    }
}
