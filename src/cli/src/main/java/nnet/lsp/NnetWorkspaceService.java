package nnet.lsp;

import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.eclipse.lsp4j.ApplyWorkspaceEditParams;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * The server has no settings and reads only open documents, so workspace events need no action. Its
 * one command moves a literal mask into a file ({@link MaskToFile}): it writes the file, then asks
 * the editor to apply the edit of the source.
 */
final class NnetWorkspaceService implements WorkspaceService {
    static final List<String> COMMANDS = List.of(MaskToFile.COMMAND);

    private final OpenDocuments documents;
    private final Supplier<LanguageClient> client;

    NnetWorkspaceService(OpenDocuments documents, Supplier<LanguageClient> client) {
        this.documents = documents;
        this.client = client;
    }

    @Override
    public void didChangeConfiguration(DidChangeConfigurationParams params) {}

    @Override
    public void didChangeWatchedFiles(DidChangeWatchedFilesParams params) {}

    /** {@code nnet.moveMaskToFile [uri, line, character]}: the place of the mask's literal, as the code action gave it. */
    @Override
    public CompletableFuture<Object> executeCommand(ExecuteCommandParams params) {
        if (params == null || !MaskToFile.COMMAND.equals(params.getCommand())) throw invalid("unknown command " + (params == null ? null : params.getCommand()));
        List<Object> args = params.getArguments();
        if (args == null || args.size() != 3) throw invalid(MaskToFile.COMMAND + " takes the document and the place of the mask");
        String uri = text(args.get(0));
        Position at = new Position(number(args.get(1)), number(args.get(2)));
        return documents.query(uri, index -> MaskToFile.run(index, at), null).thenCompose(edit -> {
            LanguageClient c = client.get();
            if (edit == null || c == null) throw invalid("the document " + uri + " is not open");
            return c.applyEdit(new ApplyWorkspaceEditParams(edit, "Move mask to file")).thenApply(r -> (Object) null);
        });
    }

    /** Arguments arrive as JSON (gson's elements) over the wire and as Java values in process. */
    private static String text(Object o) {
        if (o instanceof JsonPrimitive p && p.isString()) return p.getAsString();
        if (o instanceof String s) return s;
        throw invalid("expected a document URI, found " + o);
    }

    private static int number(Object o) {
        if (o instanceof JsonPrimitive p && p.isNumber()) return p.getAsInt();
        if (o instanceof Number n) return n.intValue();
        throw invalid("expected a number, found " + o);
    }

    private static ResponseErrorException invalid(String message) {
        return new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams, message, null));
    }
}
