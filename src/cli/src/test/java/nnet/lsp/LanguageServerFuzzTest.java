package nnet.lsp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import nnet.fuzz.FuzzSources;

/**
 * The language server on any sequence of messages: documents opened, changed and closed with any
 * text, requests at any place, with missing or wrong params, unknown methods, odd framing. Then a
 * hover on a known document must still be answered, and no answer may be an internal error.
 */
class LanguageServerFuzzTest {
    private static final List<String> REQUESTS = List.of("textDocument/hover", "textDocument/completion", "textDocument/definition",
            "textDocument/references", "textDocument/documentSymbol", "no/such/method");
    private static final List<String> URIS = List.of("file:///work/a.nnet", "file:///work/b.nnet", "untitled:1", "file:///work/dir/", "not a uri");

    /**
     * Raw bytes must not declare a length: after "Content-Length: 99999999" the server rightly
     * waits for that many bytes, and no later message could be read.
     */
    private static String withoutFraming(String raw) {
        return raw.replaceAll("(?i)content-length", "content-lengthless");
    }

    /** Content must not end the session ("exit", "shutdown"), which the server would rightly obey. */
    private static String withoutLifeCycle(String content) {
        return content.replace("exit", "exiT").replace("shutdown", "shutdowN");
    }

    @FuzzTest(maxDuration = "2s")
    void messages(FuzzedDataProvider data) {
        List<JsonObject> answers = new ArrayList<>();
        List<Integer> asked = new ArrayList<>();
        try (RawLspConnection lsp = new RawLspConnection()) {
            int count = data.consumeInt(0, 12), id = 1;
            for (int i = 0; i < count; i++) {
                String uri = data.pickValue(URIS);
                switch (data.consumeInt(0, 6)) {
                    case 0 -> lsp.open(uri, FuzzSources.text(data));
                    case 1 -> lsp.send("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didChange\", \"params\": {\"textDocument\": {\"uri\": "
                            + new JsonPrimitive(uri) + ", \"version\": " + data.consumeInt() + "}, \"contentChanges\": [{\"text\": "
                            + new JsonPrimitive(FuzzSources.text(data)) + "}]}}");
                    case 2 -> lsp.send("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didClose\", \"params\": {\"textDocument\": {\"uri\": " + new JsonPrimitive(uri) + "}}}");
                    case 3 -> lsp.sendRaw(withoutFraming(data.consumeString(200)));
                    case 4 -> lsp.send(withoutLifeCycle(data.consumeString(300)));
                    default -> {
                        int shape = data.consumeInt(0, 3);
                        String params = switch (shape) {
                            case 0 -> "null";
                            case 1 -> withoutLifeCycle(data.consumeString(100)); // mostly not JSON: no id to answer
                            default -> "{\"textDocument\": {\"uri\": " + new JsonPrimitive(uri) + "}, \"position\": {\"line\": " + data.consumeInt()
                                    + ", \"character\": " + data.consumeInt() + "}, \"context\": {\"includeDeclaration\": " + data.consumeBoolean() + "}}";
                        };
                        lsp.request(id, data.pickValue(REQUESTS), params);
                        if (shape != 1) asked.add(id);
                        id++;
                    }
                }
            }
            // the framing may be lost in the middle of a half-sent message: one blank message closes whatever is open
            lsp.sendRaw("\r\n\r\n");
            lsp.open("file:///work/known.nnet", Sources.WRONG_GATE);
            lsp.request(10_000, "textDocument/hover", "{\"textDocument\": {\"uri\": \"file:///work/known.nnet\"}, \"position\": {\"line\": 4, \"character\": 20}}");
            JsonObject alive = lsp.response(10_000);
            assertTrue(alive.toString().contains("h: [4]"), "the server stopped serving: " + alive);
            answers.addAll(lsp.received());
        }
        for (int id : asked) assertTrue(answers.stream().anyMatch(a -> RawLspConnection.isResponseTo(a, id)), "request " + id + " got no answer");
        for (JsonObject a : answers) {
            assertFalse(a.has("error") && a.getAsJsonObject("error").get("code").getAsInt() == -32603, "an internal error: " + a);
            assertFalse(a.toString().contains("internal error of the language server"), "an internal error: " + a);
        }
    }
}
