package nnet.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nnet.CliRunner;

/**
 * {@code nnetc} as a user's script calls it, on generated sources, data files and output paths:
 * every run ends with exit 0 or 1 (a user error, said in a sentence), never with a stack trace,
 * an internal error (exit 2) or a hang.
 */
class CommandLineFuzzTest {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("nnet-cli-fuzz");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "2s")
    void commands(FuzzedDataProvider data) throws Exception {
        // as bytes: Files.writeString refuses a lone surrogate, which a mutation may leave; getBytes writes '?' for it
        Path source = Files.write(DIR.resolve("net.nnet"), FuzzSources.text(data).getBytes(StandardCharsets.UTF_8));
        Path x = Files.write(DIR.resolve("x.csv"), csv(data));
        Path t = Files.write(DIR.resolve("t.csv"), csv(data));
        Path w = DIR.resolve("w.safetensors");
        if (data.consumeBoolean()) Files.write(w, data.consumeBytes(200));
        else Files.deleteIfExists(w);
        String out = data.pickValue(List.of(DIR.resolve("out.bin").toString(), DIR.toString(), "-", DIR.resolve("net.nnet/x").toString(), DIR.resolve("new/dir/o").toString()));
        List<String> args = new ArrayList<>();
        switch (data.consumeInt(0, 8)) {
            case 0 -> args.addAll(List.of("check", source.toString()));
            case 1 -> args.addAll(List.of("check", "--json", source.toString(), DIR.resolve("missing.nnet").toString()));
            case 2 -> args.addAll(List.of("run", source.toString(), "--rows", "2"));
            case 3 -> args.addAll(List.of("init", source.toString(), "--seed", Long.toString(data.consumeLong()), "-o", out));
            case 4 -> args.addAll(List.of("predict", source.toString(), "--input", x.toString(), "--weights", w.toString(), "-o", out));
            case 5 -> args.addAll(List.of("grad", source.toString(), "--input", x.toString(), "--target", t.toString(), "--weights", w.toString(), "-o", out));
            case 6 -> args.addAll(List.of("train", source.toString(), "--input", x.toString(), "--target", t.toString(), "--epochs", "1", "--quiet", "-o", out));
            case 7 -> args.addAll(List.of("dump-ir", source.toString()));
            default -> {
                if (data.consumeBoolean()) args.addAll(List.of("compile", source.toString(), "-o", out));
                else args.addAll(List.of("explain", source.toString(), "--input", x.toString(), "--weights", w.toString(), "-o", out,
                        "--method", data.pickValue(List.of("saliency", "gradxinput", "deeplift", "ig", "weights")),
                        "--target", data.pickValue(List.of("y", "y:0", "y:1", "y:predicted", "out:2")), "--steps", "3", data.pickValue(List.of("--all", "--per-sample"))));
            }
        }
        if (data.consumeBoolean()) args.add(data.consumeString(20)); // a stray argument or flag
        Watchdog.run(String.join(" ", args) + " on\n" + Files.readString(source), () -> {
            CliRunner r = CliRunner.run(args.toArray(String[]::new));
            String report = String.join(" ", args) + " exited " + r.exit() + "\n" + r.err() + "\nsource:\n" + Files.readString(source);
            assertTrue(r.exit() == 0 || r.exit() == 1, report);
            String err = r.err().lines().filter(l -> !l.startsWith("INFO: ")).collect(java.util.stream.Collectors.joining("\n")); // Jazzer's own log lines
            assertFalse(err.contains("\tat ") || err.contains("internal error") || err.contains("Exception"), report);
        });
    }

    /** A few rows of small numbers, or any bytes. */
    private static byte[] csv(FuzzedDataProvider data) {
        if (data.consumeBoolean()) return data.consumeBytes(100);
        StringBuilder sb = new StringBuilder();
        int rows = data.consumeInt(1, 3), cols = data.consumeInt(1, 12);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) sb.append(c == 0 ? "" : ",").append(data.consumeInt(0, 1));
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
