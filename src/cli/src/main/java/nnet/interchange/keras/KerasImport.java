package nnet.interchange.keras;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.interchange.ImportedNetwork;
import nnet.interchange.keras.KerasModel.Layer;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;

/**
 * A saved Keras model as an equivalent {@code .nnet} network and its weights named as LANGUAGE.md
 * §6 says, one statement per layer, named after it. Keras keeps images channels-last
 * ({@code [H, W, C]}), nnet channels-first ({@code [C, H, W]}): an image is held in nnet's order,
 * and where the two orders meet (a Flatten read by a Dense) the Dense kernel's rows are permuted,
 * so the network computes what Keras computes. The result is checked by the compiler before it is
 * returned: a translation that does not check is a bug here, not the user's.
 */
public final class KerasImport {
    /**
     * A Keras tensor as nnet holds it.
     *
     * @param shape     Keras' shape without the batch axis
     * @param image     a channels-last image held as {@code [C, H, W]}
     * @param order     for a vector whose elements nnet holds in another order than Keras (a Flatten of a channels_last image,
     *                  a Concatenate of one): the Keras index of each nnet element, which a Dense reading it undoes; null when the orders agree
     */
    record Value(String name, int[] shape, boolean image, int[] order) {
        int[] nnetShape() {
            return image ? new int[] {shape[2], shape[0], shape[1]} : shape;
        }

        /** Whether nnet's element order differs from Keras' (an image with more than one channel, or its Flatten). */
        boolean reordered() {
            return order != null || (image && shape[2] > 1);
        }
    }

    private final KerasFile file;
    private final KerasModel model;
    private final boolean channelsFirst;
    private final ImportedNetwork net = new ImportedNetwork();
    private final Map<String, Value> values = new HashMap<>();
    /** Inputs of whole numbers (an integer dtype): token ids, which only an Embedding reads. */
    private final Set<String> tokenInputs = new HashSet<>();

    private KerasImport(KerasFile file, KerasModel model) {
        this.file = file;
        this.model = model;
        // a Flatten's data_format says how it orders what it flattens, not how the model holds images: its default is channels_last in any model
        var imageLayers = model.layers().stream().filter(l -> !l.className().equals("Flatten")).toList();
        this.channelsFirst = imageLayers.stream().anyMatch(l -> "channels_first".equals(l.string("data_format", null)));
        if (channelsFirst && imageLayers.stream().anyMatch(l -> "channels_last".equals(l.string("data_format", null))))
            throw new UserError(file.name() + ": the model mixes channels_first and channels_last layers; nnet imports one or the other");
    }

    public static ImportedNetwork.Result of(Path path) {
        try (KerasFile f = KerasFile.open(path)) {
            return new KerasImport(f, KerasModel.parse(f.model(), f.name())).translate();
        }
    }

    private ImportedNetwork.Result translate() {
        for (Layer l : model.layers()) {
            if (l.className().equals("InputLayer")) input(l);
            else values.put(l.name(), layer(l, l.inputs().stream().map(this::value).toList()));
        }
        List<String> outs = new ArrayList<>();
        for (String o : model.outputs()) {
            Value v = value(o);
            if (v.order() != null) throw new UserError(file.name() + ": output " + o + " holds a flattened channels_last image, whose order nnet cannot match; only a Dense can read it");
            if (v.reordered()) net.note("output " + v.name() + " is " + Arrays.toString(v.nnetShape()) + " (channels first); Keras gives " + Arrays.toString(v.shape())
                    + ": transpose with y.transpose(0, 2, 3, 1)");
            outs.add(v.name());
        }
        return net.finish(Path.of(file.name()).getFileName() + " (Keras model '" + model.name() + "')", model.name(), outs);
    }

    private Value value(String layer) {
        Value v = values.get(layer);
        if (v == null) throw new UserError(file.name() + ": the model reads layer '" + layer + "' before defining it");
        return v;
    }

    private void input(Layer l) {
        var shape = l.config().has("batch_shape") ? l.config().getAsJsonArray("batch_shape") : l.config().getAsJsonArray("batch_input_shape");
        if (shape == null) throw new UserError(file.name() + ": " + l.describe() + " has no batch_shape");
        int[] dims = new int[shape.size() - 1];
        for (int k = 0; k < dims.length; k++) {
            if (shape.get(k + 1).isJsonNull())
                throw new UserError(file.name() + ": input '" + l.name() + "' has no fixed size along axis " + (k + 1) + " (None); nnet's shapes are static: save the model with a fixed input shape");
            dims[k] = shape.get(k + 1).getAsInt();
        }
        if (dims.length > 3) throw new UserError(file.name() + ": input '" + l.name() + "' has " + dims.length + " axes; nnet takes vectors, sequences [T, F] and images");
        Value v = new Value(net.name(l.name()), dims, dims.length == 3 && !channelsFirst, null);
        // the network holds a channels_last image as [C, H, W]; layout: nhwc has the commands read Keras' [N, H, W, C] arrays as they are
        if (v.image()) net.note("input " + v.name() + " reads images as Keras holds them, " + Arrays.toString(dims) + " (layout: nhwc); the network holds them as "
                + Arrays.toString(v.nnetShape()));
        boolean integers = integerDtype(l.config().get("dtype"));
        if (integers) tokenInputs.add(v.name());
        net.line("input " + v.name() + Arrays.toString(v.nnetShape()) + (integers ? " int" : "") + (v.image() ? " layout: nhwc" : ""));
        values.put(l.name(), v);
    }

