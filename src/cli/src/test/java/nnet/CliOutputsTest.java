package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where commands write: an output that cannot be written is a user error naming the path in every
 * command; links are written through, FIFOs (like devices) written into, never replaced; {@code -o -}
 * is standard output. Devices themselves are not written in tests: a regression would replace
 * {@code /dev/null} on a machine that runs the tests as root.
 */
class CliOutputsTest {
    @TempDir Path tmp;

    private static String example(String name) {
        return CliTest.example(name);
    }

    static void assertUserError(CliRunner r, String expected) {
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "stderr lacks '" + expected + "':\n" + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "a user error printed a stack trace:\n" + r.err());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    /** Every command that writes, with {@code out} as its output. */
    private List<String[]> writers(String out) throws IOException {
        Path w = tmp.resolve("w.safetensors");
        if (!Files.exists(w)) assertEquals(0, CliRunner.run("init", example("xor_train.nnet"), "-o", w.toString()).exit());
        String x = example("xor_x.csv"), t = example("xor_y.csv"), net = example("xor_train.nnet");
        return List.of(
                new String[] {"init", net, "-o", out},
                new String[] {"train", net, "--input", x, "--target", t, "--epochs", "1", "--quiet", "-o", out},
                new String[] {"train", net, "--input", x, "--target", t, "--epochs", "1", "--quiet", "-o", tmp.resolve("ok.safetensors").toString(), "--plot", out},
                new String[] {"train", net, "--input", x, "--target", t, "--epochs", "1", "--quiet", "-o", tmp.resolve("ok.safetensors").toString(), "--log", out},
                new String[] {"compile", net, "-o", out},
                new String[] {"grad", net, "--weights", w.toString(), "--input", x, "--target", t, "-o", out},
                new String[] {"predict", net, "--weights", w.toString(), "--input", x, "-o", out});
    }

    @Test
    void aDirectoryAsOutputIsAUserErrorInEveryCommand() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("a directory"));
        for (String[] args : writers(dir.toString())) assertUserError(CliRunner.run(args), "cannot write " + dir + ": it is a directory");
    }

    @Test
    void aParentThatIsAFileIsAUserErrorInEveryCommand() throws IOException {
        Path file = write("plain.txt", "not a folder");
        String out = file.resolve("w.out").toString();
        for (String[] args : writers(out)) assertUserError(CliRunner.run(args), "cannot write " + out);
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void missingInputFilesAreUserErrorsNamingThem() throws IOException {
        Path missing = tmp.resolve("missing.safetensors");
        assertUserError(CliRunner.run("predict", example("masked.nnet"), "--weights", missing.toString(), "--input", example("xor_x.csv")),
                "cannot read " + missing + ": no such file or directory");
        assertUserError(CliRunner.run("predict", example("xor.nnet"), "--input", tmp.resolve("nope.csv").toString()), "nope.csv");
        assertUserError(CliRunner.run("compile", tmp.toString(), "-o", tmp.resolve("x.jar").toString()), tmp + ": error: cannot read this file: it is a directory");
    }

    @Test
    void theJarsPredictReportsAnUnwritableOutputAsAUserError() throws Exception {
        Path jar = tmp.resolve("xor.jar");
        assertEquals(0, CliRunner.run("compile", example("xor.nnet"), "-o", jar.toString()).exit());
        Process p = new ProcessBuilder(java(), "-jar", jar.toString(), "predict", "--input", example("xor_x.csv"), "-o", tmp.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("cannot write " + tmp + ": it is a directory") && !out.contains("\tat "), out);
        p = new ProcessBuilder(java(), "-jar", jar.toString(), "predict", "--input", example("xor_x.csv"), "--weights", tmp.resolve("none.st").toString())
                .redirectErrorStream(true).start();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("none.st: no such file") && !out.contains("\tat "), out);
    }

    @Test
    void aSymbolicLinkIsWrittenThroughAndStaysALink() throws IOException {
        Path real = write("real.safetensors", "old"), link = Files.createSymbolicLink(tmp.resolve("link.safetensors"), real.getFileName());
        assertEquals(0, CliRunner.run("init", example("masked.nnet"), "-o", link.toString()).exit());
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertTrue(Safetensors.read(real).containsKey("h.kernel"), "its target holds the weights");
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling.csv"), tmp.resolve("sub/target.csv"));
        assertEquals(0, CliRunner.run("predict", example("xor.nnet"), "--input", example("xor_x.csv"), "-o", dangling.toString()).exit());
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals("y[0]\n0\n1\n1\n0\n", Files.readString(tmp.resolve("sub/target.csv")), "a dangling link's target is created");
    }

    @Test
    void aFifoIsWrittenIntoNotReplaced() throws Exception {
        Path fifo = tmp.resolve("out.fifo");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is available");
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CliRunner r = CliRunner.run("predict", example("xor.nnet"), "--input", example("xor_x.csv"), "-o", fifo.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("y[0]\n0\n1\n1\n0\n", new String(read.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        assertTrue(isSpecial(fifo), "still a FIFO, not a regular file");
    }

    @Test
    void dashIsStandardOutput() throws IOException {
        Path file = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", example("masked.nnet"), "--seed", "4", "-o", file.toString()).exit());
        byte[] streamed = CliRunner.runBytes("init", example("masked.nnet"), "--seed", "4", "-o", "-");
        assertEquals(-1, java.util.Arrays.mismatch(Files.readAllBytes(file), streamed), "standard output holds the same bytes as the file");
        CliRunner predict = CliRunner.run("predict", example("xor.nnet"), "--input", example("xor_x.csv"), "-o", "-");
        assertEquals("y[0]\n0\n1\n1\n0\n", predict.out());
        byte[] trained = CliRunner.runBytes("train", example("xor_train.nnet"), "--input", example("xor_x.csv"), "--target", example("xor_y.csv"),
                "--epochs", "2", "--quiet", "-o", "-");
        Map<String, Tensor> w = Safetensors.read(new ByteArrayInputStream(trained), "stdout");
        assertTrue(w.containsKey("h.kernel"), "standard output holds one weights file and nothing else: " + w.keySet());
    }

    @Test
    void everySubcommandTakesHelp() {
        List<String> failed = new ArrayList<>();
        for (String cmd : List.of("check", "compile", "init", "predict", "run", "grad", "train", "evaluate", "bench", "dump-ir", "lsp")) {
            CliRunner r = CliRunner.run(cmd, "--help");
            if (r.exit() != 0 || !r.out().contains("Usage: nnetc " + cmd)) failed.add(cmd + ": exit " + r.exit() + "\n" + r.out() + r.err());
        }
        assertEquals(List.of(), failed);
    }

    @Test
    void theLanguageServerAcceptsStdioAsEditorsPassIt() throws Exception {
        Process p = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"), "nnet.cli.Main", "lsp", "--stdio").start();
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}";
        String shutdown = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\"}", exit = "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}";
        for (String m : List.of(init, shutdown, exit))
            p.getOutputStream().write(("Content-Length: " + m.length() + "\r\n\r\n" + m).getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server ends on exit");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(out.contains("\"capabilities\""), out);
    }

    /** Neither a regular file, a directory nor a link: a FIFO, a device. */
    private static boolean isSpecial(Path p) throws IOException {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).isOther();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
