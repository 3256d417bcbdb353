package nnet.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import nnet.ast.Ast;
import nnet.diag.Diagnostics;
import nnet.format.Formatter;
import nnet.format.FormatterTest;
import nnet.parse.Parser;

/**
 * The formatter on any text, as {@link FrontEndFuzzTest} makes it (mutated bytes, or grammar-shaped
 * text from {@link SourceGenerator} for an input that starts with a NUL byte): what parses keeps its
 * tree and formats to itself the second time; what does not parse is refused.
 */
class FormatterFuzzTest {
    @FuzzTest(maxDuration = "2s")
    void anySource(byte[] input) throws Exception {
        String text = input.length > 0 && input[0] == 0 ? SourceGenerator.generate(Choices.of(input, 1)) : new String(input, StandardCharsets.UTF_8);
        Watchdog.run("formatting\n" + text, () -> {
            Diagnostics diags = new Diagnostics();
            Ast.SourceFile before = Parser.parse("fuzz.nnet", text, diags);
            Formatter.Result once = Formatter.format("fuzz.nnet", text);
            assertEquals(!diags.hasErrors(), once.ok(), () -> "formatted a file with syntax errors, or refused one without:\n" + text);
            if (!once.ok()) return;
            assertEquals(FormatterTest.tree(before), FormatterTest.tree(Parser.parse("fuzz.nnet", once.text(), new Diagnostics())), () -> "the tree changed:\n" + text);
            assertEquals(once.text(), Formatter.format("fuzz.nnet", once.text()).text(), () -> "not idempotent:\n" + text);
        });
    }
}
