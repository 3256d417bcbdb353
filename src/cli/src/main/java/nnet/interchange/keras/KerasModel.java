package nnet.interchange.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.runtime.UserError;

/**
 * The structure of a saved Keras model as a list of layers in the order they run, each with the
 * layers whose outputs it reads. Reads Sequential and functional models as Keras 3 writes them
 * ({@code inbound_nodes} of {@code __keras_tensor__} objects) and as Keras 2 did (lists of
 * {@code [layer, node, tensor, kwargs]}). A model used as a layer of another (nested) is inlined:
 * its layers join the list, named {@code outer/inner}, reading what the call of the model reads.
 *
 * <p>Each layer also gets the path of its weights in a {@code .keras} file. Keras' saving_lib
 * ({@code _save_container_state}) does not store a layer under its name, which depends on what else
 * the session made, but under its class in snake case, numbered in the order of the model's
 * {@code layers}: the second Dense of a model is {@code layers/dense_1} whatever its name, and a
 * nested model's Dense is {@code layers/functional/layers/dense}.
 *
 * @param layers  every layer, InputLayers included, inputs before the layers that read them
 * @param inputs  the InputLayer names, in the model's order
 * @param outputs the layers whose outputs the model returns, in order
 */
record KerasModel(String name, List<Layer> layers, List<String> inputs, List<String> outputs) {

    /**
     * One layer: its name (unique in the model, {@code outer/inner} inside a nested model), its Keras class, its config, the layers it
     * reads (one each for a merge layer's inputs), and where a {@code .keras} file keeps its weights.
     */
    record Layer(String name, String className, JsonObject config, List<String> inputs, String path) {
        int integer(String key, int otherwise) {
            JsonElement e = config.get(key);
            return e == null || e.isJsonNull() ? otherwise : e.getAsInt();
        }

        String string(String key, String otherwise) {
            JsonElement e = config.get(key);
            return e == null || e.isJsonNull() ? otherwise : e.getAsString();
        }

        boolean bool(String key, boolean otherwise) {
            JsonElement e = config.get(key);
            return e == null || e.isJsonNull() ? otherwise : e.getAsBoolean();
        }

        /** A size or a pair of sizes ({@code 3} or {@code [3, 3]}) as a pair. */
        int[] pair(String key, int[] otherwise) {
            JsonElement e = config.get(key);
            if (e == null || e.isJsonNull()) return otherwise;
            if (e.isJsonPrimitive()) return new int[] {e.getAsInt(), e.getAsInt()};
            JsonArray a = e.getAsJsonArray();
            return a.size() == 1 ? new int[] {a.get(0).getAsInt(), a.get(0).getAsInt()} : new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
        }

        String describe() {
            return "layer '" + name + "' (" + className + ")";
        }
    }

    private static final Set<String> MODELS = Set.of("Sequential", "Functional", "Model");

    static KerasModel parse(JsonObject root, String file) {
        return parse(root, file, "", "");
    }

    /** @param path where the model's weights are ({@code ""} at the top, {@code layers/functional/} for a nested model); {@code scope} prefixes its layers' names */
    private static KerasModel parse(JsonObject root, String file, String path, String scope) {
        String cls = string(root, "class_name", "?");
        JsonElement config = root.get("config");
        if (config == null) throw new UserError(file + ": the model's structure has no 'config'");
        Nesting n = new Nesting(file, path, scope);
        KerasModel m = switch (cls) {
            case "Sequential" -> sequential(config, root, n);
            case "Functional", "Model" -> functional(config.getAsJsonObject(), n);
            default -> throw new UserError(file + ": a model of class " + cls + " cannot be imported; Sequential and functional models can"
                    + " (a subclassed Model keeps its structure in Python code, not in the file)");
        };
        return n.resolved(m);
    }

    /** Keras' {@code naming.to_snake_case}: {@code MaxPooling2D} is {@code max_pooling2d}, {@code LSTM} {@code lstm}. */
    static String snakeCase(String className) {
        String s = className.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
    }

    /** The layers of one model being read: weights paths numbered per class, nested models inlined. */
    private static final class Nesting {
        final String file, path, scope;
        final List<Layer> layers = new ArrayList<>();
        final Map<String, Integer> used = new HashMap<>();
        /** A nested model's name, as read by the layers after it, is its output layer. */
        final Map<String, String> aliases = new HashMap<>();

        Nesting(String file, String path, String scope) {
            this.file = file;
            this.path = path;
            this.scope = scope;
        }

        /** Adds a layer entry (a nested model's layers in its place); returns the name later layers read it by. */
        String add(JsonObject entry, String name, String cls, JsonObject config, List<String> inputs) {
            String snake = snakeCase(cls);
            int count = used.merge(snake, 1, Integer::sum);
            String weights = path + "layers/" + snake + (count > 1 ? "_" + (count - 1) : "");
            if (!MODELS.contains(cls)) {
                layers.add(new Layer(scope + name, cls, config, inputs, weights));
                return scope + name;
            }
            KerasModel inner = parse(entry, file, weights + "/", scope + name + "/");
            if (inner.inputs().size() != inputs.size())
                throw new UserError(file + ": the nested model '" + name + "' takes " + inner.inputs().size() + " inputs but is called on " + inputs.size());
            if (inner.outputs().size() != 1) throw new UserError(file + ": the nested model '" + name + "' has " + inner.outputs().size() + " outputs; nnet imports nested models with one");
            for (int k = 0; k < inputs.size(); k++) aliases.put(inner.inputs().get(k), inputs.get(k));
            for (Layer l : inner.layers()) if (!l.className().equals("InputLayer")) layers.add(l);
            aliases.put(scope + name, inner.outputs().get(0));
            return scope + name;
        }

