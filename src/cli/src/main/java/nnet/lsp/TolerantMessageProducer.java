package nnet.lsp;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.MessageIssueHandler;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.json.StreamMessageProducer;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.messages.MessageIssue;
import org.eclipse.lsp4j.jsonrpc.messages.RequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * lsp4j's reader of framed messages, made to survive what a client (or a fuzzer) may send. One bad
 * message must cost that message only, never the connection:
 * <ul>
 *   <li>header names are case-insensitive, as in HTTP ({@code content-length: 42});</li>
 *   <li>a {@code Content-Length} header after garbage on its line is still found, so the framing
 *       recovers after a message that had none;</li>
 *   <li>the content is read whole before it is parsed, so a message that fails to parse leaves
 *       the stream at the next header;</li>
 *   <li>content nested deeper than {@link #MAX_DEPTH} is refused before Gson's recursive parser
 *       would overflow the stack (which killed lsp4j's reading thread), and a request gets an
 *       "invalid params" answer;</li>
 *   <li>content longer than {@link #MAX_CONTENT_BYTES} is skipped, not buffered.</li>
 * </ul>
 */
final class TolerantMessageProducer extends StreamMessageProducer {
    private static final Logger LOG = Logger.getLogger(TolerantMessageProducer.class.getName());
    /** Real clients nest a dozen levels at most (capabilities in initialize). */
    static final int MAX_DEPTH = 100;
    /** Above the largest file the server analyses ({@link OpenDocuments#MAX_CHARS}), escaped, with room to spare. */
    static final int MAX_CONTENT_BYTES = 64 << 20;
    private static final String CONTENT_LENGTH = "content-length:";

    private final MessageJsonHandler jsonHandler;
    private final MessageIssueHandler issueHandler;
    private MessageConsumer consumer;

    TolerantMessageProducer(InputStream input, MessageJsonHandler jsonHandler, MessageIssueHandler issueHandler) {
        super(input, jsonHandler, issueHandler);
        this.jsonHandler = jsonHandler;
        this.issueHandler = issueHandler;
    }

    @Override
    public void listen(MessageConsumer callback) {
        this.consumer = callback;
        super.listen(callback);
    }

    @Override
    protected void parseHeader(String line, Headers headers) {
        int at = line.toLowerCase(Locale.ROOT).lastIndexOf(CONTENT_LENGTH);
        if (at < 0) {
            super.parseHeader(line, headers); // Content-Type and the rest, as lsp4j reads them
            return;
        }
        if (at > 0) LOG.warning("skipped " + at + " characters before a Content-Length header (a message without one came before)");
        try {
            headers.contentLength = Integer.parseInt(line.substring(at + CONTENT_LENGTH.length()).trim());
        } catch (NumberFormatException e) {
            LOG.warning("a Content-Length header that is not a number: " + line);
        }
    }

    @Override
    protected boolean handleMessage(InputStream input, Headers headers) {
        try {
            if (headers.contentLength > MAX_CONTENT_BYTES) {
                input.skipNBytes(headers.contentLength);
                LOG.warning("skipped a message of " + headers.contentLength + " bytes (at most " + MAX_CONTENT_BYTES + ")");
                return true;
            }
            byte[] bytes = input.readNBytes(headers.contentLength);
            if (bytes.length < headers.contentLength) return false; // the stream ended inside the message
            String content = new String(bytes, Charset.forName(headers.charset));
            if (nestingDepth(content) > MAX_DEPTH) refuseDeepMessage(content);
            else consume(content);
        } catch (IOException e) {
            fireError(e);
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            fireError(e); // a charset the JVM does not know, a consumer that threw: this message is lost, the next one is read
        }
        return true;
    }

    private void consume(String content) {
        try {
            Message message = jsonHandler.parseMessage(new StringReader(content));
            consumer.consume(message);
        } catch (MessageIssueException e) {
            issueHandler.handle(e.getRpcMessage(), e.getIssues());
        }
    }

    /** A request (it has an id) is answered with an error, as lsp4j answers one it cannot read; a notification is logged. */
    private void refuseDeepMessage(String content) {
        String problem = "the message is nested more than " + MAX_DEPTH + " levels deep";
        Either<String, Number> id = topLevelId(content);
        if (id == null) {
            LOG.warning(problem + "; ignored");
            return;
        }
        RequestMessage request = new RequestMessage();
        request.setRawId(id);
        request.setMethod("?");
        issueHandler.handle(request, List.of(new MessageIssue(problem, ResponseErrorCode.InvalidParams.getValue())));
    }

    /** The {@code id} of a message, read without building its (too deep) tree; null for a notification or unreadable content. */
    private static Either<String, Number> topLevelId(String content) {
        try (JsonReader r = new JsonReader(new StringReader(content))) {
            r.setNestingLimit(Integer.MAX_VALUE); // skipValue is iterative; only building a tree recurses
            r.beginObject();
            while (r.hasNext()) {
                if (!r.nextName().equals("id")) {
                    r.skipValue();
                    continue;
                }
                JsonToken t = r.peek();
                if (t == JsonToken.STRING) return Either.forLeft(r.nextString());
                if (t == JsonToken.NUMBER) return Either.forRight(Long.parseLong(r.nextString()));
                return null;
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine("no id in a refused message: " + e);
        }
        return null;
    }

    /** How deep arrays and objects nest, counted without parsing (strings skipped). */
    static int nestingDepth(String json) {
        int depth = 0, max = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') inString = true;
            else if (c == '[' || c == '{') max = Math.max(max, ++depth);
            else if (c == ']' || c == '}') depth--;
        }
        return max;
    }

    @Override
    protected void fireError(Throwable error) {
        LOG.log(Level.WARNING, "an unreadable message was skipped: " + error, error);
    }
}
