package nnet.lsp;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.LocationLink;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PrepareRenameDefaultBehavior;
import org.eclipse.lsp4j.PrepareRenameParams;
import org.eclipse.lsp4j.PrepareRenameResult;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.RenameParams;
import org.eclipse.lsp4j.SemanticTokens;
import org.eclipse.lsp4j.SemanticTokensParams;
import org.eclipse.lsp4j.SignatureHelp;
import org.eclipse.lsp4j.SignatureHelpParams;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentPositionParams;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Either3;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.services.TextDocumentService;

/** The {@code textDocument/...} messages: keeps {@link OpenDocuments} in step with the editor and answers its questions. */
final class NnetTextDocumentService implements TextDocumentService {
    private static final Logger LOG = Logger.getLogger(NnetTextDocumentService.class.getName());
    private final OpenDocuments documents;

    NnetTextDocumentService(OpenDocuments documents) {
        this.documents = documents;
    }

    /**
     * Notifications get no answer, so one the server cannot use is logged and dropped; lsp4j's
     * validation has refused those without their required fields (a didOpen without text) already.
     */
    @Override
    public void didOpen(DidOpenTextDocumentParams params) {
        if (params == null || params.getTextDocument() == null) {
            LOG.warning("didOpen without a document: ignored");
            return;
        }
        documents.open(params.getTextDocument().getUri(), params.getTextDocument().getText(), params.getTextDocument().getVersion());
    }

    /** The server asks for full sync, so the last change holds the whole new text. */
    @Override
    public void didChange(DidChangeTextDocumentParams params) {
        if (params == null || params.getTextDocument() == null || params.getContentChanges() == null) {
            LOG.warning("didChange without a document or changes: ignored");
            return;
        }
        var changes = params.getContentChanges();
        if (changes.isEmpty()) return;
        documents.change(params.getTextDocument().getUri(), changes.get(changes.size() - 1).getText(), params.getTextDocument().getVersion());
    }

    @Override
    public void didClose(DidCloseTextDocumentParams params) {
        if (params == null || params.getTextDocument() == null) {
            LOG.warning("didClose without a document: ignored");
            return;
        }
        documents.close(params.getTextDocument().getUri());
    }

    /** Diagnostics follow the text as typed; saving changes nothing. */
    @Override
    public void didSave(DidSaveTextDocumentParams params) {}

    @Override
    public CompletableFuture<Hover> hover(HoverParams params) {
        return documents.query(uri(params), index -> {
            int[] at = place(index, params);
            return HoverText.at(index, at[0], at[1]).map(text -> new Hover(new MarkupContent(MarkupKind.MARKDOWN, text))).orElse(null);
        }, null);
    }

    @Override
    public CompletableFuture<Either<List<? extends Location>, List<? extends LocationLink>>> definition(DefinitionParams params) {
        return documents.query(uri(params), index -> {
            int[] at = place(index, params);
            return Either.forLeft(Navigation.definition(index, at[0], at[1]));
        }, Either.forLeft(List.of()));
    }

    @Override
    public CompletableFuture<List<? extends Location>> references(ReferenceParams params) {
        String uri = uri(params);
        boolean withDeclaration = params.getContext() != null && params.getContext().isIncludeDeclaration();
        return documents.query(uri, index -> {
            int[] at = place(index, params);
            return Navigation.references(index, at[0], at[1], withDeclaration);
        }, List.of());
    }

    @Override
    public CompletableFuture<List<Either<SymbolInformation, DocumentSymbol>>> documentSymbol(DocumentSymbolParams params) {
        if (params == null) throw invalidParams("params are missing");
        return documents.query(uri(params.getTextDocument()),
                index -> DocumentSymbols.of(index).stream().map(Either::<SymbolInformation, DocumentSymbol>forRight).toList(), List.of());
    }

    @Override
    public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(CompletionParams params) {
        return documents.query(uri(params), index -> Either.forLeft(Completions.at(index, position(params))), Either.forLeft(List.of()));
    }

    @Override
    public CompletableFuture<List<InlayHint>> inlayHint(InlayHintParams params) {
        if (params == null) throw invalidParams("params are missing");
        return documents.query(uri(params.getTextDocument()), index -> InlayHints.in(index, params.getRange()), List.of());
    }

    @Override
    public CompletableFuture<List<Either<Command, CodeAction>>> codeAction(CodeActionParams params) {
        if (params == null) throw invalidParams("params are missing");
        return documents.query(uri(params.getTextDocument()), index -> CodeActions.at(index, params.getRange()), List.of());
    }

    @Override
    public CompletableFuture<Either3<Range, PrepareRenameResult, PrepareRenameDefaultBehavior>> prepareRename(PrepareRenameParams params) {
        return documents.query(uri(params), index -> {
            int[] at = place(index, params);
            return Rename.prepare(index, at[0], at[1]).map(Either3::<Range, PrepareRenameResult, PrepareRenameDefaultBehavior>forFirst).orElse(null);
        }, null);
    }

    @Override
    public CompletableFuture<WorkspaceEdit> rename(RenameParams params) {
        return documents.query(uri(params), index -> {
            int[] at = place(index, params);
            return Rename.rename(index, at[0], at[1], params.getNewName());
        }, null);
    }

    @Override
    public CompletableFuture<List<? extends TextEdit>> formatting(DocumentFormattingParams params) {
        if (params == null) throw invalidParams("params are missing");
        return documents.query(uri(params.getTextDocument()), Formatting::of, List.of());
    }

    @Override
    public CompletableFuture<SemanticTokens> semanticTokensFull(SemanticTokensParams params) {
        if (params == null) throw invalidParams("params are missing");
        return documents.query(uri(params.getTextDocument()), nnet.lsp.SemanticTokens::of, new SemanticTokens(List.of()));
    }

    @Override
    public CompletableFuture<SignatureHelp> signatureHelp(SignatureHelpParams params) {
        return documents.query(uri(params), index -> nnet.lsp.SignatureHelp.at(index, position(params)), null);
    }

    /** The document of a request at a place; checks the place too, so a bad request fails before it is queued. */
    private static String uri(TextDocumentPositionParams params) {
        if (params == null) throw invalidParams("params are missing");
        position(params);
        return uri(params.getTextDocument());
    }

    /** A request without a document or place is the client's error, answered as such (not as an internal error). */
    private static String uri(TextDocumentIdentifier doc) {
        if (doc == null || doc.getUri() == null) throw invalidParams("textDocument.uri is missing");
        return doc.getUri();
    }

    private static Position position(TextDocumentPositionParams params) {
        if (params.getPosition() == null) throw invalidParams("position is missing");
        return params.getPosition();
    }

    private static int[] place(DocumentIndex index, TextDocumentPositionParams params) {
        return index.lines.lineAndColumn(position(params));
    }

    private static ResponseErrorException invalidParams(String message) {
        return new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams, message, null));
    }
}
