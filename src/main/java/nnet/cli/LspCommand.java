package nnet.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import nnet.lsp.LanguageServerLauncher;
import nnet.lsp.ServerLog;
import picocli.CommandLine.Command;

@Command(name = "lsp", description = "Runs the language server on standard input and output, for editors (VS Code, Neovim, ...). Logs go to standard error.")
final class LspCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        PrintStream protocol = System.out;
        System.setOut(System.err); // a stray print must land in the log, not in the middle of a protocol message
        ServerLog.toStandardError();
        return LanguageServerLauncher.serve(System.in, protocol, LanguageServerLauncher.DEBOUNCE);
    }
}
