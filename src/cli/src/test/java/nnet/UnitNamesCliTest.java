package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nnet.interchange.onnx.OnnxExport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names of units on every command that shows units (LANGUAGE.md §4, Names): a network on GenNet's
 * own topology table, its SNPs and genes named by the table and its classes by {@code names:},
 * shown by {@code predict} (from the source, from the jar through nnetc and through
 * {@code java -jar}), {@code evaluate}, {@code graph} and in an ONNX model's metadata read back by
 * ONNX Runtime.
 */
class UnitNamesCliTest {
    private static final String GENES = "HERC2,BRCA2,ApoE,NRG,RGS-4,VEGFA,EGFR,TGFBI,TNF,IL6";
    @TempDir Path tmp;
    private Path source, weights, x;

    @BeforeEach
    void network() throws IOException {
        Files.copy(TestNetworks.root().resolve("src/compiler/src/test/resources/tables/gennet_classification_topology.csv"), tmp.resolve("topology.csv"));
        source = write("gennet.nnet", """
                network GenNet {
                  input snps[100] names "topology.csv" (layer0_node -> layer0_name)
                  genes = dense(snps, connect: edges "topology.csv" (layer0_name -> layer1_name), act: tanh)
                  y = dense(genes, 3, names: ["control", "case, mild", "case \\"severe\\""])
                  output y
                  loss cross_entropy
                }
                """);
        weights = tmp.resolve("w.safetensors");
        CliRunner init = CliRunner.run("init", source.toString(), "-o", weights.toString());
        assertEquals(0, init.exit(), init.err());
        StringBuilder rows = new StringBuilder();
        for (int r = 0; r < 6; r++) {
            for (int i = 0; i < 100; i++) rows.append(i == 0 ? "" : ",").append((r * 7 + i * 3) % 3);
            rows.append('\n');
        }
        x = write("x.csv", rows.toString());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    private static String header(String csv) {
        return csv.lines().findFirst().orElseThrow();
    }

    /** {@code genes[HERC2],genes[BRCA2],...}: a node's columns by its units' names. */
    private static String columns(String node, String names) {
        return String.join(",", List.of(names.split(",")).stream().map(n -> node + "[" + n + "]").toList());
    }

    @Test
    void predictNamesItsColumnsFromTheSourceAndFromTheJar() throws Exception {
        CliRunner out = CliRunner.run("predict", source.toString(), "--weights", weights.toString(), "--input", x.toString());
        assertEquals(0, out.exit(), out.err());
        assertEquals("y[control],\"y[case, mild]\",\"y[case \"\"severe\"\"]\"", header(out.out()), "cells with a comma or a quote quoted as RFC 4180 says");
        CliRunner probe = CliRunner.run("predict", source.toString(), "--weights", weights.toString(), "--input", x.toString(), "--probe", "genes", "--probe", "snps");
        assertEquals(0, probe.exit(), probe.err());
        assertTrue(header(probe.out()).startsWith(columns("genes", GENES) + ",snps[SNP0],snps[SNP1],"), header(probe.out()));
        assertTrue(header(probe.out()).endsWith(",snps[SNP99]"), header(probe.out()));
        CliRunner classes = CliRunner.run("predict", source.toString(), "--weights", weights.toString(), "--input", x.toString(), "--output", "classes");
        assertEquals("y", header(classes.out()), "one class column keeps the node's name");

        Path jar = tmp.resolve("gennet.jar");
        CliRunner compile = CliRunner.run("compile", source.toString(), "--weights", weights.toString(), "-o", jar.toString());
        assertEquals(0, compile.exit(), compile.err());
        CliRunner viaNnetc = CliRunner.run("predict", jar.toString(), "--input", x.toString(), "--probe", "genes", "--probe", "snps");
        assertEquals(probe.out(), viaNnetc.out(), "the jar carries the names: the same header and rows");
        String javaJar = javaJar(jar, "predict", "--input", x.toString(), "--probe", "genes");
        assertEquals(columns("genes", GENES), header(javaJar), "java -jar NET.jar predict shows them too");
        assertEquals(probe.out().lines().skip(1).map(l -> String.join(",", List.of(l.split(",")).subList(0, 10))).toList(),
                javaJar.lines().skip(1).toList(), "and the same values");
    }

    private static String javaJar(Path jar, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void runNamesTheUnitsOverTheirValues() throws IOException {
        Path small = write("small.nnet", """
                network Small {
                  input x[2] names ["age", "dose"]
                  h = dense(x, 3, relu, names: ["p", "q", "r"])
                  y = dense(h, 1)
                  output y
                }
                """);
        CliRunner r = CliRunner.run("run", small.toString());
        assertEquals(0, r.exit(), r.err());
        String header = r.out().lines().skip(2).findFirst().orElseThrow().strip();
        assertTrue(header.startsWith("x[2]: age dose") && header.contains("| h[3]: p q r") && header.contains("| y[1] (output)") && !header.contains("y[1] (output):"), r.out());
    }

    @Test
    void evaluateLabelsTheConfusionMatrixWithTheClasses() throws IOException {
        Path y = write("y.csv", "0\n1\n2\n0\n1\n2\n");
        CliRunner text = CliRunner.run("evaluate", source.toString(), "--weights", weights.toString(), "--input", x.toString(), "--target", y.toString());
        assertEquals(0, text.exit(), text.err());
        List<String> lines = text.out().lines().toList();
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("confusion")).findFirst().orElseThrow());
        assertEquals(List.of("control", "case, mild", "case \"severe\""), List.of(lines.get(at + 1).strip().split("\\s{2,}")), text.out());
        assertTrue(lines.get(at + 2).strip().startsWith("control "), text.out());
        assertTrue(lines.get(at + 3).strip().startsWith("case, mild "), text.out());
        CliRunner json = CliRunner.run("evaluate", source.toString(), "--weights", weights.toString(), "--input", x.toString(), "--target", y.toString(), "--json");
        assertTrue(json.out().contains("\"classes\": [\"control\", \"case, mild\", \"case \\\"severe\\\"\"]"), json.out());
    }