    /** One statement for one layer; returns the value it binds. */
    private Value layer(Layer l, List<Value> in) {
        return switch (l.className()) {
            case "Dense" -> dense(l, only(l, in), false);
            case "Conv2D" -> KerasConv.conv2d(this, l, image(l, only(l, in)));
            case "MaxPooling2D", "AveragePooling2D" -> KerasConv.pool(this, l, image(l, only(l, in)));
            case "Flatten" -> flatten(l, only(l, in));
            case "Reshape" -> reshape(l, only(l, in));
            case "LSTM" -> lstm(l, only(l, in));
            case "Embedding" -> embedding(l, only(l, in));
            case "Activation" -> activationLayer(l, only(l, in), KerasActivation.parse(l, file.name()));
            case "ReLU" -> activationLayer(l, only(l, in), KerasActivation.relu(l, file.name()));
            case "LeakyReLU" -> activationLayer(l, only(l, in), KerasActivation.leaky(l));
            case "Softmax" -> activationLayer(l, only(l, in), KerasActivation.softmax(l, file.name()));
            case "Dropout" -> KerasNormalization.dropout(this, l, only(l, in));
            case "BatchNormalization" -> KerasNormalization.batchNormalization(this, l, only(l, in));
            case "SpatialDropout1D", "SpatialDropout2D", "GaussianDropout", "GaussianNoise", "AlphaDropout" -> { // identities when predicting
                Value x = only(l, in);
                yield bind(l, x.name(), x.shape(), x.image(), x.order());
            }
            case "Add", "Subtract", "Multiply" -> elementwise(l, in);
            case "Concatenate" -> concatenate(l, in);
            default -> customConnected(l, in);
        };
    }

    /** A layer that is not Keras' own but has units and a 2-D kernel is the seeds' CustomConnected: a dense layer whose mask the file does not hold. */
    private Value customConnected(Layer l, List<Value> in) {
        List<Tensor> vars = in.size() == 1 && l.config().has("units") ? file.variables(l) : List.of();
        if (vars.isEmpty() || vars.get(0).shape().length != 2)
            throw new UserError(file.name() + ": " + l.describe() + " is not supported; nnet imports Dense, LSTM, Conv2D, MaxPooling2D, AveragePooling2D,"
                    + " Flatten, Reshape, Activation, ReLU, LeakyReLU, Softmax, Dropout, BatchNormalization, Embedding, Add, Subtract, Multiply, Concatenate and Input");
        Value v = dense(l, in.get(0), true);
        net.note(l.describe() + " is imported as a dense layer " + v.name() + " from its kernel and bias. A mask that the layer multiplied into its kernel"
                + " is not in the file: add it to " + v.name() + "'s statement as connect: mask [[...]] (rows inputs, columns units) or another pattern");
        return v;
    }

    Value dense(Layer l, Value x, boolean custom) {
        if (x.image()) throw unsupported(l, "a Dense on an image acts on its channels, which nnet cannot express; add a Flatten first");
        List<Tensor> vars = variables(l, l.bool("use_bias", true) ? 2 : 1);
        Tensor kernel = vars.get(0);
        int n = x.shape()[x.shape().length - 1], m = kernel.shape()[1];
        expectShape(l, "kernel", kernel, n, m);
        String name = net.name(l.name());
        net.weight(name + ".kernel", x.order() != null ? KerasLayouts.rowsInOrder(kernel, x.order()) : kernel);
        String bias = vars.size() > 1 ? "" : ", bias: false";
        if (vars.size() > 1) net.weight(name + ".bias", expectShape(l, "bias", vars.get(1), m));
        KerasActivation act = noted(l, KerasActivation.of(l, file.name(), custom));
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = m;
        return bind(l, act.wrap("dense(" + x.name() + ", " + m + "%s" + bias + ")"), shape, false, null);
    }

