package nnet.interchange.keras;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Set;
import nnet.interchange.keras.KerasModel.Layer;
import nnet.runtime.UserError;

/**
 * A Keras activation as nnet writes it: {@code fn} is nnet's name (null for linear), {@code slope}
 * leaky_relu's. Keras' {@code leaky_relu} activation has slope 0.2 and its LeakyReLU layer 0.3,
 * where nnet's default is PyTorch's 0.01, so a slope is always written out.
 */
record KerasActivation(String fn, double slope) {
    private static final Set<String> SAME_NAME = Set.of("relu", "sigmoid", "tanh", "softmax", "gelu");
    private static final KerasActivation LINEAR = new KerasActivation(null, 0);

    /** The activation argument of a layer (Dense, Conv2D, a CustomConnected). */
    static KerasActivation of(Layer l, String file, boolean optional) {
        JsonElement e = l.config().get("activation");
        if (optional && e == null) return LINEAR;
        return named(name(e), l, file);
    }

    /** An Activation layer. */
    static KerasActivation parse(Layer l, String file) {
        return of(l, file, false);
    }

    static KerasActivation relu(Layer l, String file) {
        JsonElement max = l.config().get("max_value");
        if ((max != null && !max.isJsonNull()) || l.config().has("threshold") && l.config().get("threshold").getAsDouble() != 0)
            throw new UserError(file + ": " + l.describe() + " cannot be imported: a ReLU with max_value or threshold is not supported");
        double slope = l.config().has("negative_slope") ? l.config().get("negative_slope").getAsDouble() : 0;
        return slope == 0 ? new KerasActivation("relu", 0) : new KerasActivation("leaky_relu", slope);
    }

    static KerasActivation leaky(Layer l) {
        JsonObject c = l.config();
        return new KerasActivation("leaky_relu", c.has("negative_slope") ? c.get("negative_slope").getAsDouble() : c.has("alpha") ? c.get("alpha").getAsDouble() : 0.3);
    }

    static KerasActivation softmax(Layer l, String file) {
        if (l.integer("axis", -1) != -1) throw new UserError(file + ": " + l.describe() + " cannot be imported: nnet's softmax is over the last axis");
        return new KerasActivation("softmax", 0);
    }

    /** The name in a config: {@code "relu"}, or a serialized function object ({@code {"class_name": "function", "config": "relu"}}). */
    static String name(JsonElement e) {
        if (e == null || e.isJsonNull()) return "linear";
        if (e.isJsonPrimitive()) return e.getAsString();
        JsonObject o = e.getAsJsonObject();
        JsonElement config = o.get("config");
        if (config != null && config.isJsonPrimitive()) return config.getAsString();
        if (config != null && config.isJsonObject() && config.getAsJsonObject().has("name")) return config.getAsJsonObject().get("name").getAsString();
        return o.has("class_name") ? o.get("class_name").getAsString() : "?";
    }

    private static KerasActivation named(String name, Layer l, String file) {
        if (name.equals("linear")) return LINEAR;
        if (name.equals("leaky_relu")) return new KerasActivation("leaky_relu", 0.2);
        if (SAME_NAME.contains(name)) return new KerasActivation(name, 0);
        throw new UserError(file + ": " + l.describe() + " cannot be imported: activation '" + name
                + "' is not supported (nnet has relu, sigmoid, tanh, softmax, leaky_relu, gelu and linear)");
    }

    boolean isSoftmax() {
        return "softmax".equals(fn);
    }

    boolean isGelu() {
        return "gelu".equals(fn);
    }

    /** A layer call with {@code %s} where {@code , act} goes: {@code dense(x, 4, relu)}, or wrapped: {@code leaky_relu(dense(x, 4), 0.2)}. */
    String wrap(String call) {
        if (fn == null) return String.format(call, "");
        if (fn.equals("leaky_relu")) return "leaky_relu(" + String.format(call, "") + ", " + slope + ")";
        return String.format(call, ", " + fn);
    }

    /** The activation applied to a node: {@code relu(x)}; linear is the node itself. */
    String apply(String x) {
        if (fn == null) return x;
        return fn.equals("leaky_relu") ? "leaky_relu(" + x + ", " + slope + ")" : fn + "(" + x + ")";
    }
}
