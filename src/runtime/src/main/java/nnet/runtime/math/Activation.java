package nnet.runtime.math;

/**
 * The elementwise activations, one row each: the name the language gives it, its value and its
 * derivative. The double-precision methods are the definition (the interpreter runs them, and
 * gradients are checked against finite differences through them); generated code calls the
 * float methods, which by default round the definition and are overridden only where a float
 * form is faster and as good: relu's, without branches; tanh's and sigmoid's, arithmetic that C2
 * vectorizes instead of a call of Math.tanh or Math.exp per element (gelu's derivative would
 * lose too much to float's rounding of 1 - tanh² where it saturates). The checker, the
 * interpreter, autodiff and the emitter all read this table: a new activation is a new row.
 *
 * <p>{@code alpha} is the slope of leaky_relu ({@link #takesSlope}); the others ignore it.
 */
public enum Activation {
    RELU("relu", false) {
        @Override
        public double apply(double x, double alpha) {
            return Math.max(x, 0); // NaN stays NaN
        }

        @Override
        public double derivative(double x, double alpha) {
            return Double.isNaN(x) ? x : x > 0 ? 1 : 0; // relu'(0) = 0
        }

        /** C2 compiles Math.max to branch-free code: half the signs of a layer are a coin toss for a branch. */
        @Override
        public float applyFloat(float x, float alpha) {
            return Math.max(x, 0f);
        }

        /**
         * Without a branch: scaled by 2^200 any positive float is at least 1 (the smallest is
         * 2^-149), then clamped to [0, 1]; NaN stays NaN.
         */
        @Override
        public float derivativeFloat(float x, float alpha) {
            return Math.min(Math.max(x * 0x1p100f * 0x1p100f, 0f), 1f);
        }
    },
    SIGMOID("sigmoid", false) {
        @Override
        public double apply(double x, double alpha) {
            return 1 / (1 + Math.exp(-x));
        }

        @Override
        public double derivative(double x, double alpha) {
            double s = apply(x, alpha);
            return s * (1 - s);
        }

        /** {@code (1 + tanh(x / 2)) / 2} through {@link #tanhFloat}: within 2e-7 of the definition and vectorized by C2, where Math.exp is not. */
        @Override
        public float applyFloat(float x, float alpha) {
            return Math.fma(0.5f, tanhFloat(0.5f * x), 0.5f);
        }

        @Override
        public float derivativeFloat(float x, float alpha) {
            float s = applyFloat(x, alpha);
            return s * (1 - s);
        }
    },
    TANH("tanh", false) {
        @Override
        public double apply(double x, double alpha) {
            return Math.tanh(x);
        }

        @Override
        public double derivative(double x, double alpha) {
            double t = Math.tanh(x);
            return 1 - t * t;
        }

        /** {@link #tanhFloat}: Math.tanh is a native call of about 40 ns on JDK 17, which no loop around it hides. */
        @Override
        public float applyFloat(float x, float alpha) {
            return tanhFloat(x);
        }

        @Override
        public float derivativeFloat(float x, float alpha) {
            float t = tanhFloat(x);
            return Math.fma(-t, t, 1f);
        }
    },
    LEAKY_RELU("leaky_relu", true) {
        @Override
        public double apply(double x, double alpha) {
            return x > 0 ? x : alpha * x;
        }

        @Override
        public double derivative(double x, double alpha) {
            return x > 0 ? 1 : alpha;
        }
    },
    /** The tanh approximation (PyTorch's {@code approximate='tanh'}). */
    GELU("gelu", false) {
        @Override
        public double apply(double x, double alpha) {
            return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
        }

        @Override
        public double derivative(double x, double alpha) {
            double t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
        }
    };

    private static final double GELU_C = 0.7978845608028654; // sqrt(2 / pi)

