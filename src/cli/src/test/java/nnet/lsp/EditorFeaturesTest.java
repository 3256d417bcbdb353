package nnet.lsp;

import static nnet.lsp.LspConnection.at;
import static nnet.lsp.LspConnection.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nnet.CliRunner;
import nnet.TestNetworks;
import nnet.format.Formatter;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.FormattingOptions;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.SemanticTokenTypes;
import org.eclipse.lsp4j.SemanticTokensParams;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.SignatureHelp;
import org.eclipse.lsp4j.SignatureHelpParams;
import org.eclipse.lsp4j.TextEdit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Inlay hints, semantic tokens, signature help and formatting, asked for over the protocol as an editor does. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EditorFeaturesTest {
    private static final String URI = "file:///work/hints.nnet";
    /** Convs, an lstm, a block called three times (twice with one shape, once with another), frozen entries, and an error on line 15. */
    static final String HINTS = """
            block residual(x, n) {
              h = dense(x, n, relu)
              return dense(h, n) + x
            }
            const WIDE = 2 * 32
            network Hints {
              input img[3, 32, 32]
              input seq[12, 8]
              c = conv2d(img, 16, 3, relu, pad: same)
              p = maxpool(c, 2)
              s = lstm(seq, 8, connect: band(1))
              f = dense(flatten(p), WIDE, connect: blocks(4), freeze: blocks(8))
              r1 = residual(f, 64)
              r2 = residual(r1, WIDE)
              bad = dense(nothere, 4)
              r3 = residual(s, 8)
              y = dense(r2, 10) + dense(r3, 10)
              output y
            }
            """;

    private final LspConnection lsp = LspConnection.initialized();
    @TempDir Path dir;

    @AfterEach
    void close() {
        lsp.close();
    }

    @Test
    void hintsShowShapesConnectionsAndArgumentsAndSurviveAnErrorElsewhere() {
        lsp.open(URI, HINTS);
        List<Diagnostic> ds = lsp.awaitDiagnostics(URI, 1).getDiagnostics();
        assertEquals(List.of("name.unknown"), ds.stream().map(d -> d.getCode().getLeft()).toList());
        List<String> hints = hints(new Range(at(0, 0), at(19, 0)));
        List<String> expected = List.of(
                "1:23 : [64] | [8]",                        // h, once per call: r1 and r2 give [64], r3 [8]
                "4:19 = 64",                                // a computed const
                "8:41 : [16, 32, 32]",
                "9:19 : [16, 16, 16]",
                "10:36 : [8]",
                "10:36 344 of 512 conn",                    // band(1) on 8 x 8: 22 of 64 pairs, times 4 gates, and the full recurrent kernel (256)
                "11:68 : [64]",
                "11:68 65,536 of 262,144 conn",             // blocks(4) on 4,096 x 64
                "11:68 frozen 32,768",                      // blocks(8)
                "12:16 x: [64]", "12:19 n:",
                "12:22 : [64]",
                "13:16 x: [64]", "13:20 n:",
                "13:25 : [64]",
                "15:16 x: [8]", "15:19 n:",
                "15:21 : [8]",
                "16:35 : [10]");
        assertEquals(expected, hints);
        assertEquals(List.of("11:68 : [64]", "11:68 65,536 of 262,144 conn", "11:68 frozen 32,768"), hints(new Range(at(11, 0), at(11, 80))), "only the range asked for");
        // a half-typed line (a syntax error) below: the statements above keep their hints
        lsp.change(URI, 2, HINTS.replace("  output y\n", "  z = dense(y, \n  output y\n"));
        assertTrue(lsp.awaitDiagnostics(URI, 2).getDiagnostics().stream().anyMatch(d -> d.getCode().getLeft().startsWith("syntax.")));
        assertEquals(expected.subList(0, 9), hints(new Range(at(0, 0), at(11, 80))));
    }

    @Test
    void semanticTokensSayWhatEachNameIs() {
        String text = """
                const K = 2
                network Xor {
                  input x[K]
                  h = dense(x, 2, relu, weights: fixed [[1, 1], [1, 1]], bias: fixed [0, -1])
                  y = dense(h, 1, connect: band(0) | full)
                  output y
                }
                """;
        lsp.open(URI, text);
        List<String> tokens = tokens(text);
        assertEquals(List.of("K const declaration,readonly", "Xor class declaration", "x node declaration", "K const readonly",
                "h node declaration,readonly", "dense layer defaultLibrary", "x node", "relu activation defaultLibrary", "weights property",
                "fixed enumMember readonly,defaultLibrary", "bias property", "fixed enumMember readonly,defaultLibrary",
                "y node declaration", "dense layer defaultLibrary", "h node readonly", "connect property", "band pattern defaultLibrary",
                "full pattern defaultLibrary", "y node"), tokens);
    }

    @Test
    void theServerAnnouncesEachFeatureAsClientsAskForIt() {
        try (LspConnection fresh = new LspConnection()) {
            InitializeParams p = new InitializeParams();
            p.setCapabilities(new ClientCapabilities());
            ServerCapabilities caps = fresh.server.initialize(p).join().getCapabilities();
            assertTrue(caps.getInlayHintProvider().getLeft());
            assertEquals(List.of(CodeActionKind.QuickFix, CodeActionKind.RefactorExtract), caps.getCodeActionProvider().getRight().getCodeActionKinds());
            assertEquals(List.of(MaskToFile.COMMAND), caps.getExecuteCommandProvider().getCommands());
            assertTrue(caps.getRenameProvider().getRight().getPrepareProvider());
            assertTrue(caps.getDocumentFormattingProvider().getLeft());
            // clients ask for the whole file's tokens (VS Code asks for a range when the server offers one)
            assertTrue(caps.getSemanticTokensProvider().getFull().getLeft());
            assertTrue(!Boolean.TRUE.equals(caps.getSemanticTokensProvider().getRange().getLeft()));
            assertEquals(SemanticTokens.TYPES, caps.getSemanticTokensProvider().getLegend().getTokenTypes());
            assertEquals(List.of("(", ","), caps.getSignatureHelpProvider().getTriggerCharacters());
        }
    }

    @Test
    void theVsCodeExtensionDeclaresTheServersOwnTokenTypes() throws Exception {
        JsonObject pkg = JsonParser.parseString(Files.readString(TestNetworks.root().resolve("editors/vscode/package.json"))).getAsJsonObject();
        Set<String> declared = new HashSet<>();
        pkg.getAsJsonObject("contributes").getAsJsonArray("semanticTokenTypes").forEach(t -> declared.add(t.getAsJsonObject().get("id").getAsString()));
        Set<String> standard = new HashSet<>();
        for (Field f : SemanticTokenTypes.class.getFields()) standard.add((String) f.get(null));
        for (String type : SemanticTokens.TYPES) assertTrue(standard.contains(type) ^ declared.contains(type), type + ": standard, or declared by the extension (once)");
    }

    @Test
    void signatureHelpShowsPositionalThenNamedArgumentsWithTheirValues() {
        String text = "network N {\n  input x[4]\n  y = conv2d(x, 4, 3, pad: \n  z = residual(x, \n}\nblock residual(x, n) {\n  return x\n}\n";
        lsp.open(URI, text);
        SignatureHelp conv = signature(at(2, 27));
        String label = conv.getSignatures().get(0).getLabel();
        assertEquals("conv2d(x, filters, kernel, act?, stride: value, pad: valid | same, connect: pattern, weights: fixed | init, "
                + "bias: true | false | fixed | init | mask, freeze: pattern, init: glorot | he | zeros | normal | uniform, "
                + "regularize: value, activity: value)", label);
        assertEquals(5, conv.getActiveParameter(), "pad");
        assertEquals("pad: valid | same", parameter(conv, 5));
        assertEquals(2, signature(at(2, 20)).getActiveParameter(), "after two commas: the kernel");
        SignatureHelp block = signature(at(3, 17));
        assertEquals("residual(x, n)", block.getSignatures().get(0).getLabel());
        assertEquals(1, block.getActiveParameter());
        assertNull(signature(at(1, 4)), "no call there");
    }

    @Test
    void formattingIsNnetcFmtKeepsCommentsAndIsIdempotent() throws IOException {
        String text = """
                // a comment on top
                network N{input x[4] // the input
                h=dense(x,4,relu)   /* inline */


                y=dense(h,2) ; output y}
                """;
        lsp.open(URI, text);
        String formatted = TextEdits.apply(text, format());
        Path file = Files.writeString(dir.resolve("n.nnet"), text);
        CliRunner fmt = CliRunner.run("fmt", file.toString());
        assertEquals(0, fmt.exit(), fmt.err());
        assertEquals(Files.readString(file), formatted, "the server formats as nnetc fmt does");
        assertEquals(Formatter.format("n.nnet", text).text(), formatted);
        assertTrue(formatted.contains("// a comment on top") && formatted.contains("// the input") && formatted.contains("/* inline */"), formatted);
        lsp.change(URI, 2, formatted);
        assertEquals(List.of(), format(), "a second formatting changes nothing");
        lsp.change(URI, 3, formatted.replace("y = dense(h, 2)", "y = dense(h, 2"));
        var failed = lsp.server.getTextDocumentService().formatting(new DocumentFormattingParams(doc(URI), new FormattingOptions(2, true))).handle((r, e) -> e);
        assertTrue(failed.join().getMessage().contains("syntax errors"), "a file that does not parse is refused");
    }

    @Test
    void formattingSendsOnlyTheLinesThatChange() {
        String text = "network N {\n  input x[4]\n  h = dense(x,4)\n  output h\n}\n";
        lsp.open(URI, text);
        List<? extends TextEdit> edits = format();
        assertEquals(1, edits.size(), edits.toString());
        assertEquals(new Range(at(2, 0), at(3, 0)), edits.get(0).getRange());
        assertEquals("  h = dense(x, 4)\n", edits.get(0).getNewText());
    }

    private List<String> hints(Range range) {
        List<InlayHint> hs = lsp.server.getTextDocumentService().inlayHint(new InlayHintParams(doc(URI), range)).join();
        List<String> out = new ArrayList<>();
        for (InlayHint h : hs) out.add(h.getPosition().getLine() + ":" + h.getPosition().getCharacter() + " " + h.getLabel().getLeft());
        return out;
    }

    /** Each token as "text type modifiers", decoded from the protocol's relative encoding. */
    private List<String> tokens(String text) {
        List<Integer> data = lsp.server.getTextDocumentService().semanticTokensFull(new SemanticTokensParams(doc(URI))).join().getData();
        List<String> lines = text.lines().toList(), out = new ArrayList<>();
        int line = 0, start = 0;
        for (int i = 0; i < data.size(); i += 5) {
            line += data.get(i);
            start = data.get(i) == 0 ? start + data.get(i + 1) : data.get(i + 1);
            String word = lines.get(line).substring(start, start + data.get(i + 2));
            List<String> mods = new ArrayList<>();
            for (int m = 0; m < SemanticTokens.MODIFIERS.size(); m++) if ((data.get(i + 4) & (1 << m)) != 0) mods.add(SemanticTokens.MODIFIERS.get(m));
            out.add((word + " " + SemanticTokens.TYPES.get(data.get(i + 3)) + " " + String.join(",", mods)).trim());
        }
        return out;
    }

    private SignatureHelp signature(Position p) {
        return lsp.server.getTextDocumentService().signatureHelp(new SignatureHelpParams(doc(URI), p)).join();
    }

    private static String parameter(SignatureHelp help, int i) {
        var label = help.getSignatures().get(0).getParameters().get(i).getLabel().getRight();
        return help.getSignatures().get(0).getLabel().substring(label.getFirst(), label.getSecond());
    }

    private List<? extends TextEdit> format() {
        return lsp.server.getTextDocumentService().formatting(new DocumentFormattingParams(doc(URI), new FormattingOptions(2, true))).join();
    }
}