    @Test
    void graphHasTheNamesAsTooltipsAndListsThemInSmallBoxes() throws IOException {
        Path dot = tmp.resolve("g.dot");
        CliRunner r = CliRunner.run("graph", source.toString(), "-o", dot.toString());
        assertEquals(0, r.exit(), r.err());
        String text = Files.readString(dot);
        assertTrue(text.contains("tooltip=\"10 units: " + GENES.replace(",", ", ") + "\""), text);
        assertTrue(text.contains("tooltip=\"100 units: SNP0, SNP1, SNP2,"), text);
        assertTrue(text.contains("\\ncontrol, case, mild, case \\\"severe\\\"\""), "three classes are listed in their box:\n" + text);
        assertTrue(!text.contains("\\nHERC2, BRCA2"), "ten genes are too many for the box: the tooltip has them");
    }

    @Test
    void onnxMetadataNamesTheUnitsOfInputsAndOutputs() throws IOException, OrtException {
        Path model = tmp.resolve("gennet.onnx");
        CliRunner r = CliRunner.run("export", source.toString(), "--weights", weights.toString(), "--probe", "genes", "-o", model.toString());
        assertEquals(0, r.exit(), r.err());
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(model.toString(), new OrtSession.SessionOptions())) {
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals(List.of(GENES.split(",")), List.of(meta.get(OnnxExport.UNIT_NAMES + "genes").split("\n")));
            assertEquals("control\ncase, mild\ncase \"severe\"", meta.get(OnnxExport.UNIT_NAMES + "y"));
            assertEquals(100, meta.get(OnnxExport.UNIT_NAMES + "snps").split("\n").length);
            assertEquals("SNP0", meta.get(OnnxExport.UNIT_NAMES + "snps").split("\n")[0]);
        }
    }
}
