package nnet.lsp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CodeActionOptions;
import org.eclipse.lsp4j.CompletionOptions;
import org.eclipse.lsp4j.ExecuteCommandOptions;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.RenameOptions;
import org.eclipse.lsp4j.SemanticTokensWithRegistrationOptions;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ServerInfo;
import org.eclipse.lsp4j.SignatureHelpOptions;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/** The server's life cycle (initialize, shutdown, exit) and what it offers; the work is in {@link NnetTextDocumentService}. */
public final class NnetLanguageServer implements LanguageServer, LanguageClientAware {
    /** Characters after which the editor asks for completion unprompted: a named argument's value, a call's arguments. */
    private static final List<String> COMPLETION_TRIGGERS = List.of(":", "(");
    /** Characters after which the editor shows a call's parameters: its opening, the next argument. */
    private static final List<String> SIGNATURE_TRIGGERS = List.of("(", ",");

    private final OpenDocuments documents;
    private final NnetTextDocumentService textDocuments;
    private final NnetWorkspaceService workspace;
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    private volatile LanguageClient client;
    private volatile boolean shutdownRequested;

    /** @param debounce how long after a change diagnostics wait for the next keystroke */
    public NnetLanguageServer(Duration debounce) {
        this.documents = new OpenDocuments(debounce, diagnostics -> {
            LanguageClient c = client;
            if (c != null) c.publishDiagnostics(diagnostics);
        });
        this.textDocuments = new NnetTextDocumentService(documents);
        this.workspace = new NnetWorkspaceService(documents, () -> client);
    }

    @Override
    public void connect(LanguageClient languageClient) {
        this.client = languageClient;
    }

    @Override
    public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
        ServerCapabilities caps = new ServerCapabilities();
        caps.setTextDocumentSync(TextDocumentSyncKind.Full);
        caps.setHoverProvider(true);
        caps.setDefinitionProvider(true);
        caps.setReferencesProvider(true);
        caps.setDocumentSymbolProvider(true);
        caps.setCompletionProvider(new CompletionOptions(false, COMPLETION_TRIGGERS));
        caps.setInlayHintProvider(true);
        caps.setCodeActionProvider(new CodeActionOptions(List.of(CodeActionKind.QuickFix, CodeActionKind.RefactorExtract)));
        caps.setExecuteCommandProvider(new ExecuteCommandOptions(NnetWorkspaceService.COMMANDS));
        caps.setRenameProvider(new RenameOptions(true));
        caps.setDocumentFormattingProvider(true);
        caps.setSemanticTokensProvider(new SemanticTokensWithRegistrationOptions(SemanticTokens.legend(), true, false));
        caps.setSignatureHelpProvider(new SignatureHelpOptions(SIGNATURE_TRIGGERS));
        return CompletableFuture.completedFuture(new InitializeResult(caps, new ServerInfo("nnetc lsp", "0.1.0")));
    }

    @Override
    public CompletableFuture<Object> shutdown() {
        shutdownRequested = true;
        documents.close();
        return CompletableFuture.completedFuture(null);
    }

    /** The protocol's exit codes: 0 after a shutdown request, 1 without one. */
    @Override
    public void exit() {
        exitCode.complete(shutdownRequested ? 0 : 1);
    }

    /** Stops the analysis thread; the connection is over. */
    void close() {
        documents.close();
    }

    /** The client closed the connection without {@code exit}: the same as exit. */
    void inputEnded() {
        exit();
    }

    /** Completes with the process's exit code once the client says exit or goes away. */
    CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    @Override
    public TextDocumentService getTextDocumentService() {
        return textDocuments;
    }

    @Override
    public WorkspaceService getWorkspaceService() {
        return workspace;
    }
}
