package nnet.bench;

import java.util.SplittableRandom;

/**
 * The JVM reference: a dense MLP 784-256-256-10 (relu, softmax cross-entropy, Adam) written by
 * hand in plain Java the way a careful programmer would, for the loops C2 vectorizes: weights as
 * rows, forward and weight gradients in axpy form, input gradients as dot products over rows.
 * Generated code is compared with it in BENCHMARKS.md.
 */
final class JavaMlpReference {
    static final int[] SIZES = {784, 256, 256, 10};
    static final float LR = 0.001f, B1 = 0.9f, B2 = 0.999f, EPS = 1e-8f;

    final float[][][] w = new float[3][][], gw = new float[3][][], m = new float[3][][], v = new float[3][][];
    final float[][] b = new float[3][], gb = new float[3][], mb = new float[3][], vb = new float[3][];
    /** a[0] the input, a[l + 1] the output of layer l (after relu, or the logits); d[l] the gradient at layer l's pre-activation. */
    final float[][] a = new float[4][], d = new float[3][];
    final float[] probs = new float[10];
    int step;

    JavaMlpReference(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 0; l < 3; l++) {
            int n = SIZES[l], k = SIZES[l + 1];
            double scale = Math.sqrt(6.0 / (n + k));
            w[l] = new float[n][k];
            gw[l] = new float[n][k];
            m[l] = new float[n][k];
            v[l] = new float[n][k];
            for (float[] row : w[l]) for (int j = 0; j < k; j++) row[j] = (float) rnd.nextDouble(-scale, scale);
            b[l] = new float[k];
            gb[l] = new float[k];
            mb[l] = new float[k];
            vb[l] = new float[k];
            a[l + 1] = new float[k];
            d[l] = new float[k];
        }
    }

    float[] forward(float[] x) {
        a[0] = x;
        for (int l = 0; l < 3; l++) {
            float[] in = a[l], out = a[l + 1];
            System.arraycopy(b[l], 0, out, 0, out.length);
            for (int i = 0; i < in.length; i++) {
                float xi = in[i];
                if (xi == 0) continue;
                float[] row = w[l][i];
                for (int j = 0; j < out.length; j++) out[j] += xi * row[j];
            }
            if (l < 2) for (int j = 0; j < out.length; j++) out[j] = Math.max(out[j], 0);
        }
        return a[3];
    }

    float trainStep(float[][] xs, int[] labels) {
        for (int l = 0; l < 3; l++) {
            for (float[] row : gw[l]) java.util.Arrays.fill(row, 0);
            java.util.Arrays.fill(gb[l], 0);
        }
        double loss = 0;
        for (int s = 0; s < xs.length; s++) {
            float[] logits = forward(xs[s]);
            float max = Float.NEGATIVE_INFINITY, sum = 0;
            for (float z : logits) max = Math.max(max, z);
            for (int j = 0; j < 10; j++) sum += probs[j] = (float) Math.exp(logits[j] - max);
            for (int j = 0; j < 10; j++) probs[j] /= sum;
            loss -= Math.log(probs[labels[s]]);
            for (int j = 0; j < 10; j++) d[2][j] = probs[j] - (j == labels[s] ? 1 : 0);
            for (int l = 2; l >= 0; l--) {
                float[] in = a[l], dz = d[l];
                for (int j = 0; j < dz.length; j++) gb[l][j] += dz[j];
                for (int i = 0; i < in.length; i++) {
                    float xi = in[i];
                    if (xi == 0) continue;
                    float[] g = gw[l][i];
                    for (int j = 0; j < dz.length; j++) g[j] += xi * dz[j];
                }
                if (l == 0) break; // no gradient for the input
                float[] dPrev = d[l - 1];
                for (int i = 0; i < in.length; i++) {
                    if (in[i] <= 0) { // relu'
                        dPrev[i] = 0;
                        continue;
                    }
                    float[] row = w[l][i];
                    float s2 = 0;
                    for (int j = 0; j < dz.length; j++) s2 += row[j] * dz[j];
                    dPrev[i] = s2;
                }
            }
        }
        step++;
        float scale = 1f / xs.length, c1 = (float) (1 / (1 - Math.pow(B1, step))), c2 = (float) (1 / (1 - Math.pow(B2, step)));
        for (int l = 0; l < 3; l++) {
            if (sgd) {
                for (int i = 0; i < w[l].length; i++) sgd(w[l][i], gw[l][i], scale);
                sgd(b[l], gb[l], scale);
                continue;
            }
            for (int i = 0; i < w[l].length; i++) adam(w[l][i], gw[l][i], m[l][i], v[l][i], scale, c1, c2);
            adam(b[l], gb[l], mb[l], vb[l], scale, c1, c2);
        }
        return (float) (loss / xs.length);
    }

    /** Plain SGD instead of Adam: what the PyTorch comparison uses. */
    boolean sgd;

    private static void sgd(float[] w, float[] g, float scale) {
        float step = LR * scale;
        for (int k = 0; k < w.length; k++) w[k] -= step * g[k];
    }

    private static void adam(float[] w, float[] g, float[] m, float[] v, float scale, float c1, float c2) {
        for (int k = 0; k < w.length; k++) {
            float gk = g[k] * scale;
            m[k] = B1 * m[k] + (1 - B1) * gk;
            v[k] = B2 * v[k] + (1 - B2) * gk * gk;
            w[k] -= LR * (m[k] * c1) / ((float) Math.sqrt(v[k] * c2) + EPS);
        }
    }
}
