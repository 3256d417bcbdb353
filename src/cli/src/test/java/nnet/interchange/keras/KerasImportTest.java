package nnet.interchange.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import nnet.CliRunner;
import nnet.TestNetworks;
import nnet.runtime.io.Npy;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keras models imported by {@code nnetc import} and run by {@code nnetc predict}: written by Keras 3
 * itself (make_keras3_models.py: weight paths that differ from the layer names, nested models,
 * channels_first, a flattened image concatenated), and crafted in the layouts Keras 3 and Keras 2
 * write (make_keras_models.py). The outputs must equal Keras' (NAME.expected.npz: Keras' predict,
 * or numpy from Keras' definitions of the layers for the crafted files).
 */
class KerasImportTest {
    @TempDir Path tmp;

    static Path fixture(String name) {
        return TestNetworks.root().resolve("src/cli/src/test/resources/keras").resolve(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dense.keras", "lstm.keras", "gated_cnn.keras", "merge.keras", "legacy_lstm.h5", "batchnorm.keras", "embedding.keras", "layernorm.keras", // crafted by make_keras_models.py
            "churn.keras", "forecaster.keras", "nested.keras", "channels_first.keras", "image_and_table.keras"}) // written by Keras 3 (make_keras3_models.py)
    void importedNetworkPredictsWhatKerasComputes(String model) throws IOException {
        String base = model.substring(0, model.indexOf('.'));
        Path net = tmp.resolve(base + ".nnet"), weights = tmp.resolve(base + ".safetensors");
        CliRunner imported = CliRunner.run("import", fixture(model).toString(), "-o", net.toString());
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(Files.exists(weights), "the weights go beside the network");
        // Keras' arrays as they are: a channels_last image input is declared layout: nhwc
        Path in = fixture(base + ".inputs.npz"), out = tmp.resolve(base + ".out.npz");
        CliRunner predicted = CliRunner.run("predict", net.toString(), "--weights", weights.toString(), "--input", in.toString(), "-o", out.toString());
        assertEquals(0, predicted.exit(), predicted.err() + "\n" + Files.readString(net));
        Map<String, Tensor> actual = Npy.readArchive(out), expected = Npy.readArchive(fixture(base + ".expected.npz"));
        assertEquals(expected.keySet(), actual.keySet(), "the outputs keep the Keras layers' names");
        expected.forEach((name, e) -> assertClose(e, actual.get(name), base + " " + name));
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertTrue(Arrays.equals(expected.shape(), actual.shape()), what + ": shape " + actual.shapeString() + ", Keras " + expected.shapeString());
        for (int i = 0; i < expected.data().length; i++) {
            float e = expected.data()[i], a = actual.data()[i];
            if (!(Math.abs(e - a) <= 1e-5 + 1e-5 * Math.abs(e))) fail(what + "[" + i + "]: Keras " + e + ", nnet " + a);
        }
    }

    @Test
    void aCustomConnectedLayerImportsAsDenseAndTheOutputSaysWhatToAdd() throws IOException {
        Path net = tmp.resolve("cc.nnet");
        CliRunner r = CliRunner.run("import", fixture("custom_connected.keras").toString(), "-o", net.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("layer 'custom_connected' (CustomConnected) is imported as a dense layer") && r.out().contains("connect: mask"), r.out());
        assertTrue(Files.readString(net).contains("custom_connected = dense(input_layer, 3, relu)"), Files.readString(net));
    }

    @Test
    void anUnsupportedLayerIsAnErrorNamingItAndItsClass() {
        assertUserError(CliRunner.run("import", fixture("unsupported.keras").toString(), "-o", tmp.resolve("n.nnet").toString()),
                "layer 'conv1d' (Conv1D) is not supported");
        assertFalse(Files.exists(tmp.resolve("n.nnet")));
        assertFalse(Files.exists(tmp.resolve("n.safetensors")));
    }

    @Test
    void brokenFilesAreUserErrorsNamingTheFile() throws IOException {
        String out = tmp.resolve("n.nnet").toString();
        byte[] keras = Files.readAllBytes(fixture("dense.keras"));
        Path truncated = Files.write(tmp.resolve("truncated.keras"), Arrays.copyOf(keras, keras.length / 2));
        assertUserError(CliRunner.run("import", truncated.toString(), "-o", out), "truncated.keras: not a Keras .keras file");
        Path garbage = tmp.resolve("garbage.keras");
        try (ZipFile z = new ZipFile(fixture("dense.keras").toFile()); OutputStream o = Files.newOutputStream(garbage); ZipOutputStream zip = new ZipOutputStream(o)) {
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write(z.getInputStream(z.getEntry("config.json")).readAllBytes());
            zip.putNextEntry(new ZipEntry("model.weights.h5"));
            zip.write("not HDF5 at all, just some text that is long enough to look like a header".getBytes());
        }
        assertUserError(CliRunner.run("import", garbage.toString(), "-o", out), "garbage.keras: the weights are not a readable HDF5 file");
        Path text = Files.writeString(tmp.resolve("text.h5"), "hello");
        assertUserError(CliRunner.run("import", text.toString(), "-o", out), "text.h5: not an HDF5 file");
        assertUserError(CliRunner.run("import", tmp.resolve("missing.keras").toString(), "-o", out), "missing.keras: no such file");
        assertUserError(CliRunner.run("import", fixture("dense.keras").toString(), "-o", tmp.resolve("n.txt").toString()), "must end in .nnet");
        Path blocker = Files.writeString(tmp.resolve("file"), "");
        assertUserError(CliRunner.run("import", fixture("dense.keras").toString(), "-o", blocker.resolve("n.nnet").toString()), "cannot write");
    }

    private static void assertUserError(CliRunner r, String expected) {
        r.assertUserError(expected);
    }
}
