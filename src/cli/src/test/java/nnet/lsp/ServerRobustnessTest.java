package nnet.lsp;

import static nnet.lsp.LspConnection.at;
import static nnet.lsp.LspConnection.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad input gets an answer or a line in the log, never a dead server; shutdown and exit end it as the protocol says. */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hung server fails its test instead of stalling the build
class ServerRobustnessTest {
    private static final String URI = "file:///work/gate.nnet";

    /** The server still answers: a hover on the open gate file shows h's shape. */
    private static void assertAlive(LspConnection lsp) {
        var hover = lsp.server.getTextDocumentService().hover(new HoverParams(doc(URI), at(4, 20))).orTimeout(20, TimeUnit.SECONDS).join();
        assertTrue(hover.getContents().getRight().getValue().contains("h: [4]"), hover.toString());
    }

    @Test
    void malformedMessagesAreSkipped() {
        try (LspConnection lsp = LspConnection.initialized()) {
            lsp.open(URI, Sources.WRONG_GATE);
            lsp.awaitDiagnostics(URI, 1);
            lsp.sendFramed("{this is not json");
            lsp.sendFramed("[1, 2, 3]");
            lsp.sendFramed("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didOpen\", \"params\": 42}");
            lsp.sendRaw("Content-Type: text/plain\r\n\r\n"); // a header block without Content-Length
            lsp.sendFramed("{\"jsonrpc\": \"2.0\", \"method\": \"no/such/notification\", \"params\": {}}");
            assertAlive(lsp);
        }
    }

    @Test
    void unknownMethodsAndBadParamsGetErrorsWithoutStackTraces() {
        try (LspConnection lsp = LspConnection.initialized()) {
            lsp.open(URI, Sources.WRONG_GATE);
            ResponseError unknown = error(() -> lsp.client.getRemoteEndpoint().request("no/such/method", null).join());
            assertEquals(ResponseErrorCode.MethodNotFound.getValue(), unknown.getCode());
            // lsp4j's typed client refuses to send a hover without a position, so this one goes untyped
            ResponseError noPosition = error(() -> lsp.client.getRemoteEndpoint().request("textDocument/hover", Map.of("textDocument", Map.of("uri", URI))).join());
            assertEquals(ResponseErrorCode.InvalidParams.getValue(), noPosition.getCode());
            assertNull(noPosition.getData(), "no stack trace for the client");
            assertAlive(lsp);
        }
    }

    @Test
    void aHugeFileIsRefusedWithADiagnostic() {
        try (LspConnection lsp = LspConnection.initialized()) {
            String huge = Sources.WRONG_GATE + ("// " + "x".repeat(97) + "\n").repeat(OpenDocuments.MAX_CHARS / 100 + 1);
            lsp.open("file:///work/huge.nnet", huge);
            List<Diagnostic> ds = lsp.awaitDiagnostics("file:///work/huge.nnet", 1).getDiagnostics();
            assertEquals(1, ds.size());
            assertEquals("server.unanalysed", ds.get(0).getCode().getLeft());
            assertTrue(ds.get(0).getMessage().getLeft().contains("at most " + OpenDocuments.MAX_CHARS), ds.toString());
            lsp.open(URI, Sources.WRONG_GATE);
            assertAlive(lsp);
        }
    }

    @Test
    void deepNestingIsReportedNotFatal() {
        try (LspConnection lsp = LspConnection.initialized()) {
            String deep = "network D {\n  input x[1]\n  y = " + "(".repeat(100_000) + "x" + ")".repeat(100_000) + "\n  output y\n}\n";
            lsp.open("file:///work/deep.nnet", deep);
            List<Diagnostic> ds = lsp.awaitDiagnostics("file:///work/deep.nnet", 1).getDiagnostics();
            assertEquals(1, ds.size(), ds.toString());
            assertEquals("syntax.depth", ds.get(0).getCode().getLeft(), "the place where it is too deep, as nnetc check says");
            assertEquals(2, ds.get(0).getRange().getStart().getLine());
            lsp.server.getTextDocumentService().documentSymbol(new DocumentSymbolParams(doc("file:///work/deep.nnet"))).join();
            lsp.open(URI, Sources.WRONG_GATE);
            assertAlive(lsp);
        }
    }

    @Test
    void blocksThatDoubleAtEachLevelAreCutNotExpanded() {
        try (LspConnection lsp = LspConnection.initialized()) {
            StringBuilder text = new StringBuilder("block b0(x) {\n  return relu(x)\n}\n");
            for (int i = 1; i <= 26; i++) text.append("block b").append(i).append("(x) {\n  return b").append(i - 1).append("(b").append(i - 1).append("(x))\n}\n");
            text.append("network N {\n  input x[2]\n  y = b26(x)\n  output y\n}\n");
            lsp.open("file:///work/doubling.nnet", text.toString());
            List<Diagnostic> ds = lsp.awaitDiagnostics("file:///work/doubling.nnet", 1).getDiagnostics();
            assertEquals(List.of("block.expansion"), ds.stream().map(d -> d.getCode().getLeft()).toList(), ds.toString());
            lsp.open(URI, Sources.WRONG_GATE);
            assertAlive(lsp);
        }
    }

    @Test
    void shutdownThenExitEndsWithZero() {
        LspConnection lsp = LspConnection.initialized();
        lsp.open(URI, Sources.WRONG_GATE);
        assertNull(lsp.server.shutdown().join());
        ResponseError late = error(() -> lsp.server.getTextDocumentService().hover(new HoverParams(doc(URI), at(4, 20))).join());
        assertEquals(ResponseErrorCode.InvalidRequest.getValue(), late.getCode(), "after shutdown only exit is allowed");
        lsp.server.exit();
        assertEquals(0, lsp.awaitServerExit());
    }

    @Test
    void exitWithoutShutdownEndsWithOne() {
        LspConnection lsp = LspConnection.initialized();
        lsp.server.exit();
        assertEquals(1, lsp.awaitServerExit());
    }

    private static ResponseError error(Runnable request) {
        try {
            request.run();
        } catch (CompletionException e) {
            return assertInstanceOf(ResponseErrorException.class, e.getCause()).getResponseError();
        }
        throw new AssertionError("the request succeeded");
    }
}
