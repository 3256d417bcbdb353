package nnet.runtime;

import nnet.runtime.math.Activation;
import nnet.runtime.math.LossFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each row of the activation and loss tables on its own: the derivative it declares is the
 * derivative of the value it declares (central differences), and the float form generated code
 * calls is the definition to float precision. A new row is tested here without a line of its own.
 */
class TablesTest {
    static final double H = 1e-6;
    /** How far a float form may be from the definition: rounding, or tanh's rational approximation (3e-7; its derivative 1 - t^2 twice that). */
    static final double FLOAT_ERROR = 3e-7;

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationDerivativeAndFloatForm(Activation f) {
        double alpha = f.takesSlope ? 0.2 : 0;
        for (double x = -12.005; x < 12; x += 0.01) { // steps that miss relu's kink at 0
            double numeric = (f.apply(x + H, alpha) - f.apply(x - H, alpha)) / (2 * H);
            assertEquals(numeric, f.derivative(x, alpha), 1e-6 * Math.max(1, Math.abs(numeric)), f + "'(" + x + ")");
            assertEquals(f.apply((float) x, alpha), f.applyFloat((float) x, (float) alpha), FLOAT_ERROR * Math.max(1, Math.abs(f.apply(x, alpha))), f + "(" + x + ") in float");
            assertEquals(f.derivative((float) x, alpha), f.derivativeFloat((float) x, (float) alpha), 2 * FLOAT_ERROR * Math.max(1, Math.abs(numeric)), f + "'(" + x + ") in float");
        }
        assertTrue(Float.isNaN(f.applyFloat(Float.NaN, (float) alpha)) && Double.isNaN(f.apply(Double.NaN, alpha)), f + ": NaN stays NaN");
    }

    /** The secant times the step is exactly the change of f (what makes DeepLIFT complete); within 1e-5 it is the derivative at z; the float form agrees. */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationSecant(Activation f) {
        double alpha = f.takesSlope ? 0.2 : 0;
        SplittableRandom rnd = new SplittableRandom(3);
        for (int k = 0; k < 2000; k++) {
            double z = rnd.nextDouble(-6, 6), z0 = k % 4 == 0 ? z + rnd.nextDouble(-1e-5, 1e-5) : rnd.nextDouble(-6, 6);
            double s = f.secant(z, z0, alpha);
            if (Math.abs(z - z0) <= Activation.SECANT_NEAR) assertEquals(f.derivative(z, alpha), s, 0, f + " near " + z);
            else assertEquals(f.apply(z, alpha) - f.apply(z0, alpha), s * (z - z0), 1e-12, f + " secant(" + z + ", " + z0 + ")");
            float sf = f.secantFloat((float) z, (float) z0, (float) alpha);
            if (Math.abs((float) z - (float) z0) > 1e-3) // far enough that float's cancellation in f(z) - f(z0) stays small
                assertEquals(f.secant((float) z, (float) z0, alpha), sf, 1e-3 * Math.max(1, Math.abs(s)), f + " secant in float");
        }
    }

    /** tanh's float form over every float step of 2^-12 in [-20, 20] and at the extremes: within FLOAT_ERROR, and exactly +-1 and 0 where tanh is. */
    @Test
    void tanhInFloatEverywhere() {
        for (float x = -20; x <= 20; x += 0x1p-12f)
            assertEquals(Math.tanh(x), Activation.TANH.applyFloat(x, 0), FLOAT_ERROR, "tanh(" + x + ")");
        assertEquals(1f, Activation.TANH.applyFloat(Float.MAX_VALUE, 0));
        assertEquals(-1f, Activation.TANH.applyFloat(Float.NEGATIVE_INFINITY, 0));
        assertEquals(0f, Activation.TANH.applyFloat(0f, 0));
        assertEquals(0f, Activation.SIGMOID.applyFloat(-100f, 0));
        assertEquals(1f, Activation.SIGMOID.applyFloat(100f, 0));
        float[] p = Activation.tanhCoefficients(true), q = Activation.tanhCoefficients(false);
        for (float x = -10; x <= 10; x += 0x1p-6f) { // the coefficients vector kernels read are tanhFloat's
            float c = Math.max(-9f, Math.min(9f, x)), x2 = c * c, num = Math.fma(p[0], x2, p[1]), den = Math.fma(q[0], x2, q[1]);
            for (int k = 2; k < p.length; k++) num = Math.fma(num, x2, p[k]);
            for (int k = 2; k < q.length; k++) den = Math.fma(den, x2, q[k]);
            assertEquals(Activation.TANH.applyFloat(x, 0), Math.max(-1f, Math.min(1f, num * c / den)), "tanh(" + x + ") from the coefficients");
        }
    }

    @ParameterizedTest
    @EnumSource(LossFunction.class)
    void lossGradientAndFloatForm(LossFunction f) {
        SplittableRandom rnd = new SplittableRandom(f.ordinal());
        int m = 4, size = 8;
        double[] y = new double[size], t = new double[size], grad = new double[size];
        float[] yf = new float[size], tf = f.sampleTarget(size, m, rnd), gradF = new float[size];
        for (int k = 0; k < size; k++) {
            yf[k] = (float) (f == LossFunction.BINARY_CROSS_ENTROPY ? rnd.nextDouble(0.05, 0.95) : rnd.nextDouble(-3, 3)); // probabilities, or logits and values
            y[k] = yf[k];
            t[k] = tf[k];
        }
        f.gradient(y, t, m, grad);
        f.gradient(yf, tf, m, gradF);
        for (int k = 0; k < size; k++) {
            double keep = y[k];
            y[k] = keep + H;
            double up = f.value(y, t, m);
            y[k] = keep - H;
            double down = f.value(y, t, m);
            y[k] = keep;
            double numeric = (up - down) / (2 * H);
            assertEquals(numeric, grad[k], 1e-6 * Math.max(1, Math.abs(numeric)), f + ": d/dy[" + k + "]");
            assertEquals(grad[k], gradF[k], 1e-6 * Math.max(1, Math.abs(grad[k])), f + ": float gradient [" + k + "]");
        }
        assertEquals(f.value(y, t, m), f.value(yf, tf, m), 1e-6 * Math.max(1, Math.abs(f.value(y, t, m))), f + ": float value");
    }

    /** On logits far past float's saturated sigmoid (1 - sigmoid(17) < 2^-24), the loss still pulls: sigmoid(z) - t. */
    @ParameterizedTest
    @EnumSource(names = "BINARY_CROSS_ENTROPY_ON_LOGITS")
    void binaryCrossEntropyOnLogitsDoesNotSaturate(LossFunction f) {
        float[] dy = new float[2];
        f.gradient(new float[] {20, -30}, new float[] {0, 1}, 2, dy);
        assertEquals(0.5f, dy[0], 1e-6, "sigmoid(20) - 0, over 2 elements");
        assertEquals(-0.5f, dy[1], 1e-6, "sigmoid(-30) - 1, over 2 elements");
        assertEquals((20 + 30) / 2.0, f.value(new float[] {20, -30}, new float[] {0, 1}, 2), 1e-6, "softplus(20) + softplus(30), mean");
        double z = 1.3, p = Activation.SIGMOID.apply(z, 0);
        assertEquals(LossFunction.BINARY_CROSS_ENTROPY.value(new double[] {p}, new double[] {0.25}, 1), f.value(new double[] {z}, new double[] {0.25}, 1), 1e-12,
                "the same loss as on sigmoid(z)");
    }
}
