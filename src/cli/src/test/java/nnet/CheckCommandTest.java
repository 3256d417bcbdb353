package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnetc check}: every file reported, readable or not; JSON stays JSON; warnings alone pass. */
class CheckCommandTest {
    @TempDir Path tmp;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    @Test
    void everyFileIsReportedAndJsonStaysJson() throws IOException {
        Path a = write("a.nnet", "network A {\n  input x[2]\n  y = dense(x, 0)\n  output y\n}\n");
        Path missing = tmp.resolve("missing.nnet");
        Path b = write("b.nnet", "network B {\n  input x[2]\n  y = relu2(x)\n  output y\n}\n");
        CliRunner r = CliRunner.run("check", a.toString(), missing.toString(), b.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains(a + ":3:") && r.out().contains(b + ":3:"), "the readable files are checked too:\n" + r.out());
        assertTrue(r.out().contains(missing + ": error: cannot read this file: no such file"), r.out());
        assertTrue(r.out().endsWith("3 errors\n"), r.out());
        assertFalse(r.err().contains("\tat "), r.err());

        CliRunner json = CliRunner.run("check", "--json", missing.toString(), tmp.toString());
        assertEquals(1, json.exit());
        JsonArray ds = JsonParser.parseString(json.out()).getAsJsonArray();
        assertEquals(2, ds.size(), json.out());
        JsonObject first = ds.get(0).getAsJsonObject();
        assertEquals("source.file", first.get("code").getAsString());
        assertEquals(missing.toString(), first.get("file").getAsString());
        assertEquals(0, first.get("line").getAsInt());
        assertTrue(ds.get(1).getAsJsonObject().get("message").getAsString().contains("it is a directory"), json.out());
    }

    @Test
    void warningsAloneExitZero() throws IOException {
        Path f = write("w.nnet", "network W {\n  input x[4]\n  y = dense(x, 3, softmax)\n  output y\n  loss cross_entropy\n}\n");
        CliRunner r = CliRunner.run("check", f.toString());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains(f + ":5:8: warning: cross_entropy applies softmax itself") && r.out().endsWith("1 warning\n"), r.out());
        JsonObject w = JsonParser.parseString(CliRunner.run("check", "--json", f.toString()).out()).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("warning", w.get("severity").getAsString());
        assertEquals("loss.softmax", w.get("code").getAsString());
        // other commands go on, with the warning on standard error
        CliRunner compile = CliRunner.run("compile", f.toString(), "-o", tmp.resolve("w.jar").toString());
        assertEquals(0, compile.exit(), compile.err());
        assertTrue(compile.err().contains("warning: cross_entropy applies softmax itself"), compile.err());
    }

    @Test
    void jsonCarriesTheFixesTheCheckerKnows() throws IOException {
        Path f = write("typo.nnet", "network T {\n  input x[4]\n  y = dense(x, 3, rellu)\n  output y\n}\n");
        JsonObject d = JsonParser.parseString(CliRunner.run("check", "--json", f.toString()).out()).getAsJsonArray().get(0).getAsJsonObject();
        JsonObject fix = d.getAsJsonArray("fixes").get(0).getAsJsonObject();
        assertEquals("Change to 'relu'", fix.get("title").getAsString());
        assertEquals(List.of(3, 19, 5, "relu"), List.of(fix.get("line").getAsInt(), fix.get("col").getAsInt(), fix.get("length").getAsInt(), fix.get("replacement").getAsString()));
    }

    @Test
    void binaryFilesAndByteOrderMarksGetPlainMessages() throws IOException {
        Path binary = Files.write(tmp.resolve("model.nnet"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        CliRunner r = CliRunner.run("check", binary.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains(binary + ":3:1: error: this is not a .nnet source file: it holds binary data"), r.out());
        assertFalse(r.out().contains("Input length"), r.out());
        Path latin1 = Files.write(tmp.resolve("latin1.nnet"), "network N {\n  input x[2]\n  y = dense(x, 2) \u00e9\n  output y\n}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        CliRunner l = CliRunner.run("check", latin1.toString());
        assertTrue(l.out().contains(latin1 + ":3:19: error: unexpected character U+FFFD (a byte that is not UTF-8 text"), l.out());
        Path bom = write("bom.nnet", "\uFEFFnetwork N {\n  input x[2]\n  y = dense(x, 2)\n  output y\n}\n");
        assertEquals(0, CliRunner.run("check", bom.toString()).exit());
    }
}
