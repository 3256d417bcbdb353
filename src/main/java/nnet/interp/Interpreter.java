package nnet.interp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnet.ir.Connectivity;
import nnet.ir.ConvSpec;
import nnet.ir.Graph;
import nnet.ir.LstmSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.Shape;
import nnet.runtime.Tensor;

/**
 * The executable definition of every IR op, in double precision and written for clarity, not
 * speed. Generated code is tested against it on random inputs, and gradients are checked
 * against finite differences computed through it.
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

    /** Runs the graph on one sample; returns every node's value, indexed by node id. */
    public double[][] run(Map<String, double[]> inputs) {
        double[][] v = new double[g.nodes().size()][];
        for (Node n : g.nodes()) v[n.id()] = eval(n, v, inputs);
        return v;
    }

    private double[] eval(Node n, double[][] v, Map<String, double[]> inputs) {
        int size = n.shape().size();
        double[] out = new double[size];
        double[] a = n.inputs().isEmpty() ? null : v[n.input(0).id()];
        switch (n.op()) {
            case INPUT -> {
                double[] x = inputs.get(n.name());
                if (x == null || x.length != size) throw new IllegalArgumentException("input " + n.name() + " needs " + size + " values");
                System.arraycopy(x, 0, out, 0, size);
            }
            case CONST -> out[0] = (Float) n.arg();
            case LINEAR -> linear(n.param(), a, n.input(0).shape(), out);
            case BIAS_ADD -> {
                double[] b = param(n.param());
                Connectivity present = n.param().present();
                int m = n.shape().last();
                for (int k = 0; k < size; k++) out[k] = a[k] + (present == null || present.get(0, k % m) ? b[k % m] : 0);
            }
            case ADD, SUB, MUL, DIV -> {
                double[] b = v[n.input(1).id()];
                for (int k = 0; k < size; k++) {
                    double x = a[a.length == 1 ? 0 : k], y = b[b.length == 1 ? 0 : k];
                    out[k] = switch (n.op()) {
                        case ADD -> x + y;
                        case SUB -> x - y;
                        case MUL -> x * y;
                        default -> x / y;
                    };
                }
            }
            case RELU, SIGMOID, TANH, GELU, LEAKY_RELU -> {
                double alpha = n.arg() instanceof Float f ? f : 0;
                for (int k = 0; k < size; k++) out[k] = Activations.apply(n.op(), a[k], alpha);
            }
            case SOFTMAX -> {
                int m = n.shape().last();
                for (int r = 0; r < size / m; r++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < m; j++) max = Math.max(max, a[r * m + j]);
                    for (int j = 0; j < m; j++) sum += out[r * m + j] = Math.exp(a[r * m + j] - max);
                    for (int j = 0; j < m; j++) out[r * m + j] /= sum;
                }
            }
            case RESHAPE -> System.arraycopy(a, 0, out, 0, size);
            case CONCAT -> concat(n, v, out);
            case CONV2D -> conv2d((ConvSpec) n.arg(), a, n.input(0).shape(), n.shape(), out);
            case MAXPOOL, AVGPOOL -> pool(n, a, out);
            case LSTM -> lstm((LstmSpec) n.arg(), a, n.input(0).shape(), out);
            case DERIV -> {
                Op.Derivative d = (Op.Derivative) n.arg();
                for (int k = 0; k < size; k++) out[k] = Activations.derivative(d.of(), a[k], d.alpha());
            }
            case LINEAR_T -> linearTransposed((Param) n.arg(), a, n.input(0).shape(), out);
            case WEIGHT_GRAD -> weightGrad((Param) n.arg(), a, n.input(0).shape(), v[n.input(1).id()], out);
            case ROW_SUM -> {
                Connectivity present = n.arg() instanceof Param p ? p.present() : null;
                for (int k = 0; k < a.length; k++) if (present == null || present.get(0, k % size)) out[k % size] += a[k];
            }
            case SUM -> {
                for (double x : a) out[0] += x;
            }
            case SLICE -> slice((Op.SliceSpec) n.arg(), a, n.input(0).shape(), out);
            case EMBED -> embed((Op.SliceSpec) n.arg(), a, n.shape(), out);
            case SOFTMAX_GRAD -> {
                double[] dy = v[n.input(1).id()];
                int m = n.shape().last();
                for (int r = 0; r < size / m; r++) {
                    double dot = 0;
                    for (int j = 0; j < m; j++) dot += dy[r * m + j] * a[r * m + j];
                    for (int j = 0; j < m; j++) out[r * m + j] = a[r * m + j] * (dy[r * m + j] - dot);
                }
            }
            case CONV2D_INPUT_GRAD -> convGrad((ConvSpec) n.arg(), null, n.shape(), a, n.input(0).shape(), out, null);
            case CONV2D_KERNEL_GRAD -> convGrad((ConvSpec) n.arg(), a, n.input(0).shape(), v[n.input(1).id()], n.input(1).shape(), null, out);
            case CONV2D_BIAS_GRAD -> { // 0 at absent entries of a bias mask
                Connectivity present = ((ConvSpec) n.arg()).bias().present();
                int per = n.input(0).shape().size() / size;
                for (int k = 0; k < a.length; k++) if (present == null || present.get(0, k / per)) out[k / per] += a[k];
            }
            case MAXPOOL_GRAD, AVGPOOL_GRAD -> poolGrad(n, a, v[n.input(n.inputs().size() - 1).id()], out);
            case LOSS -> out[0] = Losses.value((String) n.arg(), a, v[n.input(1).id()], n.input(0).shape().last());
            case LOSS_GRAD -> Losses.gradient((String) n.arg(), a, v[n.input(1).id()], n.input(0).shape().last(), out);
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
    private void linear(Param p, double[] x, Shape in, double[] out) {
        double[] w = param(p);
        int n = in.last(), m = p.shape().dim(1);
        for (int r = 0; r < in.outer(); r++)
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) if (p.has(i, j)) s += x[r * n + i] * w[i * m + j];
                out[r * m + j] = s;
            }
    }

    private void linearTransposed(Param p, double[] dz, Shape in, double[] dx) {
        double[] w = param(p);
        int n = p.shape().dim(0), m = in.last();
        for (int r = 0; r < in.outer(); r++)
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < m; j++) if (p.has(i, j)) s += w[i * m + j] * dz[r * m + j];
                dx[r * n + i] = s;
            }
    }

    /** Only entries that exist and train get a gradient; the rest stay exactly 0. */
    private static void weightGrad(Param p, double[] x, Shape in, double[] dz, double[] dw) {
        Connectivity frozen = p.frozen();
        int n = in.last(), m = p.shape().dim(1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                if (!p.has(i, j) || (frozen != null && frozen.get(i, j))) continue;
                double s = 0;
                for (int r = 0; r < in.outer(); r++) s += x[r * n + i] * dz[r * m + j];
                dw[i * m + j] = s;
            }
    }

    private static void slice(Op.SliceSpec sl, double[] a, Shape in, double[] out) {
        int[] dims = in.dims();
        int outer = 1, inner = 1;
        for (int d = 0; d < sl.axis(); d++) outer *= dims[d];
        for (int d = sl.axis() + 1; d < dims.length; d++) inner *= dims[d];
        for (int o = 0; o < outer; o++)
            System.arraycopy(a, (o * dims[sl.axis()] + sl.offset()) * inner, out, o * sl.length() * inner, sl.length() * inner);
    }

    private static void embed(Op.SliceSpec sl, double[] a, Shape outShape, double[] out) {
        int[] dims = outShape.dims();
        int outer = 1, inner = 1;
        for (int d = 0; d < sl.axis(); d++) outer *= dims[d];
        for (int d = sl.axis() + 1; d < dims.length; d++) inner *= dims[d];
        for (int o = 0; o < outer; o++)
            System.arraycopy(a, o * sl.length() * inner, out, (o * dims[sl.axis()] + sl.offset()) * inner, sl.length() * inner);
    }

    private static void concat(Node n, double[][] v, double[] out) {
        int axis = (Integer) n.arg();
        int[] dims = n.shape().dims();
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < dims.length; d++) inner *= dims[d];
        int pos = 0;
        for (int o = 0; o < outer; o++)
            for (Node part : n.inputs()) {
                int len = part.shape().dim(axis) * inner;
                System.arraycopy(v[part.id()], o * len, out, pos, len);
                pos += len;
            }
    }

    private void conv2d(ConvSpec c, double[] x, Shape in, Shape outShape, double[] out) {
        double[] k = param(c.kernel());
        double[] b = c.bias() == null ? null : param(c.bias());
        Connectivity table = c.kernel().present();
        int ch = in.dim(0), h = in.dim(1), w = in.dim(2), f = outShape.dim(0), oh = outShape.dim(1), ow = outShape.dim(2);
        for (int o = 0; o < f; o++)
            for (int y = 0; y < oh; y++)
                for (int xx = 0; xx < ow; xx++) {
                    double s = b == null || (c.bias().present() != null && !c.bias().present().get(0, o)) ? 0 : b[o];
                    for (int i = 0; i < ch; i++) {
                        if (table != null && !table.get(i, o)) continue;
                        for (int ky = 0; ky < c.kh(); ky++)
                            for (int kx = 0; kx < c.kw(); kx++) {
                                int iy = y * c.stride() + ky - c.padTop(), ix = xx * c.stride() + kx - c.padLeft();
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                s += x[(i * h + iy) * w + ix] * k[((o * ch + i) * c.kh() + ky) * c.kw() + kx];
                            }
                    }
                    out[(o * oh + y) * ow + xx] = s;
                }
    }

    /**
     * The two gradients of a conv2d, over the same present (input, output) pairs as {@link #conv2d}:
     * with {@code dx} the input gradient (x unused), with {@code dk} the kernel gradient.
     */
    private void convGrad(ConvSpec c, double[] x, Shape in, double[] dy, Shape outShape, double[] dx, double[] dk) {
        double[] k = dx == null ? null : param(c.kernel());
        Connectivity table = c.kernel().present();
        int ch = in.dim(0), h = in.dim(1), w = in.dim(2), f = outShape.dim(0), oh = outShape.dim(1), ow = outShape.dim(2);
        for (int o = 0; o < f; o++)
            for (int i = 0; i < ch; i++) {
                if (table != null && !table.get(i, o)) continue;
                for (int ky = 0; ky < c.kh(); ky++)
                    for (int kx = 0; kx < c.kw(); kx++) {
                        int ki = ((o * ch + i) * c.kh() + ky) * c.kw() + kx;
                        for (int y = 0; y < oh; y++)
                            for (int xx = 0; xx < ow; xx++) {
                                int iy = y * c.stride() + ky - c.padTop(), ix = xx * c.stride() + kx - c.padLeft();
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                double g = dy[(o * oh + y) * ow + xx];
                                if (dx != null) dx[(i * h + iy) * w + ix] += k[ki] * g;
                                else dk[ki] += x[(i * h + iy) * w + ix] * g;
                            }
                    }
            }
    }

    private static void poolGrad(Node n, double[] x, double[] dy, double[] dx) {
        int k = (Integer) n.arg();
        Shape in = n.shape(), s = n.input(n.inputs().size() - 1).shape();
        int h = in.dim(1), w = in.dim(2);
        boolean max = n.op() == nnet.ir.Op.MAXPOOL_GRAD;
        for (int c = 0; c < s.dim(0); c++)
            for (int y = 0; y < s.dim(1); y++)
                for (int xx = 0; xx < s.dim(2); xx++) {
                    double g = dy[(c * s.dim(1) + y) * s.dim(2) + xx];
                    int best = -1;
                    for (int py = 0; py < k; py++)
                        for (int px = 0; px < k; px++) {
                            int at = (c * h + y * k + py) * w + xx * k + px;
                            if (!max) dx[at] += g / (k * k);
                            else if (best < 0 || x[at] > x[best]) best = at;
                        }
                    if (max) dx[best] += g;
                }
    }

    private static void pool(Node n, double[] x, double[] out) {
        int k = (Integer) n.arg();
        Shape in = n.input(0).shape(), s = n.shape();
        int h = in.dim(1), w = in.dim(2);
        boolean max = n.op() == nnet.ir.Op.MAXPOOL;
        for (int c = 0; c < s.dim(0); c++)
            for (int y = 0; y < s.dim(1); y++)
                for (int xx = 0; xx < s.dim(2); xx++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int dy = 0; dy < k; dy++)
                        for (int dx = 0; dx < k; dx++) {
                            double val = x[(c * h + y * k + dy) * w + xx * k + dx];
                            acc = max ? Math.max(acc, val) : acc + val;
                        }
                    out[(c * s.dim(1) + y) * s.dim(2) + xx] = max ? acc : acc / (k * k);
                }
    }

    /** Keras LSTM, gates i, f, c, o; each gate's kernel columns share the layer's connectivity. */
    private void lstm(LstmSpec l, double[] x, Shape in, double[] out) {
        int t = in.dim(0), f = in.dim(1), u = l.units();
        double[] w = param(l.kernel()), r = param(l.recurrent());
        double[] b = l.bias() == null ? new double[4 * u] : param(l.bias());
        Connectivity cw = l.kernel().present(), cr = l.recurrent().present();
        double[] h = new double[u], c = new double[u], z = new double[4 * u];
        for (int step = 0; step < t; step++) {
            for (int col = 0; col < 4 * u; col++) {
                int j = col % u;
                double s = b[col];
                for (int i = 0; i < f; i++) if (cw == null || cw.get(i, j)) s += x[step * f + i] * w[i * 4 * u + col];
                for (int i = 0; i < u; i++) if (cr == null || cr.get(i, j)) s += h[i] * r[i * 4 * u + col];
                z[col] = s;
            }
            for (int j = 0; j < u; j++) {
                double ig = Activations.sigmoid(z[j]), fg = Activations.sigmoid(z[u + j]);
                double cand = Math.tanh(z[2 * u + j]), og = Activations.sigmoid(z[3 * u + j]);
                c[j] = fg * c[j] + ig * cand;
                h[j] = og * Math.tanh(c[j]);
            }
            if (l.sequences()) System.arraycopy(h, 0, out, step * u, u);
        }
        if (!l.sequences()) System.arraycopy(h, 0, out, 0, u);
    }

    /** Values of the graph's outputs, in order. */
    public static List<double[]> outputs(Graph g, double[][] values) {
        return g.outputs().stream().map(n -> values[n.id()]).toList();
    }
}
