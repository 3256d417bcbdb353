package nnet.interchange.keras;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;

/**
 * A saved Keras model: its structure (the JSON Keras writes) and each layer's variables in the
 * order Keras keeps them (Dense: kernel, bias; LSTM: kernel, recurrent kernel, bias). Two formats:
 * Keras 3's {@code .keras}, a zip of {@code config.json} and {@code model.weights.h5} whose layers
 * keep their variables at {@code <path>/vars/0, 1, ...} (an LSTM's at {@code <path>/cell/vars}),
 * the path made from the layer's class and place ({@link KerasModel}: {@code layers/dense_1});
 * and the legacy HDF5 file of Keras 2 ({@code .h5}), with the
 * structure in the root attribute {@code model_config} and the variables under
 * {@code model_weights/<layer>/}, in the order of that group's attribute {@code weight_names}.
 * HDF5 is read by jhdf, in pure Java.
 */
final class KerasFile implements AutoCloseable {
    private final String name;
    private final JsonObject model;
    private final HdfFile hdf;
    private final boolean legacy;

    private KerasFile(String name, JsonObject model, HdfFile hdf, boolean legacy) {
        this.name = name;
        this.model = model;
        this.hdf = hdf;
        this.legacy = legacy;
    }

    static KerasFile open(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) throw new UserError(name + ": no such file");
        try {
            return name.toLowerCase().endsWith(".keras") ? openZip(file) : openLegacy(file);
        } catch (HdfException e) {
            throw new UserError(name + ": the weights are not a readable HDF5 file (" + e.getMessage() + ")");
        }
    }

    private static KerasFile openZip(Path file) {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; )
                if (e.getName().equals("config.json") || e.getName().equals("model.weights.h5")) entries.put(e.getName(), zip.readAllBytes());
        } catch (ZipException e) {
            throw new UserError(file + ": not a Keras .keras file (a zip of config.json and model.weights.h5): " + e.getMessage());
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
        for (String needed : List.of("config.json", "model.weights.h5"))
            if (!entries.containsKey(needed)) throw new UserError(file + ": not a Keras .keras file: it has no " + needed);
        JsonObject config = json(file + "!config.json", new String(entries.get("config.json"), java.nio.charset.StandardCharsets.UTF_8));
        return new KerasFile(file.toString(), config, HdfFile.fromBytes(entries.get("model.weights.h5")), false);
    }

    private static KerasFile openLegacy(Path file) {
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 8) < 8 || !new String(head, 1, 3, java.nio.charset.StandardCharsets.ISO_8859_1).equals("HDF"))
                throw new UserError(file + ": not an HDF5 file (a legacy Keras .h5 model starts with \\x89HDF); a Keras 3 model is a .keras file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
        HdfFile hdf = new HdfFile(file);
        Attribute config = hdf.getAttribute("model_config");
        if (config == null) {
            hdf.close();
            throw new UserError(file + ": an HDF5 file without the attribute model_config: a weights-only file? nnetc import needs a whole saved model");
        }
        return new KerasFile(file.toString(), json(file + " (model_config)", text(config.getData())), hdf, true);
    }

    private static JsonObject json(String where, String text) {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) throw new UserError(where + ": the model's structure is not a JSON object");
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new UserError(where + ": the model's structure is not valid JSON: " + e.getMessage());
        }
    }

    /** An HDF5 string attribute as jhdf returns it: a String, or a one-element array of them. */
    private static String text(Object data) {
        if (data instanceof String s) return s;
        if (data != null && data.getClass().isArray() && Array.getLength(data) == 1) return text(Array.get(data, 0));
        return String.valueOf(data);
    }

    String name() {
        return name;
    }

    JsonObject model() {
        return model;
    }

    /** The layer's variables in Keras' order (none for a layer without weights). */
    List<Tensor> variables(KerasModel.Layer layer) {
        try {
            return legacy ? legacyVariables(layer.name()) : kerasVariables(layer.path());
        } catch (HdfException e) {
            throw new UserError(name + ": cannot read the weights of layer '" + layer.name() + "': " + e.getMessage());
        }
    }

    /**
     * A {@code .keras} layer's variables, at its tracking path ({@link KerasModel}): Keras 3 keeps them under {@code layers/},
     * the {@code .keras} files of Keras 2.13 to 2.15 under {@code _layer_checkpoint_dependencies/}.
     */
    private List<Tensor> kerasVariables(String path) {
        List<Tensor> out = new ArrayList<>();
        for (String base : List.of("", "_layer_checkpoint_dependencies/")) {
            Group g = group(base.isEmpty() ? path : path.replaceFirst("^layers/", base));
            if (g == null) continue;
            addNumbered(g.getChild("vars"), out);
            addNumbered(g.getChild("cell") instanceof Group cell ? cell.getChild("vars") : null, out); // recurrent layers keep theirs in the cell
            return out;
        }
        return out;
    }

    private void addNumbered(Node vars, List<Tensor> out) {
        if (!(vars instanceof Group g)) return;
        for (int k = 0; g.getChild(Integer.toString(k)) instanceof Dataset d; k++) out.add(tensor(d));
    }

    private List<Tensor> legacyVariables(String layer) {
        Group g = group("model_weights/" + layer);
        if (g == null) return List.of();
        Attribute names = g.getAttribute("weight_names");
        List<Tensor> out = new ArrayList<>();
        if (names == null || names.getData() == null || !names.getData().getClass().isArray()) return out;
        Object list = names.getData();
        for (int k = 0; k < Array.getLength(list); k++) {
            String weight = text(Array.get(list, k));
            if (!(g.getByPath(weight) instanceof Dataset d)) throw new UserError(name + ": layer '" + layer + "' lists weight " + weight + " but the file lacks it");
            out.add(tensor(d));
        }
        return out;
    }

    private Group group(String path) {
        try {
            return hdf.getByPath(path) instanceof Group g ? g : null;
        } catch (HdfException e) {
            return null; // jhdf reports a missing path as an exception
        }
    }

    private Tensor tensor(Dataset d) {
        Object flat = d.getDataFlat();
        float[] values;
        if (flat instanceof float[] f) values = f;
        else if (flat instanceof double[] dd) {
            values = new float[dd.length];
            for (int i = 0; i < dd.length; i++) values[i] = (float) dd[i];
        } else throw new UserError(name + ": weight " + d.getPath() + " holds " + d.getJavaType().getSimpleName() + ", not floats");
        return new Tensor(d.isScalar() ? new int[0] : d.getDimensions(), values);
    }

    @Override
    public void close() {
        hdf.close();
    }
}
