package nnet.lsp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A language server running in this JVM, reached through in-memory pipes as an editor reaches it
 * through stdio. NIO pipes, not {@code PipedInputStream}, which fails once a thread that wrote to
 * it ends.
 *
 * @param toServer   what the server reads
 * @param fromServer what the server writes
 * @param exit       the exit code {@code serve} returns
 * @param serverEnds the server's own ends of the pipes, closed with the others
 */
record ServerPipes(OutputStream toServer, InputStream fromServer, CompletableFuture<Integer> exit, List<Closeable> serverEnds) implements AutoCloseable {
    static ServerPipes start(Duration debounce) {
        try {
            Pipe up = Pipe.open(), down = Pipe.open();
            InputStream serverIn = Channels.newInputStream(up.source());
            OutputStream serverOut = Channels.newOutputStream(down.sink());
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> LanguageServerLauncher.serve(serverIn, serverOut, debounce));
            return new ServerPipes(Channels.newOutputStream(up.sink()), Channels.newInputStream(down.source()), exit, List.of(serverIn, serverOut));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the four ends: a server started per test or per fuzz input must not keep its file descriptors. */
    @Override
    public void close() {
        for (Closeable c : List.of(toServer, fromServer, serverEnds.get(0), serverEnds.get(1))) {
            try {
                c.close();
            } catch (IOException e) {
                // already closed by the other side's end
            }
        }
    }

    /** Bytes straight into the server's input, framed or not. */
    void write(String bytes) {
        try {
            toServer.write(bytes.getBytes(StandardCharsets.UTF_8));
            toServer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
