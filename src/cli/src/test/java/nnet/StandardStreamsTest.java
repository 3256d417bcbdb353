package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standard streams and the files people have (issue 29 item 2): pipes, directories, pandas' quoting, a CSV given as weights. */
class StandardStreamsTest {
    @TempDir Path tmp;

    private static final String XOR_ROWS = "0,0\n0,1\n1,0\n1,1\n", XOR_OUT = "y[0]\n0\n1\n1\n0\n";

    @Test
    void aDashOrDevStdinReadsStandardInput() throws Exception {
        CliRunner dash = CliRunner.runWithInput(XOR_ROWS, "predict", CliTest.example("xor.nnet"), "--input", "-");
        assertEquals(0, dash.exit(), dash.err());
        assertEquals(XOR_OUT, dash.out());
        // a target from standard input too
        Path w = tmp.resolve("w.safetensors");
        CliRunner train = CliRunner.runWithInput("0\n1\n1\n0\n", "train", CliTest.example("xor_train.nnet"), "--input", CliTest.example("xor_x.csv"),
                "--target", "-", "--epochs", "1", "--quiet", "-o", w.toString());
        assertEquals(0, train.exit(), train.err());
        // /dev/stdin is the process's own: a process of its own, fed by a pipe
        List<String> command = new ArrayList<>(List.of(CliOutputsTest.java(), "-cp", System.getProperty("java.class.path"), "nnet.cli.Main",
                "predict", CliTest.example("xor.nnet"), "--input", "/dev/stdin"));
        CliRunner devStdin = CliRunner.process(Map.of("NNET_VECTOR", "false"), XOR_ROWS, command);
        assertEquals(0, devStdin.exit(), devStdin.err());
        assertEquals(XOR_OUT, devStdin.out());
    }

    @Test
    void graphWritesDotToStandardOutput() {
        CliRunner r = CliRunner.run("graph", CliTest.example("xor.nnet"), "-o", "-");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("digraph \"Xor\" {\n") && r.out().endsWith("}\n"), r.out());
        assertEquals("", r.err(), "standard output held the picture: nothing to name");
    }

    @Test
    void aDirectoryWhereAFileGoesIsSaidSo() {
        String dir = tmp.toString(), net = CliTest.example("xor_train.nnet"), x = CliTest.example("xor_x.csv");
        CliRunner.run("predict", CliTest.example("xor.nnet"), "--input", dir).assertUserError("cannot read " + dir + ": it is a directory");
        CliRunner.run("predict", net, "--input", x, "--weights", dir).assertUserError("cannot read " + dir + ": it is a directory");
        CliRunner.run("train", net, "--input", x, "--target", dir, "-o", tmp.resolve("w.safetensors").toString())
                .assertUserError("cannot read " + dir + ": it is a directory");
    }

    /** A CSV that pandas wrote with every cell quoted (src/runtime/src/test/resources/pandas/make_csv.py). */
    @Test
    void aCsvPandasWroteWithEveryCellQuotedReads() throws IOException {
        Path pandas = TestNetworks.root().resolve("src/runtime/src/test/resources/pandas/quote_all.csv");
        Path net = Files.writeString(tmp.resolve("sum.nnet"), """
                network Sum {
                  input x[3]
                  y = dense(x, 1, weights: fixed [[1], [10], [1]], bias: fixed [0])
                  output y
                }
                """);
        CliRunner r = CliRunner.run("predict", net.toString(), "--input", pandas.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("y[0]\n0.25\n8.5\n1\n13\n", r.out());
    }

    @Test
    void aCsvGivenAsWeightsIsNotASafetensorsFile() {
        String x = CliTest.example("xor_x.csv");
        CliRunner.run("predict", CliTest.example("xor_train.nnet"), "--input", x, "--weights", x)
                .assertUserError(x + ": not a safetensors file: it starts with text, '0,0\\n0,1\\n'");
    }
}
