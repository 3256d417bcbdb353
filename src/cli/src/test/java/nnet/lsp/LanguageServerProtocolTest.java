package nnet.lsp;

import static nnet.lsp.LspConnection.at;
import static nnet.lsp.LspConnection.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ReferenceContext;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server as an editor sees it: real protocol messages through lsp4j over in-memory pipes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hung server fails its test instead of stalling the build
class LanguageServerProtocolTest {
    private static final String GATE = "file:///work/gate.nnet";
    private static final String DEEP = "file:///work/deep.nnet";

    private final LspConnection lsp = LspConnection.initialized();

    @AfterEach
    void close() {
        lsp.close();
    }

    @Test
    void diagnosticsOnOpenHaveTheCheckersPlaceAndMessage() {
        lsp.open(GATE, Sources.WRONG_GATE);
        PublishDiagnosticsParams p = lsp.awaitDiagnostics(GATE, 1);
        assertEquals(1, p.getDiagnostics().size(), p.toString());
        Diagnostic d = p.getDiagnostics().get(0);
        assertEquals(new Range(at(4, 23), at(4, 24)), d.getRange());
        assertEquals("gate needs g of h's shape or [1]: h is [4], g is [3]", d.getMessage().getLeft());
        assertEquals("shape.mismatch", d.getCode().getLeft());
        assertEquals("nnet", d.getSource());
    }

    @Test
    void diagnosticsFollowEveryChange() {
        lsp.open(GATE, Sources.WRONG_GATE);
        lsp.awaitDiagnostics(GATE, 1);
        lsp.change(GATE, 2, Sources.WRONG_GATE.replace("dense(x, 3, sigmoid)", "dense(x, 4, sigmoid)"));
        assertEquals(List.of(), lsp.awaitDiagnostics(GATE, 2).getDiagnostics());
        // a burst of keystrokes: what is published last is the last text's diagnostics
        String fixed = Sources.WRONG_GATE.replace("dense(x, 3, sigmoid)", "dense(x, 4, sigmoid)");
        List<String> typed = List.of("output ", "output y", "output yyz", "output yy");
        for (int i = 0; i < typed.size(); i++) lsp.change(GATE, 3 + i, fixed.replace("output y", typed.get(i)));
        List<Diagnostic> last = lsp.awaitDiagnostics(GATE, 6).getDiagnostics();
        assertEquals(1, last.size());
        assertEquals("unknown name 'yy'; did you mean 'y'?", last.get(0).getMessage().getLeft());
        assertEquals(new Range(at(6, 9), at(6, 11)), last.get(0).getRange());
    }

    @Test
    void aHalfTypedFileStillReportsTheErrorsBeforeIt() {
        String halfTyped = """
                network Half {
                  input x[4]
                  h = dense(x, 4, rellu)
                  y = dense(h, 2,
                """;
        lsp.open(GATE, halfTyped);
        List<Diagnostic> ds = lsp.awaitDiagnostics(GATE, 1).getDiagnostics();
        assertTrue(ds.stream().anyMatch(d -> d.getMessage().getLeft().startsWith("expected an activation") && d.getRange().getStart().equals(at(2, 18))), ds.toString());
        assertTrue(ds.stream().anyMatch(d -> d.getCode().getLeft().startsWith("syntax.")), ds.toString());
    }

    @Test
    void hoverShowsShapeWeightsAndDensity() {
        lsp.open(DEEP, Sources.DEEP);
        String masked = hover(DEEP, at(7, 2));
        assertTrue(masked.contains("m: [2]"), masked);
        assertTrue(masked.contains("8 weights (m.kernel 6, m.bias 2); connection density 75.0% (6 of 8 connections)"), masked);
        String inBlock = hover(DEEP, at(1, 2));
        assertTrue(inBlock.contains("r1.h: [4]") && inBlock.contains("r2.h: [4]"), inBlock);
        String useOfConst = hover(DEEP, at(6, 10));
        assertTrue(useOfConst.contains("N = 4"), useOfConst);
        String gateInput = hoverOf(GATE, Sources.WRONG_GATE, at(4, 20));
        assertTrue(gateInput.contains("h: [4]"), gateInput);
        assertNull(lsp.server.getTextDocumentService().hover(new HoverParams(doc(DEEP), at(3, 0))).join(), "nothing to show on a brace");
    }

