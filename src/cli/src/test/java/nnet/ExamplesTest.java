package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import nnet.ir.Graph;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example checks, compiles, verifies and agrees with the interpreter; {@code nnetc run} on
 * it prints exactly its golden {@code <name>.out} beside it ({@code -Dnnet.update=true} rewrites them).
 */
class ExamplesTest {
    static List<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(TestNetworks.root().resolve("examples"))) {
            return s.filter(p -> p.toString().endsWith(".nnet")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExample() throws IOException {
        return examples().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Compiler.Checked c = Compiler.check(p);
            assertTrue(c.ok(), () -> p + ": " + c.diagnostics());
            for (Graph g : c.graphs()) {
                TestNetworks.assertMatchesInterpreter(g, 3);
                golden(p);
            }
        }));
    }

    private static void golden(Path example) throws IOException {
        Path rel = TestNetworks.root().relativize(example);
        CliRunner r = CliRunner.run("run", TestNetworks.root().resolve(rel).toString());
        assertEquals(0, r.exit(), r.err());
        String actual = r.out().replace(TestNetworks.root().resolve(rel).toString(), rel.toString());
        Path golden = example.resolveSibling(example.getFileName().toString().replace(".nnet", ".out"));
        if (Boolean.getBoolean("nnet.update")) Files.writeString(golden, actual);
        if (!Files.exists(golden)) fail("no golden output " + golden + " (run the tests with -Dnnet.update=true to write it)");
        assertEquals(Files.readString(golden), actual, "nnetc run " + rel);
    }

    @Test
    void xorPrintsItsTruthTableAndHiddenLayer() {
        CliRunner r = CliRunner.run("run", TestNetworks.root().resolve("examples/xor.nnet").toString());
        assertEquals(0, r.exit(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.matches("\\s+[01] [01]\\s+\\|.*")).toList();
        assertEquals(4, rows.size(), r.out());
        // x | h | y: the hidden layer relu(x1 + x2 + [0, -1]), the output h1 - 2 h2
        assertEquals(List.of("0 0|0 0|0", "0 1|1 0|1", "1 0|1 0|1", "1 1|2 1|0"),
                rows.stream().map(l -> l.replaceAll("\\s*\\|\\s*", "|").trim()).toList());
    }
}
