package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quiet, exact output (issue 29 item 3): standard error holds what the user must read, and figures say what they mean. */
class QuietOutputTest {
    @TempDir Path tmp;

    /**
     * As {@code ./nnetc} runs it: a JVM without the Vector API's module starts another with it
     * ({@code nnet.runtime.jar.Launcher}), whose incubator warning does not reach the user.
     */
    @Test
    void noIncubatorWarningOnStandardError() throws Exception {
        List<String> command = new ArrayList<>(List.of(CliOutputsTest.java(), "-cp", System.getProperty("java.class.path"), "nnet.cli.Main"));
        command.addAll(List.of("predict", CliTest.example("xor.nnet"), "--input", CliTest.example("xor_x.csv")));
        CliRunner r = CliRunner.process(Map.of(), "", command);
        assertEquals(0, r.exit(), r.err());
        assertEquals("y[0]\n0\n1\n1\n0\n", r.out());
        assertEquals("", r.err());
        command.set(command.indexOf("predict"), "nosuchcommand");
        CliRunner error = CliRunner.process(Map.of(), "", command);
        assertEquals(1, error.exit());
        assertTrue(error.err().startsWith("error: Unmatched arguments"), "what the user must read still comes through:\n" + error.err());
    }

    @Test
    void helpHasNoPicocliWarnings() {
        for (String command : List.of("check", "compile", "init", "predict", "run", "grad", "train", "evaluate", "bench", "dump-ir", "graph", "import", "export", "lsp")) {
            CliRunner r = CliRunner.run(command, "--help");
            assertEquals(0, r.exit(), command);
            assertEquals("", r.err(), command + " --help");
            assertFalse(r.out().contains("%n") || r.out().contains("[picocli"), r.out());
        }
    }

    @Test
    void oneEpochLearningRatesToFourDigitsAndOneVoiceForWhatWasWritten() {
        String net = CliTest.example("xor_train.nnet"), x = CliTest.example("xor_x.csv"), t = CliTest.example("xor_y.csv");
        Path w = tmp.resolve("w.safetensors");
        CliRunner one = CliRunner.run("train", net, "--input", x, "--target", t, "--epochs", "1", "-o", w.toString());
        assertEquals(0, one.exit(), one.err());
        assertTrue(one.out().startsWith("trained XorTrained: 1 epoch of 4 rows, batch 4;"), one.out());
        assertTrue(one.err().endsWith("wrote " + w + ": the weights of epoch 1\n"), one.err());
        CliRunner cosine = CliRunner.run("train", net, "--input", x, "--target", t, "--epochs", "5", "--lr", "cosine(0.001)", "-o", w.toString());
        // epoch 2 of 5: 0.001 (1 + cos(pi / 5)) / 2 = 0.00090450849...
        assertTrue(cosine.err().contains("epoch 2/5: loss ") && cosine.err().contains(", lr 0.0009045, "), cosine.err());
        assertTrue(cosine.err().contains(", lr 0.001, "), "trailing zeros dropped: " + cosine.err());
        Path g = tmp.resolve("g.safetensors"), jar = tmp.resolve("x.jar"), p = tmp.resolve("p.csv"), dot = tmp.resolve("x.dot"), onnx = tmp.resolve("x.onnx");
        String[][] writers = {
                {"init", net, "-o", w.toString()},
                {"grad", net, "--weights", w.toString(), "--input", x, "--target", t, "-o", g.toString()},
                {"compile", net, "--weights", w.toString(), "-o", jar.toString()},
                {"predict", net, "--weights", w.toString(), "--input", x, "-o", p.toString()},
                {"graph", net, "-o", dot.toString()},
                {"export", net, "--weights", w.toString(), "-o", onnx.toString()}};
        String[] said = {"wrote " + w + ": initial weights of XorTrained (--seed 1)\n", "wrote " + g + ": the gradient of XorTrained's mean loss over 4 rows\n",
                "wrote " + jar + ": XorTrained\n", "wrote " + p + ": 4 rows of XorTrained's outputs\n", "wrote " + dot + ": a picture of XorTrained\n",
                "wrote " + onnx + ": XorTrained as ONNX opset 17, inputs x[2], outputs y\n"};
        for (int k = 0; k < writers.length; k++) {
            CliRunner r = CliRunner.run(writers[k]);
            assertEquals(0, r.exit(), r.err());
            assertEquals(said[k], r.err(), writers[k][0]);
        }
    }
}
