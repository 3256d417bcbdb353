package nnet.runtime.math;

import java.util.SplittableRandom;

/**
 * The losses of LANGUAGE.md §2, one row each: the name the language gives it, the targets it
 * takes, its value on one sample and its gradient with respect to the output. A sample's loss is
 * a mean over its elements (or rows, for cross_entropy); a batch's is the mean over samples.
 *
 * <p>The double-precision methods are the definition (the interpreter's, checked against finite
 * differences); generated code calls the float ones, which accumulate in double too (a loss sums
 * many small terms). An elementwise loss is defined by {@link #pointValue} and
 * {@link #pointGradient} alone; cross_entropy works on rows and overrides the array methods.
 */
public enum LossFunction {
    MSE("mse", Targets.ANY) {
        @Override
        double pointValue(double y, double t) {
            return (y - t) * (y - t);
        }

        @Override
        double pointGradient(double y, double t) {
            return 2 * (y - t);
        }
    },
    /** On probabilities, kept {@link #EPS} away from 0 and 1 so that log stays finite: flat (gradient 0) where clipped. */
    BINARY_CROSS_ENTROPY("binary_cross_entropy", Targets.PROBABILITIES) {
        @Override
        double pointValue(double y, double t) {
            double p = clip(y);
            return -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
        }

        @Override
        double pointGradient(double y, double t) {
            double p = clip(y);
            return p == y ? (p - t) / (p * (1 - p)) : 0;
        }
    },
    /**
     * binary_cross_entropy of sigmoid(z), computed from the logits z beneath a sigmoid output (the
     * backward pass picks it): exact where the sigmoid saturates in float, where the form on
     * probabilities has a gradient of exactly 0. Not a name of the language.
     */
    BINARY_CROSS_ENTROPY_ON_LOGITS(null, Targets.PROBABILITIES) {
        @Override
        double pointValue(double z, double t) {
            return Math.max(z, 0) - t * z + Math.log1p(Math.exp(-Math.abs(z))); // softplus(z) - t z, stably
        }

        @Override
        double pointGradient(double z, double t) {
            return Activation.SIGMOID.apply(z, 0) - t;
        }
    },
    /**
     * On logits (the softmax is part of the loss; on a softmax output the backward pass reads the
     * logits beneath it): per row of the last axis, {@code sum_j t_j (logsumexp(y) - y_j)}, mean over rows.
     */
    CROSS_ENTROPY("cross_entropy", Targets.CLASS_ROWS) {
        @Override
        public double value(double[] y, double[] t, int m) {
            int rows = y.length / m;
            double sum = 0;
            for (int from = 0; from < y.length; from += m) {
                double lse = logSumExp(y, from, m), tsum = 0, ty = 0;
                for (int j = from; j < from + m; j++) {
                    tsum += t[j];
                    ty += t[j] * y[j];
                }
                sum += lse * tsum - ty;
            }
            return sum / rows;
        }

        @Override
        public void gradient(double[] y, double[] t, int m, double[] dy) {
            int rows = y.length / m;
            for (int from = 0; from < y.length; from += m) {
                double lse = logSumExp(y, from, m), tsum = 0;
                for (int j = from; j < from + m; j++) tsum += t[j];
                for (int j = from; j < from + m; j++) dy[j] = (Math.exp(y[j] - lse) * tsum - t[j]) / rows;
            }
        }

        @Override
        public float value(float[] y, float[] t, int m) {
            int rows = y.length / m;
            double sum = 0;
            for (int from = 0; from < y.length; from += m) {
                double lse = logSumExp(y, from, m), tsum = 0, ty = 0;
                for (int j = from; j < from + m; j++) {
                    tsum += t[j];
                    ty += (double) t[j] * y[j];
                }
                sum += lse * tsum - ty;
            }
            return (float) (sum / rows);
        }

        @Override
        public void gradient(float[] y, float[] t, int m, float[] dy) {
            int rows = y.length / m;
            for (int from = 0; from < y.length; from += m) {
                double lse = logSumExp(y, from, m), tsum = 0;
                for (int j = from; j < from + m; j++) tsum += t[j];
                for (int j = from; j < from + m; j++) dy[j] = (float) ((Math.exp(y[j] - lse) * tsum - t[j]) / rows);
            }
        }
    };