    private Value flatten(Layer l, Value x) {
        int size = Arrays.stream(x.shape()).reduce(1, (a, b) -> a * b);
        if (x.shape().length == 1) return bind(l, x.name(), x.shape(), false, x.order());
        // Keras' Flatten(data_format='channels_first') moves the channels last before flattening: on a channels_first model's [C, H, W] too
        boolean channelsLastOrder = x.image() || x.shape().length == 3 && "channels_first".equals(l.string("data_format", null));
        if (channelsLastOrder && !x.image() && !channelsFirst) throw unsupported(l, "data_format channels_first on a channels_last model is not supported");
        int[] hwc = !channelsLastOrder ? null : x.image() ? x.shape() : new int[] {x.shape()[1], x.shape()[2], x.shape()[0]};
        int[] order = hwc != null && hwc[2] > 1 ? KerasLayouts.channelsLastOrder(hwc) : null;
        return bind(l, "flatten(" + x.name() + ")", new int[] {size}, false, order);
    }

    private Value reshape(Layer l, Value x) {
        var target = l.config().getAsJsonArray("target_shape");
        int[] dims = new int[target.size()];
        int size = Arrays.stream(x.shape()).reduce(1, (a, b) -> a * b), known = 1, unknown = -1;
        for (int k = 0; k < dims.length; k++) {
            dims[k] = target.get(k).getAsInt();
            if (dims[k] == -1) unknown = k;
            else known *= dims[k];
        }
        if (unknown >= 0) dims[unknown] = size / known;
        if (x.reordered()) throw unsupported(l, "reshaping a channels_last image changes its element order, which nnet holds channels first");
        boolean image = dims.length == 3 && !channelsFirst;
        if (image && dims[2] > 1) throw unsupported(l, "reshaping into a channels_last image of " + dims[2] + " channels is not supported (1 channel is)");
        if (dims.length > 3) throw unsupported(l, "nnet tensors have at most 3 axes");
        Value shaped = new Value("", dims, image, null);
        return bind(l, "reshape(" + x.name() + ", " + Arrays.toString(shaped.nnetShape()) + ")", dims, image, null);
    }

    private Value lstm(Layer l, Value x) {
        if (x.shape().length != 2 || x.image()) throw unsupported(l, "an LSTM reads a sequence [time, features]");
        for (String flag : List.of("return_state", "go_backwards", "stateful", "time_major"))
            if (l.bool(flag, false)) throw unsupported(l, flag + "=True is not supported");
        if (!"tanh".equals(KerasActivation.name(l.config().get("activation"))) || !"sigmoid".equals(KerasActivation.name(l.config().get("recurrent_activation"))))
            throw unsupported(l, "nnet's lstm has Keras' default activations (tanh, and sigmoid for the gates)");
        int u = l.integer("units", -1), f = x.shape()[1];
        boolean bias = l.bool("use_bias", true), sequences = l.bool("return_sequences", false);
        List<Tensor> vars = variables(l, bias ? 3 : 2);
        String name = net.name(l.name());
        net.weight(name + ".kernel", expectShape(l, "kernel", vars.get(0), f, 4 * u));
        net.weight(name + ".recurrent_kernel", expectShape(l, "recurrent kernel", vars.get(1), u, 4 * u));
        if (bias) net.weight(name + ".bias", expectShape(l, "bias", vars.get(2), 4 * u));
        String call = "lstm(" + x.name() + ", " + u + (sequences ? ", sequences: true" : "") + (bias ? "" : ", bias: false") + ")";
        return bind(l, call, sequences ? new int[] {x.shape()[0], u} : new int[] {u}, false, null);
    }

    /** Embedding: its table {@code embeddings [input_dim, output_dim]} as nnet's, reading an input of token ids. */
    private Value embedding(Layer l, Value x) {
        if (!tokenInputs.contains(x.name())) throw unsupported(l, "it reads " + x.name() + ", which is not an input of integers (an Input with an int dtype)");
        if (l.bool("mask_zero", false)) throw unsupported(l, "mask_zero=True (padding that later layers skip) is not supported");
        int vocab = l.integer("input_dim", -1), dim = l.integer("output_dim", -1);
        net.weight(net.name(l.name()) + ".embeddings", expectShape(l, "embeddings", variables(l, 1).get(0), vocab, dim));
        int[] shape = Arrays.copyOf(x.shape(), x.shape().length + 1);
        shape[shape.length - 1] = dim;
        return bind(l, "embedding(" + x.name() + ", " + vocab + ", " + dim + ")", shape, false, null);
    }

    /** Whether an InputLayer's dtype ({@code "int32"}, or a dtype policy naming one) holds integers. */
    private static boolean integerDtype(com.google.gson.JsonElement dtype) {
        if (dtype == null || dtype.isJsonNull()) return false;
        if (dtype.isJsonObject()) return integerDtype(dtype.getAsJsonObject().getAsJsonObject("config") == null ? null : dtype.getAsJsonObject().getAsJsonObject("config").get("name"));
        return dtype.isJsonPrimitive() && dtype.getAsString().contains("int");
    }

