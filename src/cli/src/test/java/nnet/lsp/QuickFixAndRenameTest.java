package nnet.lsp;

import static nnet.lsp.LspConnection.at;
import static nnet.lsp.LspConnection.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nnet.Compiler;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PrepareRenameParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.RenameParams;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each quick fix applied over the protocol leaves a file that checks; rename across a block, and the names it refuses. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuickFixAndRenameTest {
    private final LspConnection lsp = LspConnection.initialized();
    @TempDir Path dir;

    @AfterEach
    void close() {
        lsp.close();
    }

    @Test
    void didYouMeanForNamesActivationsLayersArgumentsPatternsAndLosses() throws IOException {
        String text = """
                network N {
                  input x[4]
                  h = dense(x, 4, rellu)
                  g = dens(x, 4)
                  k = dense(xx, 4)
                  a = dense(x, 4, conect: band(1))
                  y = dense(x, 2, connect: bands(0))
                  output y
                  loss mse2
                }
                """;
        String fixed = fixAll(text, List.of("arg.kind", "call.unknown", "name.unknown", "arg.unknown", "pattern.unknown", "loss.unknown"));
        assertEquals(text.replace("rellu", "relu").replace("dens(", "dense(").replace("xx", "x").replace("conect", "connect").replace("bands", "band")
                .replace("mse2", "mse"), fixed);
    }

    @Test
    void aTransposedMaskIsTransposed() throws IOException {
        String text = "network N {\n  input x[3]\n  y = dense(x, 2, connect: mask [[1, 0, 1], [0, 1, 1]])\n  output y\n}\n";
        assertEquals(text.replace("[[1, 0, 1], [0, 1, 1]]", "[[1, 0], [0, 1], [1, 1]]"), fixAll(text, List.of("mask.size")));
    }

    @Test
    void aMissingOutputAndAMissingLossAreAdded() throws IOException {
        String text = "network N {\n  input x[4]\n  h = dense(x, 4, relu)\n  y = dense(h, 2)\n}\n";
        assertEquals(text.replace("}\n", "  output y\n}\n"), fixAll(text, List.of("output.missing")));
        String training = "network N {\n  input x[4]\n  y = dense(x, 2)\n  output y\n  train { epochs: 2 }}\n";
        assertEquals(training.replace("}}", "}\n  loss mse\n}"), fixAll(training, List.of("loss.missing")), "after the last statement, on a line of its own");
    }

    @Test
    void aWrongUnitCountIsSetToWhatTheMaskFileHas() throws IOException {
        Files.writeString(dir.resolve("conn.csv"), "1,0,0,1,0,1\n0,1,0,0,1,1\n0,0,1,1,0,0\n1,1,1,0,0,0\n");
        String text = "network N {\n  input x[4]\n  y = dense(x, 5, connect: mask \"conn.csv\")\n  output y\n}\n";
        assertEquals(text.replace("dense(x, 5", "dense(x, 6"), fixAll(text, List.of("mask.size")));
    }

    @Test
    void aLiteralMaskMovesToACsvFileBesideTheSource() throws IOException, InterruptedException {
        String text = "network N {\n  input x[3]\n  c3 = dense(x, 2, connect: mask [[1, 0], [0, 1], [1, 1]])\n  output c3\n}\n";
        String uri = open(text);
        List<CodeAction> offers = actions(uri, new Range(at(2, 30), at(2, 30)));
        assertEquals(List.of("Move this 3 x 2 mask to c3_mask.csv"), offers.stream().map(CodeAction::getTitle).toList());
        assertEquals(CodeActionKind.RefactorExtract, offers.get(0).getKind());
        var command = offers.get(0).getCommand();
        lsp.server.getWorkspaceService().executeCommand(new ExecuteCommandParams(command.getCommand(), command.getArguments())).join();
        WorkspaceEdit edit = lsp.appliedEdits.poll(20, TimeUnit.SECONDS);
        String after = TextEdits.apply(text, edit, uri);
        assertEquals(text.replace("[[1, 0], [0, 1], [1, 1]]", "\"c3_mask.csv\""), after);
        assertEquals("1,0\n0,1\n1,1\n", Files.readString(dir.resolve("c3_mask.csv")));
        assertChecks(after);
        assertEquals(List.of("Move this 3 x 2 mask to c3_mask_2.csv"), actions(uri, new Range(at(2, 30), at(2, 30))).stream().map(CodeAction::getTitle).toList(),
                "an existing file is never overwritten");
    }

    @Test
    void renameAcrossABlockAndItsCalls() {
        String uri = "file:///work/deep.nnet";
        lsp.open(uri, Sources.DEEP);
        lsp.awaitDiagnostics(uri, 1);
        String param = TextEdits.apply(Sources.DEEP, rename(uri, at(2, 18), "units"), uri);
        assertEquals(Sources.DEEP.replace("residual(x, n)", "residual(x, units)").replace("dense(x, n, relu)", "dense(x, units, relu)")
                .replace("dense(h, n)", "dense(h, units)"), param, "a parameter, from one of its uses");
        String block = TextEdits.apply(Sources.DEEP, rename(uri, at(0, 8), "res"), uri);
        assertEquals(Sources.DEEP.replace("residual", "res"), block);
        String node = TextEdits.apply(Sources.DEEP, rename(uri, at(8, 2), "first"), uri);
        assertEquals(Sources.DEEP.replace("r1", "first"), node);
        assertChecks(node);
        assertEquals(new Range(at(9, 16), at(9, 18)), prepare(uri, at(9, 17)), "the use under the cursor");
        assertNull(prepare(uri, at(4, 10)), "a network is not renamed here");
        assertNull(prepare(uri, at(7, 8)), "nor a built-in layer");
        assertRefused(uri, at(8, 2), "r2", "already defined");
        assertRefused(uri, at(8, 2), "N", "already defined");
        assertRefused(uri, at(1, 2), "n", "already defined");
        assertRefused(uri, at(8, 2), "dense", "a word of the language");
        assertRefused(uri, at(8, 2), "2x", "not a name");
        assertEquals(2, rename(uri, at(1, 2), "r2").getChanges().get(uri).size(), "a name in a block may repeat one of a network");
    }

    /** Opens {@code text} as a file in the temporary directory, applies every quick fix for the given codes, and checks the result. */
    private String fixAll(String text, List<String> codes) throws IOException {
        String uri = open(text);
        List<Diagnostic> ds = lsp.awaitDiagnostics(uri, 1).getDiagnostics();
        assertEquals(codes.stream().sorted().toList(), ds.stream().map(d -> d.getCode().getLeft()).sorted().toList(), ds.toString());
        String fixed = text;
        for (Diagnostic d : ds) {
            List<CodeAction> fixes = actions(uri, d.getRange()).stream().filter(a -> CodeActionKind.QuickFix.equals(a.getKind())
                    && a.getDiagnostics().get(0).getRange().equals(d.getRange())).toList();
            assertTrue(!fixes.isEmpty(), "no quick fix for " + d);
            CodeAction first = fixes.stream().filter(a -> Boolean.TRUE.equals(a.getIsPreferred())).findFirst().orElse(fixes.get(0));
            assertEquals(d.getCode(), first.getDiagnostics().get(0).getCode());
            fixed = TextEdits.apply(fixed, first.getEdit(), uri);
        }
        assertChecks(fixed);
        return fixed;
    }

    private String open(String text) throws IOException {
        Path file = dir.resolve("n" + System.nanoTime() + ".nnet");
        Files.writeString(file, text);
        String uri = file.toUri().toString();
        lsp.open(uri, text);
        return uri;
    }

    private List<CodeAction> actions(String uri, Range range) {
        return lsp.server.getTextDocumentService().codeAction(new CodeActionParams(doc(uri), range, new CodeActionContext(List.of()))).join()
                .stream().map(Either::getRight).toList();
    }

    private void assertChecks(String text) {
        Compiler.Checked c = Compiler.check(dir.resolve("fixed.nnet").toString(), text, dir);
        assertEquals(List.of(), c.diagnostics().stream().map(nnet.diag.Diagnostic::format).toList(), text);
    }

    private WorkspaceEdit rename(String uri, Position p, String name) {
        return lsp.server.getTextDocumentService().rename(new RenameParams(doc(uri), p, name)).join();
    }

    private Range prepare(String uri, Position p) {
        var r = lsp.server.getTextDocumentService().prepareRename(new PrepareRenameParams(doc(uri), p)).join();
        return r == null ? null : r.getFirst();
    }

    private void assertRefused(String uri, Position p, String name, String why) {
        Throwable e = lsp.server.getTextDocumentService().rename(new RenameParams(doc(uri), p, name)).handle((r, t) -> t).join();
        assertTrue(e != null && e.getMessage().contains(why), name + ": " + e);
    }
}
