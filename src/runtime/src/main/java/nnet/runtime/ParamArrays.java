package nnet.runtime;

import java.util.Collection;
import java.util.function.Function;

/** The values of every weight tensor of a network in one array, in storage order: weights as plain data ({@link Network#weightArray}). */
final class ParamArrays {
    private ParamArrays() {}

    static float[] values(Collection<ParamStorage> params) {
        return concat(params, p -> p.values, size(params));
    }

    /** One part of each param ({@code values}, {@code grads}: its segments) end to end in one array of {@code size} floats. */
    static float[] concat(Collection<ParamStorage> params, Function<ParamStorage, float[][]> part, int size) {
        float[] out = new float[size];
        int at = 0;
        for (ParamStorage p : params)
            for (float[] v : part.apply(p)) {
                System.arraycopy(v, 0, out, at, v.length);
                at += v.length;
            }
        return out;
    }

    static void load(Collection<ParamStorage> params, float[] values, String network) {
        if (values.length != size(params))
            throw new IllegalArgumentException(network + " stores " + size(params) + " weight values, got " + values.length);
        int at = 0;
        for (ParamStorage p : params)
            for (float[] v : p.values) {
                System.arraycopy(values, at, v, 0, v.length);
                at += v.length;
            }
    }

    private static int size(Collection<ParamStorage> params) {
        int n = 0;
        for (ParamStorage p : params) for (float[] v : p.values) n += v.length;
        return n;
    }
}