    private Value activationLayer(Layer l, Value x, KerasActivation act) {
        noted(l, act);
        if (act.isSoftmax() && x.reordered()) throw unsupported(l, "a softmax over a channels_last image's channels is not supported");
        return bind(l, act.apply(x.name()), x.shape(), x.image(), x.order());
    }

    private Value elementwise(Layer l, List<Value> in) {
        if (in.size() < 2 || (l.className().equals("Subtract") && in.size() != 2)) throw unsupported(l, "it needs two inputs" + (l.className().equals("Subtract") ? "" : " or more"));
        String op = switch (l.className()) {
            case "Add" -> " + ";
            case "Subtract" -> " - ";
            default -> " * ";
        };
        for (Value v : in)
            if (!Arrays.equals(v.shape(), in.get(0).shape()) || v.image() != in.get(0).image() || !Arrays.equals(v.order(), in.get(0).order()))
                throw unsupported(l, "its inputs differ in shape: " + Arrays.toString(in.get(0).shape()) + " and " + Arrays.toString(v.shape()));
        return bind(l, String.join(op, in.stream().map(Value::name).toList()), in.get(0).shape(), in.get(0).image(), in.get(0).order());
    }

    private Value concatenate(Layer l, List<Value> in) {
        Value first = in.get(0);
        int rank = first.shape().length, axis = l.integer("axis", -1);
        int keras = axis < 0 ? rank + axis : axis - 1; // Keras counts the batch axis
        if (keras < 0 || keras >= rank) throw unsupported(l, "axis " + axis + " is not one of its inputs' axes");
        int[] shape = first.shape().clone();
        shape[keras] = 0;
        boolean reordered = false;
        for (Value v : in) {
            if (v.image() != first.image() || v.shape().length != rank) throw unsupported(l, "its inputs are laid out differently (an image and a tensor?)");
            shape[keras] += v.shape()[keras];
            reordered |= v.order() != null;
        }
        int[] order = null;
        if (reordered) { // vectors, one of them (at least) a flattened channels_last image: the Keras order of each part, one after another
            order = new int[shape[0]];
            int at = 0;
            for (Value v : in) {
                for (int i = 0; i < v.shape()[0]; i++) order[at + i] = at + (v.order() == null ? i : v.order()[i]);
                at += v.shape()[0];
            }
        }
        int nnetAxis = first.image() ? new int[] {1, 2, 0}[keras] : keras;
        return bind(l, "concat(" + String.join(", ", in.stream().map(Value::name).toList()) + ", axis: " + nnetAxis + ")", shape, first.image(), order);
    }

    // ---- shared by the layer translations (KerasConv too)

    /** Writes {@code name = expr} for the layer and records its value. */
    Value bind(Layer l, String expr, int[] shape, boolean image, int[] order) {
        String name = net.name(l.name());
        net.line(name + " = " + expr);
        return new Value(name, shape, image, order);
    }

    Value image(Layer l, Value x) {
        if (x.shape().length != 3 || x.order() != null) throw unsupported(l, "it needs an image, found a tensor " + Arrays.toString(x.shape()));
        return x;
    }

    /** Keras' gelu is exact (erf) by default, nnet's the tanh approximation: close, not equal, so the user is told. */
    KerasActivation noted(Layer l, KerasActivation act) {
        if (act.isGelu()) net.note(l.describe() + " uses gelu: nnet's is the tanh approximation, which differs from Keras' exact gelu by up to about 5e-4");
        return act;
    }

    boolean channelsFirst() {
        return channelsFirst;
    }

    String nameOf(Layer l) {
        return net.name(l.name());
    }

    void weight(String name, Tensor t) {
        net.weight(name, t);
    }

    String fileName() {
        return file.name();
    }

    /** The layer's variables: {@code count} of them (a layer without its bias has one fewer). */
    List<Tensor> variables(Layer l, int count) {
        List<Tensor> vars = file.variables(l);
        if (vars.size() != count)
            throw new UserError(file.name() + ": " + l.describe() + " has " + vars.size() + " weight tensors in the file (at " + l.path() + "), but its config needs " + count);
        return vars;
    }

    Tensor expectShape(Layer l, String what, Tensor t, int... shape) {
        if (!Arrays.equals(t.shape(), shape))
            throw new UserError(file.name() + ": the " + what + " of " + l.describe() + " is " + t.shapeString() + ", but its config and input need " + Arrays.toString(shape));
        return t;
    }

    UserError unsupported(Layer l, String why) {
        return new UserError(file.name() + ": " + l.describe() + " cannot be imported: " + why);
    }

    private static Value only(Layer l, List<Value> in) {
        if (in.size() != 1) throw new UserError(l.describe() + " reads " + in.size() + " tensors; it takes one");
        return in.get(0);
    }
}