    /** Units named by a topology table (GenNet's own) and by a names list: hover shows the first names, and how many. */
    @Test
    void hoverShowsTheNamesOfUnits(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.copy(nnet.TestNetworks.root().resolve("src/compiler/src/test/resources/tables/gennet_classification_topology.csv"), dir.resolve("topology.csv"));
        String uri = dir.resolve("named.nnet").toUri().toString();
        lsp.open(uri, """
                network Named {
                  input snps[100] names "topology.csv" (layer0_node -> layer0_name)
                  genes = dense(snps, connect: edges "topology.csv" (layer0_name -> layer1_name), act: tanh)
                  y = dense(genes, 2, names: ["control", "case"])
                  output y
                }
                """);
        String genes = hover(uri, at(2, 3));
        assertTrue(genes.contains("units: HERC2, BRCA2, ApoE, NRG, RGS-4, VEGFA, EGFR, TGFBI, TNF, IL6 (10 names)"), genes);
        String snps = hover(uri, at(1, 9));
        assertTrue(snps.contains("units: SNP0, SNP1, SNP2, SNP3, SNP4, SNP5, SNP6, SNP7, SNP8, SNP9, ... (100 names)"), snps);
        assertTrue(hover(uri, at(3, 2)).contains("units: control, case (2 names)"));
    }

    @Test
    void definitionOfNodesAndBlocks() {
        lsp.open(DEEP, Sources.DEEP);
        assertEquals(List.of(new Range(at(8, 2), at(8, 4))), definition(DEEP, at(9, 16)), "r1 used in r2's statement");
        assertEquals(List.of(new Range(at(0, 6), at(0, 14))), definition(DEEP, at(8, 9)), "the block of a call");
        assertEquals(List.of(new Range(at(0, 15), at(0, 16))), definition(DEEP, at(2, 23)), "a block parameter");
        assertEquals(List.of(), definition(DEEP, at(7, 9)), "dense is built in: no definition in the file");
    }

    @Test
    void referencesOfNodesAndBlockParameters() {
        lsp.open(DEEP, Sources.DEEP);
        assertEquals(List.of(new Range(at(6, 8), at(6, 9)), new Range(at(7, 12), at(7, 13)), new Range(at(8, 16), at(8, 17))),
                references(DEEP, at(6, 8), true), "input x of the network");
        assertEquals(List.of(new Range(at(1, 12), at(1, 13)), new Range(at(2, 23), at(2, 24))),
                references(DEEP, at(0, 15), false), "parameter x of the block, used once per line although the block is called twice");
        assertEquals(List.of(new Range(at(8, 7), at(8, 15)), new Range(at(9, 7), at(9, 15))), references(DEEP, at(0, 8), false));
    }

    @Test
    void documentSymbolsAreTheOutline() {
        lsp.open(DEEP, Sources.DEEP);
        List<DocumentSymbol> outline = lsp.server.getTextDocumentService().documentSymbol(new DocumentSymbolParams(doc(DEEP))).join()
                .stream().map(Either::getRight).toList();
        assertEquals(List.of("residual", "Deep"), outline.stream().map(DocumentSymbol::getName).toList());
        assertEquals(List.of("x", "n", "h"), outline.get(0).getChildren().stream().map(DocumentSymbol::getName).toList());
        DocumentSymbol deep = outline.get(1);
        assertEquals(List.of("N", "x", "m", "r1", "r2", "y"), deep.getChildren().stream().map(DocumentSymbol::getName).toList());
        assertEquals("[4]", deep.getChildren().get(3).getDetail());
        assertEquals(new Range(at(4, 0), at(12, 1)), deep.getRange());
    }

    @Test
    void completionByContext() {
        String typing = Sources.DEEP.replace("  output y\n", "  z = dense(r2, 2, \n  output y\n");
        lsp.open(DEEP, typing);
        List<String> inCall = completion(DEEP, at(11, 19));
        assertTrue(inCall.containsAll(List.of("connect:", "init:", "relu", "dense", "r2", "m", "N", "residual")), inCall.toString());
        assertFalse(inCall.contains("z") || inCall.contains("h"), "z is being defined, h belongs to the block: " + inCall);

        lsp.change(DEEP, 2, typing.replace("dense(r2, 2, \n", "dense(r2, 2, connect: \n"));
        List<String> pattern = completion(DEEP, at(11, 28));
        assertTrue(pattern.containsAll(List.of("band", "mask", "random", "edges")), pattern.toString());
        assertFalse(pattern.contains("relu"), pattern.toString());

        lsp.change(DEEP, 3, typing.replace("  z = dense(r2, 2, \n", "  \n"));
        List<String> statement = completion(DEEP, at(11, 2));
        assertTrue(statement.containsAll(List.of("input", "output", "loss", "const")), statement.toString());

        lsp.change(DEEP, 4, typing.replace("  z = dense(r2, 2, \n", "  loss \n"));
        assertEquals(List.of("mse", "binary_cross_entropy", "cross_entropy"), completion(DEEP, at(11, 7)));
    }

