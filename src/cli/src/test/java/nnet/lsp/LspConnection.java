package nnet.lsp;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.lsp4j.ApplyWorkspaceEditParams;
import org.eclipse.lsp4j.ApplyWorkspaceEditResponse;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * A language server in this JVM and an lsp4j client talking to it over in-memory pipes
 * ({@link ServerPipes}), as an editor would over stdio.
 */
final class LspConnection implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final ServerPipes pipes;
    private final CompletableFuture<Integer> serverExit;
    private final LinkedBlockingQueue<PublishDiagnosticsParams> diagnostics = new LinkedBlockingQueue<>();
    /** The edits the server asked the editor to apply ({@code workspace/applyEdit}); each is answered as applied. */
    final LinkedBlockingQueue<WorkspaceEdit> appliedEdits = new LinkedBlockingQueue<>();
    final LanguageServer server;
    final Launcher<LanguageServer> client;

    LspConnection() {
        ServerPipes pipes = ServerPipes.start(Duration.ofMillis(50));
        this.pipes = pipes;
        serverExit = pipes.exit();
        client = LSPLauncher.createClientLauncher(new RecordingClient(), pipes.fromServer(), pipes.toServer());
        client.startListening();
        server = client.getRemoteProxy();
    }

    static LspConnection initialized() {
        LspConnection c = new LspConnection();
        InitializeParams p = new InitializeParams();
        p.setCapabilities(new ClientCapabilities());
        c.server.initialize(p).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        c.server.initialized(new InitializedParams());
        return c;
    }

    void open(String uri, String text) {
        server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "nnet", 1, text)));
    }

    void change(String uri, int version, String text) {
        server.getTextDocumentService().didChange(new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(uri, version),
                List.of(new TextDocumentContentChangeEvent(text))));
    }

    /** Bytes straight into the server's input, past the client: for malformed messages. */
    void sendRaw(String bytes) {
        pipes.write(bytes);
    }

    /** A message framed as the protocol does, with whatever content. */
    void sendFramed(String content) {
        byte[] body = content.getBytes(StandardCharsets.UTF_8);
        sendRaw("Content-Length: " + body.length + "\r\n\r\n" + content);
    }

    /** Waits for the diagnostics of {@code uri} that satisfy {@code wanted}, skipping earlier publications. */
    PublishDiagnosticsParams awaitDiagnostics(String uri, Predicate<PublishDiagnosticsParams> wanted) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                PublishDiagnosticsParams p = diagnostics.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (p != null && p.getUri().equals(uri) && wanted.test(p)) return p;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return fail("no diagnostics for " + uri + " as wanted within " + TIMEOUT);
    }

    PublishDiagnosticsParams awaitDiagnostics(String uri, int version) {
        return awaitDiagnostics(uri, p -> p.getVersion() != null && p.getVersion() == version);
    }

    /** The exit code {@code serve} returned. */
    int awaitServerExit() {
        return serverExit.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    static TextDocumentIdentifier doc(String uri) {
        return new TextDocumentIdentifier(uri);
    }

    static Position at(int line, int character) {
        return new Position(line, character);
    }

    @Override
    public void close() {
        try {
            if (!serverExit.isDone()) {
                server.exit();
                assertTrue(awaitServerExit() >= 0);
            }
        } finally {
            pipes.close();
        }
    }

    private final class RecordingClient implements LanguageClient {
        @Override
        public void publishDiagnostics(PublishDiagnosticsParams p) {
            diagnostics.add(p);
        }

        @Override
        public void telemetryEvent(Object object) {}

        @Override
        public void showMessage(MessageParams messageParams) {}

        @Override
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams requestParams) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void logMessage(MessageParams message) {}

        @Override
        public CompletableFuture<ApplyWorkspaceEditResponse> applyEdit(ApplyWorkspaceEditParams params) {
            appliedEdits.add(params.getEdit());
            return CompletableFuture.completedFuture(new ApplyWorkspaceEditResponse(true));
        }
    }
}