        String resolve(String name) {
            while (aliases.containsKey(name)) name = aliases.get(name);
            return name;
        }

        KerasModel resolved(KerasModel m) {
            List<Layer> out = new ArrayList<>();
            for (Layer l : m.layers()) out.add(new Layer(l.name(), l.className(), l.config(), l.inputs().stream().map(this::resolve).toList(), l.path()));
            return new KerasModel(m.name(), out, m.inputs(), m.outputs().stream().map(this::resolve).toList());
        }
    }

    private static KerasModel sequential(JsonElement config, JsonObject root, Nesting n) {
        String file = n.file;
        JsonArray entries = config.isJsonArray() ? config.getAsJsonArray() : config.getAsJsonObject().getAsJsonArray("layers");
        String modelName = config.isJsonObject() ? string(config.getAsJsonObject(), "name", "sequential") : "sequential";
        String input = null, previous = null;
        for (JsonElement e : entries) {
            JsonObject o = e.getAsJsonObject();
            JsonObject c = o.getAsJsonObject("config");
            String cls = string(o, "class_name", "?");
            if (previous == null && !cls.equals("InputLayer")) { // Keras 2 put the input shape on the first layer
                JsonArray shape = firstArray(c, "batch_input_shape", "batch_shape");
                if (shape == null && config.isJsonObject()) shape = firstArray(config.getAsJsonObject(), "build_input_shape");
                if (shape == null && root.getAsJsonObject("build_config") != null) shape = firstArray(root.getAsJsonObject("build_config"), "input_shape");
                if (shape == null) throw new UserError(file + ": the Sequential model does not say its input shape (no InputLayer, batch_input_shape or build_input_shape)");
                JsonObject shaped = new JsonObject();
                shaped.add("batch_shape", shape);
                previous = input = n.add(shaped, "input_layer", "InputLayer", shaped, List.of());
            }
            String name = string(c, "name", cls.toLowerCase());
            previous = n.add(o, name, cls, c, previous == null ? List.of() : List.of(previous));
            if (input == null) input = previous;
        }
        if (input == null) throw new UserError(file + ": the Sequential model has no layers");
        return new KerasModel(modelName, n.layers, List.of(input), List.of(previous));
    }

    private static KerasModel functional(JsonObject config, Nesting n) {
        String file = n.file;
        for (JsonElement e : config.getAsJsonArray("layers")) {
            JsonObject o = e.getAsJsonObject();
            JsonObject c = o.getAsJsonObject("config");
            String name = o.has("name") ? o.get("name").getAsString() : string(c, "name", "?");
            String cls = string(o, "class_name", "?");
            JsonArray nodes = o.has("inbound_nodes") ? o.getAsJsonArray("inbound_nodes") : new JsonArray();
            if (nodes.size() > 1) throw new UserError(file + ": layer '" + name + "' (" + cls + ") is called " + nodes.size() + " times; shared layers are not supported");
            List<String> inputs = new ArrayList<>();
            if (nodes.size() == 1) collectInputs(nodes.get(0), inputs, name, file);
            n.add(o, name, cls, c, inputs.stream().map(i -> n.scope + i).toList());
        }
        List<String> in = references(config.get("input_layers"), file).stream().map(i -> n.scope + i).toList();
        return new KerasModel(string(config, "name", "functional"), n.layers, in, references(config.get("output_layers"), file).stream().map(i -> n.scope + i).toList());
    }

    /** The layers one call reads: Keras 3's tensors ({@code keras_history}) or Keras 2's {@code [layer, node, tensor, kwargs]} lists. */
    private static void collectInputs(JsonElement e, List<String> out, String layer, String file) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if ("__keras_tensor__".equals(string(o, "class_name", null))) {
                JsonArray history = o.getAsJsonObject("config").getAsJsonArray("keras_history");
                out.add(reference(history, layer, file));
                return;
            }
            if (o.has("args")) collectInputs(o.get("args"), out, layer, file); // kwargs hold no tensors for the supported layers
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (!a.isEmpty() && a.get(0).isJsonPrimitive() && a.get(0).getAsJsonPrimitive().isString()) out.add(reference(a, layer, file));
            else for (JsonElement item : a) collectInputs(item, out, layer, file);
        }
    }

    /** {@code [layer, node index, tensor index]}; a node index above 0 is a second call of a shared layer. */
    private static String reference(JsonArray a, String layer, String file) {
        if (a.size() > 2 && (a.get(1).getAsInt() != 0 || a.get(2).getAsInt() != 0))
            throw new UserError(file + ": layer '" + layer + "' reads output " + a.get(2) + " of call " + a.get(1) + " of '" + a.get(0).getAsString()
                    + "'; shared layers and layers with several outputs are not supported");
        return a.get(0).getAsString();
    }

    private static List<String> references(JsonElement e, String file) {
        List<String> out = new ArrayList<>();
        if (e != null && e.isJsonArray()) collectInputs(e, out, "the model", file);
        if (out.isEmpty()) throw new UserError(file + ": the functional model does not list its input and output layers");
        return out;
    }

    private static JsonArray firstArray(JsonObject o, String... keys) {
        for (String k : keys) if (o.get(k) != null && o.get(k).isJsonArray()) return o.getAsJsonArray(k);
        return null;
    }

    private static String string(JsonObject o, String key, String otherwise) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? otherwise : e.getAsString();
    }

    Layer layer(String name) {
        for (Layer l : layers) if (l.name().equals(name)) return l;
        throw new UserError("the model reads a layer '" + name + "' it does not define");
    }
}
