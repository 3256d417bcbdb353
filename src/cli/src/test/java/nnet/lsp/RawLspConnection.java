package nnet.lsp;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A language server in this JVM spoken to in bytes, with no client library in between: for
 * messages no well-behaved client would send (odd headers, nesting no serializer writes, nulls the
 * typed API refuses). Every message the server sends is parsed and queued.
 */
final class RawLspConnection implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final ServerPipes pipes;
    private final CompletableFuture<Integer> serverExit;
    private final LinkedBlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    private final List<JsonObject> history = java.util.Collections.synchronizedList(new ArrayList<>());

    RawLspConnection() {
        ServerPipes pipes = ServerPipes.start(Duration.ofMillis(20));
        this.pipes = pipes;
        serverExit = pipes.exit();
        Thread reader = new Thread(() -> readAll(pipes.fromServer()), "raw-lsp-reader");
        reader.setDaemon(true);
        reader.start();
        send("{\"jsonrpc\": \"2.0\", \"id\": 0, \"method\": \"initialize\", \"params\": {\"capabilities\": {}}}");
        response(0);
        send("{\"jsonrpc\": \"2.0\", \"method\": \"initialized\", \"params\": {}}");
    }

    /** {@code content} framed with a correct Content-Length. */
    void send(String content) {
        sendRaw("Content-Length: " + content.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + content);
    }

    void sendRaw(String bytes) {
        pipes.write(bytes);
    }

    void request(int id, String method, String params) {
        send("{\"jsonrpc\": \"2.0\", \"id\": " + id + ", \"method\": \"" + method + "\"" + (params == null ? "" : ", \"params\": " + params) + "}");
    }

    void open(String uri, String text) {
        send("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didOpen\", \"params\": {\"textDocument\": {\"uri\": \"" + uri
                + "\", \"languageId\": \"nnet\", \"version\": 1, \"text\": " + new com.google.gson.JsonPrimitive(text) + "}}}");
    }

    /** The response to request {@code id}, skipping notifications and other responses. */
    JsonObject response(int id) {
        return next(m -> isResponseTo(m, id), "a response to request " + id);
    }

    static boolean isResponseTo(JsonObject m, int id) {
        return !m.has("method") && m.has("id") && m.get("id").isJsonPrimitive() && m.get("id").getAsJsonPrimitive().isNumber() && m.get("id").getAsInt() == id;
    }

    /** Every message the server has sent so far. */
    List<JsonObject> received() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** The next diagnostics published for {@code uri}. */
    JsonObject diagnostics(String uri) {
        return next(m -> m.has("method") && m.get("method").getAsString().equals("textDocument/publishDiagnostics")
                && m.getAsJsonObject("params").get("uri").getAsString().equals(uri), "diagnostics for " + uri);
    }

    private JsonObject next(java.util.function.Predicate<JsonObject> wanted, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                JsonObject m = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (m != null && wanted.test(m)) return m;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no " + what + " within " + TIMEOUT);
    }

    private void readAll(InputStream in) {
        try {
            while (true) {
                int length = -1;
                for (String line; !(line = headerLine(in)).isEmpty(); )
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
                byte[] body = in.readNBytes(length);
                JsonObject m = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
                history.add(m);
                received.add(m);
            }
        } catch (IOException | RuntimeException e) {
            // the server closed the connection
        }
    }

    private static String headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("end of stream");
            if (c != '\r') line.write(c);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            send("{\"jsonrpc\": \"2.0\", \"method\": \"exit\"}");
            serverExit.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        } finally {
            pipes.close();
        }
    }
}
