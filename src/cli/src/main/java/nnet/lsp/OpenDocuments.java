package nnet.lsp;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import nnet.Compiler;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * The documents the editor has open, and their analysis. Every analysis and every query runs on
 * one worker thread, so the thread reading messages is never blocked (a cancel or an exit gets
 * through while a large file is analysed) and indexes need no locks. Diagnostics are published a
 * short delay after the last change, so a burst of keystrokes is analysed once.
 */
final class OpenDocuments implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OpenDocuments.class.getName());
    /** Larger files are not analysed: a server that takes seconds per keystroke is worse than none. */
    static final int MAX_CHARS = 2_000_000;

    private record Text(String text, int version) {}

    private final Map<String, Text> open = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> pendingPublish = new ConcurrentHashMap<>();
    /** Touched on the worker thread only. */
    private final Map<String, DocumentIndex> indexes = new HashMap<>();
    private final ScheduledThreadPoolExecutor worker = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "nnet-lsp-analysis");
        t.setDaemon(true);
        return t;
    });
    private final Duration debounce;
    private final Consumer<PublishDiagnosticsParams> publish;

    OpenDocuments(Duration debounce, Consumer<PublishDiagnosticsParams> publish) {
        this.debounce = debounce;
        this.publish = publish;
        worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // debounced diagnostics are dropped at shutdown
    }

    /** A newly opened file is analysed at once: the user is looking at it and nothing else is typed yet. */
    void open(String uri, String text, int version) {
        open.put(uri, new Text(text, version));
        publishAfter(uri, Duration.ZERO);
    }

    void change(String uri, String text, int version) {
        open.put(uri, new Text(text, version));
        publishAfter(uri, debounce);
    }

    /** Forgets the file and clears its diagnostics, as the protocol asks of a server that only knows open files. */
    void close(String uri) {
        open.remove(uri);
        ScheduledFuture<?> pending = pendingPublish.remove(uri);
        if (pending != null) pending.cancel(false);
        if (worker.isShutdown()) return;
        worker.execute(() -> {
            indexes.remove(uri);
            publish.accept(new PublishDiagnosticsParams(uri, List.of()));
        });
    }

    /** Runs {@code query} on the index of the file's current text; {@code absent} when the file is not open. */
    <T> CompletableFuture<T> query(String uri, Function<DocumentIndex, T> query, T absent) {
        if (worker.isShutdown())
            return CompletableFuture.failedFuture(new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidRequest, "the server is shut down", null)));
        return CompletableFuture.supplyAsync(() -> {
            DocumentIndex index = current(uri);
            return index == null ? absent : query.apply(index);
        }, worker);
    }

    private void publishAfter(String uri, Duration delay) {
        if (worker.isShutdown()) return; // after shutdown the protocol allows only exit
        ScheduledFuture<?> next = worker.schedule(() -> {
            DocumentIndex index = current(uri);
            if (index != null) publish.accept(ProtocolDiagnostics.of(index));
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = pendingPublish.put(uri, next);
        if (previous != null) previous.cancel(false);
    }

    private DocumentIndex current(String uri) {
        Text t = open.get(uri);
        if (t == null) return null;
        DocumentIndex index = indexes.get(uri);
        if (index == null || index.version != t.version() || !index.text.equals(t.text())) {
            index = analyse(uri, t);
            indexes.put(uri, index);
        }
        return index;
    }

    /** Never throws: whatever goes wrong becomes a diagnostic on the file and a line in the log, and the server goes on. */
    private static DocumentIndex analyse(String uri, Text t) {
        if (t.text().length() > MAX_CHARS) {
            LOG.warning(uri + ": " + t.text().length() + " characters, not analysed (at most " + MAX_CHARS + ")");
            return DocumentIndex.unanalysed(uri, t.version(), t.text(), "this file has " + t.text().length()
                    + " characters; the language server analyses files of at most " + MAX_CHARS + " (nnetc check works on any size)");
        }
        try {
            Path file = pathOf(uri);
            Path baseDir = file == null || file.getParent() == null ? Path.of("") : file.getParent();
            return DocumentIndex.of(uri, t.version(), t.text(), Compiler.analyze(file == null ? uri : file.toString(), t.text(), baseDir));
        } catch (StackOverflowError e) {
            LOG.warning(uri + ": nested too deeply to analyse");
            return DocumentIndex.unanalysed(uri, t.version(), t.text(), "this file is nested too deeply to analyse");
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "internal error analysing " + uri, e);
            return DocumentIndex.unanalysed(uri, t.version(), t.text(), "internal error of the language server while analysing this file ("
                    + e + "); the server log has the details");
        }
    }

    /** The file a {@code file:} URI names (mask files are read beside it), or null for an unsaved buffer. */
    static Path pathOf(String uri) {
        try {
            URI u = URI.create(uri);
            return "file".equals(u.getScheme()) ? Path.of(u) : null;
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    /**
     * Lets a running analysis finish rather than interrupting it: an interrupt while it publishes
     * would close an interruptible output channel, and with it the connection.
     */
    @Override
    public void close() {
        worker.shutdown();
    }
}