    @Test
    void fileConstsAreSeenEverywhereAndUncalledBlocksAreChecked() {
        String uri = "file:///work/consts.nnet";
        lsp.open(uri, """
                const N = 4
                block unused(x) {
                  return dense(x, N, relu2)
                }
                network Net {
                  input x[N]
                  y = dense(x, N)
                  output y
                }
                """);
        List<Diagnostic> ds = lsp.awaitDiagnostics(uri, 1).getDiagnostics();
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("arg.kind", ds.get(0).getCode().getLeft(), "the block is checked though no network calls it");
        assertEquals(2, ds.get(0).getRange().getStart().getLine());
        String n = hover(uri, at(5, 10));
        assertTrue(n.contains("N = 4") && n.contains("const in the file"), n);
        List<DocumentSymbol> outline = lsp.server.getTextDocumentService().documentSymbol(new DocumentSymbolParams(doc(uri))).join()
                .stream().map(Either::getRight).toList();
        assertEquals(List.of("N", "unused", "Net"), outline.stream().map(DocumentSymbol::getName).toList());
        assertTrue(completion(uri, at(6, 12)).contains("N"), "a file's const is offered in every network");
    }

    /**
     * Each change of a 200-line file is answered from its own analysis. How long one takes is a
     * figure to read (printed), not a bound to assert: on a loaded machine any bound fails.
     */
    @Test
    void aWarmServerAnswersEveryChangeOfA200LineFileFromItsNewText() {
        String text = Sources.longNetwork(200);
        lsp.open(DEEP, text);
        lsp.awaitDiagnostics(DEEP, 1);
        long[] millis = new long[15];
        for (int i = 0; i < millis.length; i++) {
            String renamed = "h199" + "_".repeat(i + 1);
            lsp.change(DEEP, i + 2, text.replace("h199", renamed));
            long start = System.nanoTime();
            // a request after a change is answered from the new text's analysis: this times one analysis
            List<DocumentSymbol> outline = lsp.server.getTextDocumentService().documentSymbol(new DocumentSymbolParams(doc(DEEP))).join()
                    .stream().map(Either::getRight).toList();
            millis[i] = (System.nanoTime() - start) / 1_000_000;
            List<String> names = outline.get(0).getChildren().stream().map(DocumentSymbol::getName).toList();
            assertEquals(201, names.size(), "the input and 200 layers");
            assertEquals(renamed, names.get(names.size() - 1), "the outline of the text after change " + (i + 1));
        }
        long[] sorted = millis.clone();
        java.util.Arrays.sort(sorted);
        System.out.println("lsp: warm analysis of a " + text.lines().count() + "-line file: median " + sorted[sorted.length / 2] + " ms of " + java.util.Arrays.toString(millis));
    }

    private String hover(String uri, Position p) {
        Hover h = lsp.server.getTextDocumentService().hover(new HoverParams(doc(uri), p)).orTimeout(20, TimeUnit.SECONDS).join();
        assertTrue(h != null, "no hover at " + p);
        return h.getContents().getRight().getValue();
    }

    private String hoverOf(String uri, String text, Position p) {
        lsp.open(uri, text);
        return hover(uri, p);
    }

    private List<Range> definition(String uri, Position p) {
        return lsp.server.getTextDocumentService().definition(new DefinitionParams(doc(uri), p)).join().getLeft()
                .stream().map(Location::getRange).toList();
    }

    private List<Range> references(String uri, Position p, boolean withDeclaration) {
        return lsp.server.getTextDocumentService().references(new ReferenceParams(doc(uri), p, new ReferenceContext(withDeclaration))).join()
                .stream().map(Location::getRange).toList();
    }

    private List<String> completion(String uri, Position p) {
        List<CompletionItem> items = lsp.server.getTextDocumentService().completion(new CompletionParams(doc(uri), p)).join().getLeft();
        return items.stream().map(CompletionItem::getLabel).toList();
    }
}
