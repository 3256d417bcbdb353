package nnet.lsp;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageProducer;
import org.eclipse.lsp4j.jsonrpc.RemoteEndpoint;
import org.eclipse.lsp4j.jsonrpc.json.ConcurrentMessageProcessor;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;

/** Runs the language server over a pair of streams (stdio for {@code nnetc lsp}, pipes in tests) until the client exits. */
public final class LanguageServerLauncher {
    private static final Logger LOG = Logger.getLogger(LanguageServerLauncher.class.getName());
    /** Long enough to cover a burst of keystrokes, short enough that diagnostics feel immediate. */
    public static final Duration DEBOUNCE = Duration.ofMillis(100);

    private LanguageServerLauncher() {}

    /** Serves until {@code exit} or the end of {@code in}; returns the exit code the protocol asks for. */
    public static int serve(InputStream in, OutputStream out, Duration debounce) {
        NnetLanguageServer server = new NnetLanguageServer(debounce);
        // the session's threads (reading, answering) end with it: lsp4j's default pool would keep them idle for a minute
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "nnet-lsp-session");
            t.setDaemon(true);
            return t;
        });
        Launcher<LanguageClient> launcher = new TolerantBuilder()
                .setExecutorService(threads)
                .setLocalService(server)
                .setRemoteInterface(LanguageClient.class)
                .setInput(in)
                .setOutput(out)
                .setExceptionHandler(LanguageServerLauncher::responseError)
                // params checked against the protocol's @NonNull fields: a didOpen without text is refused, not stored
                .validateMessages(true)
                .create();
        server.connect(launcher.getRemoteProxy());
        Future<Void> listening = launcher.startListening();
        Thread watcher = new Thread(() -> {
            try {
                listening.get();
            } catch (ExecutionException | InterruptedException | CancellationException e) {
                LOG.fine("connection ended: " + e);
            }
            server.inputEnded();
        }, "nnet-lsp-input");
        watcher.setDaemon(true);
        watcher.start();
        int code = server.exitCode().join();
        listening.cancel(true); // nothing is read after exit
        server.close();
        threads.shutdown();
        return code;
    }

    /** lsp4j's launcher with {@link TolerantMessageProducer} as its reader. */
    private static final class TolerantBuilder extends LSPLauncher.Builder<LanguageClient> {
        private MessageJsonHandler jsonHandler;
        private RemoteEndpoint endpoint;

        @Override
        protected MessageJsonHandler createJsonHandler() {
            jsonHandler = super.createJsonHandler();
            return jsonHandler;
        }

        @Override
        protected RemoteEndpoint createRemoteEndpoint(MessageJsonHandler handler) {
            endpoint = super.createRemoteEndpoint(handler);
            return endpoint;
        }

        @Override
        protected ConcurrentMessageProcessor createMessageProcessor(MessageProducer reader, MessageConsumer consumer, LanguageClient remote) {
            return super.createMessageProcessor(new TolerantMessageProducer(input, jsonHandler, endpoint), consumer, remote);
        }
    }

    /**
     * What a failed request answers. lsp4j's default sends the stack trace to the client; the
     * editor's user gets one sentence instead, and the trace goes to the server's log.
     */
    private static ResponseError responseError(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof ResponseErrorException r) return r.getResponseError();
        LOG.log(Level.SEVERE, "internal error answering a request", cause);
        return new ResponseError(ResponseErrorCode.InternalError, "internal error of the nnet language server (" + cause + "); the server log has the details", null);
    }
}
