package nnet;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nnet.diag.Diagnostic;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Diagnostics tests written in the language: each {@code .nnet} file under
 * {@code src/test/resources/cases/} carries its expected errors as comments on the lines where
 * they must appear:
 * <pre>
 *   h = dense(x, 2, connect: mask [[1, 0]])   // error: mask is 1 x 2
 *   y = h + z                                 // error[shape.mismatch]@9: '+' needs equal shapes
 * </pre>
 * {@code error: TEXT} checks the message contains TEXT; {@code [code]} checks the stable code;
 * {@code @COL} checks the column; {@code warning} instead of {@code error} expects a warning. A
 * file fails on every missing diagnostic and every unexpected one; a file without markers must
 * check cleanly.
 */
class DiagnosticCasesTest {
    private static final Pattern MARKER = Pattern.compile("//\\s*(error|warning)(?:\\[([a-z.]+)])?(?:@(\\d+))?(?::\\s*(.*?))?\\s*(?=//\\s*(?:error|warning)|$)");
    private static final Pattern MARKER_START = Pattern.compile("//\\s*(error|warning)");

    record Expected(int line, Diagnostic.Severity severity, String code, Integer col, String text) {
        boolean matches(Diagnostic d) {
            return d.span().line() == line && d.severity() == severity && (code == null || code.equals(d.code().key())) && (col == null || col == d.span().col())
                    && (text == null || d.message().contains(text));
        }

        @Override
        public String toString() {
            return "line " + line + " " + severity.word() + (code != null ? " [" + code + "]" : "") + (col != null ? " @" + col : "") + (text != null ? ": " + text : "");
        }
    }

    static List<Path> cases() throws IOException {
        try (Stream<Path> s = Files.walk(TestNetworks.root().resolve("src/compiler/src/test/resources/cases"))) {
            return s.filter(p -> p.toString().endsWith(".nnet")).sorted().toList();
        }
    }

    static List<Diagnostic> diagnose(Path file) throws IOException {
        return Compiler.check(file).diagnostics();
    }

    static List<Expected> expectations(Path file) throws IOException {
        List<Expected> out = new ArrayList<>();
        // decoded leniently: a case may hold bytes that are not UTF-8 on purpose
        List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher start = MARKER_START.matcher(lines.get(i));
            if (!start.find()) continue;
            Matcher m = MARKER.matcher(lines.get(i).substring(start.start()));
            while (m.find())
                out.add(new Expected(i + 1, Diagnostic.Severity.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT)), m.group(2),
                        m.group(3) == null ? null : Integer.valueOf(m.group(3)), m.group(4) == null || m.group(4).isBlank() ? null : m.group(4).trim()));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyCase() throws IOException {
        Path root = TestNetworks.root().resolve("src/compiler/src/test/resources/cases");
        return cases().stream().map(file -> DynamicTest.dynamicTest(root.relativize(file).toString(), () -> {
            List<Diagnostic> actual = new ArrayList<>(diagnose(file));
            List<String> problems = new ArrayList<>();
            for (Expected e : expectations(file)) {
                Diagnostic hit = actual.stream().filter(e::matches).findFirst().orElse(null);
                if (hit == null) problems.add("missing: " + e);
                else actual.remove(hit);
            }
            for (Diagnostic d : actual) problems.add("unexpected: " + d.format() + " [" + d.code().key() + "]");
            if (!problems.isEmpty()) fail(file + ":\n  " + String.join("\n  ", problems));
        }));
    }
}