    /** What a target of the loss may hold, checked when data is read. */
    public enum Targets {
        /** Any number. */
        ANY,
        /** Probabilities in [0, 1] (labels 0 and 1 among them). */
        PROBABILITIES,
        /** Probabilities in [0, 1] whose rows of the last axis sum to 1: one-hot rows for classes. */
        CLASS_ROWS
    }

    /** Probabilities are kept this far from 0 and 1, so log stays finite. */
    static final double EPS = 1e-7;

    /** The name in the language, or null for a form the compiler picks ({@link #BINARY_CROSS_ENTROPY_ON_LOGITS}). */
    public final String name;
    public final Targets targets;

    LossFunction(String name, Targets targets) {
        this.name = name;
        this.targets = targets;
    }

    /** The loss the language calls {@code name}, or null. */
    public static LossFunction named(String name) {
        for (LossFunction f : values()) if (f.name != null && f.name.equals(name)) return f;
        return null;
    }

    /** One element's loss, for the losses that are means over elements. */
    double pointValue(double y, double t) {
        throw new UnsupportedOperationException(this + " is not elementwise");
    }

    /** One element's derivative of {@link #pointValue} with respect to y. */
    double pointGradient(double y, double t) {
        throw new UnsupportedOperationException(this + " is not elementwise");
    }

    /** The loss of one sample: {@code y} the output, {@code t} the target, {@code m} the size of the last axis. */
    public double value(double[] y, double[] t, int m) {
        double sum = 0;
        for (int k = 0; k < y.length; k++) sum += pointValue(y[k], t[k]);
        return sum / y.length;
    }

    /** d loss / d y of one sample, into {@code dy}. */
    public void gradient(double[] y, double[] t, int m, double[] dy) {
        for (int k = 0; k < y.length; k++) dy[k] = pointGradient(y[k], t[k]) / y.length;
    }

    /** {@link #value(double[], double[], int)} in float, as generated code calls it. */
    public float value(float[] y, float[] t, int m) {
        double sum = 0;
        for (int k = 0; k < y.length; k++) sum += pointValue(y[k], t[k]);
        return (float) (sum / y.length);
    }

    /** {@link #gradient(double[], double[], int, double[])} in float, as generated code calls it. */
    public void gradient(float[] y, float[] t, int m, float[] dy) {
        for (int k = 0; k < y.length; k++) dy[k] = (float) (pointGradient(y[k], t[k]) / y.length);
    }

    /** A target this loss takes, at random: any value in [-1, 1], labels 0 or 1, or one-hot class rows. */
    public float[] sampleTarget(int size, int m, SplittableRandom rnd) {
        float[] t = new float[size];
        for (int k = 0; k < size; k++)
            t[k] = switch (targets) {
                case ANY -> (float) rnd.nextDouble(-1, 1);
                case PROBABILITIES -> rnd.nextInt(2);
                case CLASS_ROWS -> 0;
            };
        if (targets == Targets.CLASS_ROWS) for (int from = 0; from < size; from += m) t[from + rnd.nextInt(m)] = 1;
        return t;
    }

    @Override
    public String toString() {
        return name != null ? name : "binary_cross_entropy on logits";
    }

    private static double clip(double p) {
        return Math.min(1 - EPS, Math.max(EPS, p));
    }

    private static double logSumExp(double[] y, int from, int m) {
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (int j = from; j < from + m; j++) max = Math.max(max, y[j]);
        for (int j = from; j < from + m; j++) s += Math.exp(y[j] - max);
        return max + Math.log(s);
    }

    private static double logSumExp(float[] y, int from, int m) {
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (int j = from; j < from + m; j++) max = Math.max(max, y[j]);
        for (int j = from; j < from + m; j++) s += Math.exp(y[j] - max);
        return max + Math.log(s);
    }
}
