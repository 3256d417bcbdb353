package nnet.interchange.keras;

import com.google.gson.JsonElement;
import java.util.List;
import nnet.interchange.keras.KerasImport.Value;
import nnet.interchange.keras.KerasModel.Layer;
import nnet.runtime.Tensor;

/**
 * BatchNormalization and Dropout, the layers that train differently. Keras normalizes along
 * {@code axis} (the channels of a channels_last image, the features of a vector or sequence), which
 * is the axis nnet's batchnorm takes; its variables are gamma (with {@code scale}), beta (with
 * {@code center}), the moving mean and the moving variance, nnet's names for the same values.
 */
final class KerasNormalization {
    private KerasNormalization() {}

    static Value batchNormalization(KerasImport k, Layer l, Value x) {
        int rank = x.shape().length, axis = axis(k, l);
        boolean channelsFirstImage = rank == 3 && k.channelsFirst(); // else an image is channels_last, its channels Keras' last axis
        if (channelsFirstImage ? axis != 1 : axis != -1 && axis != rank)
            throw k.unsupported(l, "nnet's batchnorm normalizes an image's channels or the last axis of a vector or sequence, not axis " + axis);
        if (x.order() != null) throw k.unsupported(l, "it normalizes a flattened channels_last image, whose element order nnet holds channels first");
        int channels = rank == 3 ? x.nnetShape()[0] : x.shape()[rank - 1];
        boolean center = l.bool("center", true), scale = l.bool("scale", true);
        List<Tensor> vars = k.variables(l, 2 + (center ? 1 : 0) + (scale ? 1 : 0));
        String name = k.nameOf(l);
        int at = 0;
        if (scale) k.weight(name + ".gamma", k.expectShape(l, "gamma", vars.get(at++), channels));
        if (center) k.weight(name + ".beta", k.expectShape(l, "beta", vars.get(at++), channels));
        k.weight(name + ".moving_mean", k.expectShape(l, "moving mean", vars.get(at++), channels));
        k.weight(name + ".moving_variance", k.expectShape(l, "moving variance", vars.get(at), channels));
        String call = "batchnorm(" + x.name() + ", momentum: " + number(l, "momentum", 0.99) + ", epsilon: " + number(l, "epsilon", 0.001)
                + (center ? "" : ", center: false") + (scale ? "" : ", scale: false") + ")";
        return k.bind(l, call, x.shape(), x.image(), null);
    }

    /** Dropout: nnet's, with its rate; the identity when predicting, as Keras' is. */
    static Value dropout(KerasImport k, Layer l, Value x) {
        String rate = number(l, "rate", 0);
        if (rate.equals("0")) return k.bind(l, x.name(), x.shape(), x.image(), x.order());
        return k.bind(l, "dropout(" + x.name() + ", " + rate + ")", x.shape(), x.image(), x.order());
    }

    /** Keras' axis: a number, or (Keras 2) a list of one. */
    private static int axis(KerasImport k, Layer l) {
        JsonElement e = l.config().get("axis");
        if (e == null || e.isJsonNull()) return -1;
        if (e.isJsonArray()) {
            if (e.getAsJsonArray().size() != 1) throw k.unsupported(l, "it normalizes over several axes " + e);
            return e.getAsJsonArray().get(0).getAsInt();
        }
        return e.getAsInt();
    }

    private static String number(Layer l, String key, double otherwise) {
        JsonElement e = l.config().get(key);
        return format(e == null || e.isJsonNull() ? otherwise : e.getAsDouble());
    }

    /** A number as the language writes it: 0.001, 1e-05. */
    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v).replace("E", "e");
    }
}
