package nnet.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import nnet.Compiler;
import nnet.diag.Diagnostic;
import nnet.ir.Graph;
import nnet.diag.CompileError;

/**
 * The front end on any text: the bytes as the fuzzer mutates them (read as UTF-8, so the seeds are
 * plain .nnet files), or, for an input that starts with a NUL byte, grammar-shaped text that
 * {@link SourceGenerator} writes from the rest. Every input gets diagnostics with places inside
 * the text, never an exception or a hang; what checks cleanly also compiles.
 */
class FrontEndFuzzTest {
    @FuzzTest(maxDuration = "2s")
    void anySource(byte[] input) throws Exception {
        String text = input.length > 0 && input[0] == 0 ? SourceGenerator.generate(Choices.of(input, 1)) : new String(input, StandardCharsets.UTF_8);
        Watchdog.run("checking\n" + text, () -> check(text));
    }

    static void check(String text) {
        Compiler.Checked checked = Compiler.check("fuzz.nnet", text, Path.of("src/test/resources/nnet/fuzz"));
        long lines = text.chars().filter(ch -> ch == '\n').count() + 1;
        for (Diagnostic d : checked.diagnostics())
            assertTrue(d.span().line() >= 1 && d.span().line() <= lines && d.span().col() >= 1 && !d.message().isBlank(),
                    () -> "a diagnostic outside the text: " + d.format() + "\nin:\n" + text);
        if (!checked.ok()) return;
        for (Graph g : checked.graphs()) {
            try {
                Compiler.compile(g);
            } catch (CompileError e) {
                // a user error (a network too large for one class), reported at its place
            }
        }
    }
}
