package nnet.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages from the edge of the protocol, as a fuzzer sends them: each gets an answer (a result or
 * "invalid params") or is dropped alone, and the server keeps serving the next request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a server that stops answering fails here instead of stalling the build
class ProtocolEdgesTest {
    private static final String URI = "file:///work/gate.nnet";
    private final RawLspConnection lsp = new RawLspConnection();
    private int nextId = 100;

    @AfterEach
    void close() {
        lsp.close();
    }

    /** A hover on h in the open gate file still shows its shape. */
    private void assertServing() {
        int id = nextId++;
        lsp.request(id, "textDocument/hover", hoverAt(URI, 4, 20));
        JsonObject r = lsp.response(id);
        assertTrue(r.getAsJsonObject("result").toString().contains("h: [4]"), r.toString());
    }

    private static String hoverAt(String uri, long line, long character) {
        return "{\"textDocument\": {\"uri\": \"" + uri + "\"}, \"position\": {\"line\": " + line + ", \"character\": " + character + "}}";
    }

    private static void assertInvalidParams(JsonObject response) {
        assertTrue(response.has("error"), response.toString());
        assertEquals(ResponseErrorCode.InvalidParams.getValue(), response.getAsJsonObject("error").get("code").getAsInt(), response.toString());
        assertFalse(response.toString().contains("\\tat "), "no stack trace for the client: " + response);
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        String open = "{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didOpen\", \"params\": {\"textDocument\": {\"uri\": \"" + URI
                + "\", \"languageId\": \"nnet\", \"version\": 1, \"text\": " + new com.google.gson.JsonPrimitive(Sources.WRONG_GATE) + "}}}";
        lsp.sendRaw("content-length: " + open.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\ncontent-type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + open);
        assertEquals(1, lsp.diagnostics(URI).getAsJsonObject("params").getAsJsonArray("diagnostics").size());
        assertServing();
    }

    @Test
    void theFramingRecoversAfterAMessageWithoutContentLength() {
        lsp.open(URI, Sources.WRONG_GATE);
        lsp.sendRaw("{\"jsonrpc\": \"2.0\", \"method\": \"initialized\", \"params\": {}}"); // no header: read as header text
        assertServing();
    }

    @Test
    void paramsNestedThousandsDeepAreRefusedAsInvalid() {
        lsp.open(URI, Sources.WRONG_GATE);
        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        lsp.request(7, "textDocument/hover", "{\"textDocument\": {\"uri\": \"" + URI + "\"}, \"position\": " + deep + "}");
        assertInvalidParams(lsp.response(7));
        lsp.send("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didChange\", \"params\": " + deep + "}"); // a notification: dropped
        assertServing();
    }

    @Test
    void aDidOpenWithNullTextIsRefusedAndTheDocumentStaysUsable() {
        lsp.send("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didOpen\", \"params\": {\"textDocument\": {\"uri\": \"" + URI
                + "\", \"languageId\": \"nnet\", \"version\": 1, \"text\": null}}}");
        lsp.request(8, "textDocument/hover", hoverAt(URI, 0, 0));
        JsonObject r = lsp.response(8);
        assertFalse(r.has("error"), "a document that was never opened has no hover, but no error either: " + r);
        lsp.open(URI, Sources.WRONG_GATE);
        assertServing();
    }

    @Test
    void positionsPastTheTextAreClamped() {
        lsp.open(URI, Sources.WRONG_GATE);
        long max = Integer.MAX_VALUE;
        lsp.request(9, "textDocument/hover", hoverAt(URI, 4, max));
        lsp.request(10, "textDocument/completion", hoverAt(URI, max, max));
        lsp.request(11, "textDocument/definition", hoverAt(URI, 0, max));
        lsp.request(12, "textDocument/references", "{\"textDocument\": {\"uri\": \"" + URI + "\"}, \"position\": {\"line\": " + max
                + ", \"character\": 0}, \"context\": {\"includeDeclaration\": true}}");
        for (int id = 9; id <= 12; id++) assertFalse(lsp.response(id).has("error"), "request " + id);
        assertServing();
    }

    @Test
    void requestsWithoutParamsGetInvalidParams() {
        lsp.open(URI, Sources.WRONG_GATE);
        String[] methods = {"textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references", "textDocument/documentSymbol"};
        for (int k = 0; k < methods.length; k++) {
            lsp.request(20 + k, methods[k], "null");
            assertInvalidParams(lsp.response(20 + k));
            lsp.request(30 + k, methods[k], null);
            assertInvalidParams(lsp.response(30 + k));
        }
        lsp.send("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didChange\", \"params\": null}");
        lsp.send("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didClose\"}");
        assertServing();
    }

    @Test
    void completionAfterAMillionDigitNumberAnswers() {
        // a quadratic scan of the text before the cursor would take hours here; the class timeout catches it
        String text = "network N {\n  const BIG = " + "9".repeat(1_000_000) + "\n  input x[2]\n  h = dense(x, 2, \n}\n";
        lsp.open("file:///work/big.nnet", text);
        lsp.request(40, "textDocument/completion", hoverAt("file:///work/big.nnet", 3, 18));
        JsonObject r = lsp.response(40);
        assertTrue(r.getAsJsonArray("result").toString().contains("\"connect:\""), "dense's named arguments are offered: " + r);
        lsp.open(URI, Sources.WRONG_GATE);
        assertServing();
    }
}
