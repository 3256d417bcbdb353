package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import nnet.format.Formatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnetc fmt}: in place, --check, --diff, standard input, and files it cannot format. */
class FmtCommandTest {
    private static final String UNFORMATTED = "network N{input x[2]\nh=dense(x,2) // hidden\noutput h}\n";
    private static final String FORMATTED = "network N {\n  input x[2]\n  h = dense(x, 2)   // hidden\n  output h\n}\n";

    @TempDir Path dir;

    @Test
    void theExamplesAreFormatted() {
        CliRunner r = CliRunner.run("fmt", "--check", TestNetworks.root().resolve("examples").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("", r.out());
    }

    @Test
    void rewritesTheFilesThatChangeAndNamesThem() throws IOException {
        Path a = Files.writeString(dir.resolve("a.nnet"), UNFORMATTED);
        Path b = Files.writeString(Files.createDirectories(dir.resolve("sub")).resolve("b.nnet"), FORMATTED);
        Files.writeString(Files.createDirectories(dir.resolve(".hidden")).resolve("c.nnet"), UNFORMATTED);
        CliRunner r = CliRunner.run("fmt", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(a + "\n", r.out());
        assertEquals(FORMATTED, Files.readString(a));
        assertEquals(FORMATTED, Files.readString(b));
        assertEquals(UNFORMATTED, Files.readString(dir.resolve(".hidden/c.nnet")), "hidden directories are skipped");
        assertEquals("", CliRunner.run("fmt", dir.toString()).out(), "a second run changes nothing");
    }

    @Test
    void checkListsWhatIsNotFormattedAndChangesNothing() throws IOException {
        Path a = Files.writeString(dir.resolve("a.nnet"), UNFORMATTED);
        Files.writeString(dir.resolve("b.nnet"), FORMATTED);
        CliRunner r = CliRunner.run("fmt", "--check", dir.toString());
        assertEquals(1, r.exit());
        assertEquals(a + "\n", r.out());
        assertEquals(UNFORMATTED, Files.readString(a));
    }

    @Test
    void diffShowsTheChangeAndChangesNothing() throws IOException {
        Path a = Files.writeString(dir.resolve("a.nnet"), UNFORMATTED);
        CliRunner r = CliRunner.run("fmt", "--diff", a.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("--- " + a + "\n+++ " + a + " (formatted)\n@@ -1,3 +1,5 @@\n"), r.out());
        assertTrue(r.out().contains("\n-h=dense(x,2) // hidden\n") && r.out().contains("\n+  h = dense(x, 2)   // hidden\n"), r.out());
        assertEquals(UNFORMATTED, Files.readString(a));
        assertEquals(1, CliRunner.run("fmt", "--check", "--diff", a.toString()).exit());
    }

    @Test
    void aDashFormatsStandardInputToStandardOutput() {
        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream(UNFORMATTED.getBytes(StandardCharsets.UTF_8)));
            CliRunner r = CliRunner.run("fmt", "-");
            assertEquals(0, r.exit(), r.err());
            assertEquals(FORMATTED, r.out());
            System.setIn(new ByteArrayInputStream(UNFORMATTED.getBytes(StandardCharsets.UTF_8)));
            assertEquals(1, CliRunner.run("fmt", "--check", "-").exit());
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void aFileWithSyntaxErrorsIsLeftAloneAndTheOthersAreFormatted() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.nnet"), "network N {\n  h = dense(x, \n}\n");
        Path good = Files.writeString(dir.resolve("good.nnet"), UNFORMATTED);
        CliRunner r = CliRunner.run("fmt", bad.toString(), good.toString(), dir.resolve("missing.nnet").toString());
        r.assertUserError(bad + ":2:15: error: ");
        assertTrue(r.err().contains("missing.nnet: error: cannot read this file: no such file"), r.err());
        assertEquals("network N {\n  h = dense(x, \n}\n", Files.readString(bad));
        assertEquals(FORMATTED, Files.readString(good));
    }

    @Test
    void theCommandAndTheEngineAgree() throws IOException {
        Path a = Files.writeString(dir.resolve("a.nnet"), UNFORMATTED);
        CliRunner.run("fmt", a.toString());
        assertEquals(Formatter.format("a.nnet", UNFORMATTED).text(), Files.readString(a));
    }
}
