package nnet.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import nnet.lsp.LanguageServerLauncher;
import nnet.lsp.ServerLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "lsp", description = "Runs the language server on standard input and output, for editors (VS Code, Neovim, ...). Logs go to standard error.")
final class LspCommand implements Callable<Integer> {
    /** vscode-languageclient and other clients add --stdio when they start a server over stdio; that is the only transport here. */
    @Option(names = "--stdio", description = "talk over standard input and output (the default and only transport; accepted because clients pass it)")
    boolean stdio;

    @Override
    public Integer call() {
        PrintStream protocol = System.out;
        System.setOut(System.err); // a stray print must land in the log, not in the middle of a protocol message
        ServerLog.toStandardError();
        return LanguageServerLauncher.serve(System.in, protocol, LanguageServerLauncher.DEBOUNCE);
    }
}