    /**
     * tanh in float as a rational function (the minimax form of Eigen's {@code ptanh_float}, odd
     * degree 13 over even degree 6, evaluated with fused multiply-adds), within 3e-7 of tanh: inputs
     * clamped to [-9, 9] (where tanh is 1 in float), the result to [-1, 1]. No branch and no call, so
     * the JIT vectorizes a loop of it (under a nanosecond an element); NaN stays NaN.
     */
    static float tanhFloat(float v) {
        // the coefficients of tanhCoefficients, written out: constants the JIT folds
        float x = Math.max(-9f, Math.min(9f, v)), x2 = x * x;
        float p = Math.fma(-2.76076847742355e-16f, x2, 2.00018790482477e-13f);
        p = Math.fma(p, x2, -8.60467152213735e-11f);
        p = Math.fma(p, x2, 5.12229709037114e-08f);
        p = Math.fma(p, x2, 1.48572235717979e-05f);
        p = Math.fma(p, x2, 6.37261928875436e-04f);
        p = Math.fma(p, x2, 4.89352455891786e-03f);
        float q = Math.fma(1.19825839466702e-06f, x2, 1.18534705686654e-04f);
        q = Math.fma(q, x2, 2.26843463243900e-03f);
        q = Math.fma(q, x2, 4.89352518554385e-03f);
        return Math.max(-1f, Math.min(1f, p * x / q));
    }

    /**
     * The coefficients of {@link #tanhFloat}'s numerator (times x) or denominator, highest power of x^2
     * first, for generated code that computes it the same way (Vector API kernels).
     */
    public static float[] tanhCoefficients(boolean numerator) {
        return numerator
                ? new float[] {-2.76076847742355e-16f, 2.00018790482477e-13f, -8.60467152213735e-11f, 5.12229709037114e-08f, 1.48572235717979e-05f, 6.37261928875436e-04f,
                        4.89352455891786e-03f}
                : new float[] {1.19825839466702e-06f, 1.18534705686654e-04f, 2.26843463243900e-03f, 4.89352518554385e-03f};
    }

    /** leaky_relu's slope when the source gives none (Keras' and PyTorch's default differ; this is PyTorch's). */
    public static final double DEFAULT_SLOPE = 0.01;

    /** The name in the language: {@code relu}, {@code leaky_relu}, ... */
    public final String name;
    /** Whether the language lets a call give a slope ({@code alpha}): {@code leaky_relu(x, 0.2)}. */
    public final boolean takesSlope;

    Activation(String name, boolean takesSlope) {
        this.name = name;
        this.takesSlope = takesSlope;
    }

    /** f(x), the definition. */
    public abstract double apply(double x, double alpha);

    /** f'(x), the definition (the backward pass's derivative op). */
    public abstract double derivative(double x, double alpha);

    /**
     * Within this distance of z0 the secant is the derivative at z (DeepLIFT's Rescale rule: the
     * quotient loses its digits to cancellation as z approaches z0).
     */
    public static final double SECANT_NEAR = 1e-5;

    /**
     * {@code (f(z) - f(z0)) / (z - z0)}, or f'(z) where {@code |z - z0| <= SECANT_NEAR}: the multiplier
     * DeepLIFT's Rescale rule puts in place of the derivative (the backward pass's secant op), so an
     * attribution times {@code z - z0} is exactly the change of f. Defined once for every row from its
     * value and derivative.
     */
    public double secant(double z, double z0, double alpha) {
        double d = z - z0;
        return Math.abs(d) <= SECANT_NEAR ? derivative(z, alpha) : (apply(z, alpha) - apply(z0, alpha)) / d;
    }

    /** The secant in float, as generated code computes it (from the float forms of the row). */
    public float secantFloat(float z, float z0, float alpha) {
        float d = z - z0;
        return Math.abs(d) <= (float) SECANT_NEAR ? derivativeFloat(z, alpha) : (applyFloat(z, alpha) - applyFloat(z0, alpha)) / d;
    }

    /** f(x) in float, as generated code computes it. */
    public float applyFloat(float x, float alpha) {
        return (float) apply(x, alpha);
    }

    /** f'(x) in float, as generated code computes it. */
    public float derivativeFloat(float x, float alpha) {
        return (float) derivative(x, alpha);
    }

    /** The activation the language calls {@code name}, or null. */
    public static Activation named(String name) {
        for (Activation a : values()) if (a.name.equals(name)) return a;
        return null;
    }
}
