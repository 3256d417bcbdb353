package nnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import nnet.Compiler;
import nnet.diag.Diagnostic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", description = "Checks files: every error as file:line:col: error: message. Exit 1 on errors.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE") List<Path> files;
    @Option(names = "--json", description = "print the diagnostics as a JSON array (code, file, line, col, length, message, notes)") boolean json;

    @Override
    public Integer call() {
        List<Diagnostic> all = new ArrayList<>();
        for (Path f : files) {
            Compiler.Checked c = Sources.check(f);
            all.addAll(c.diagnostics());
        }
        if (json) System.out.println(Json.diagnostics(all));
        else {
            for (Diagnostic d : all) System.out.println(d.format());
            if (!all.isEmpty()) System.out.println(all.size() + (all.size() == 1 ? " error" : " errors"));
        }
        return all.isEmpty() ? 0 : 1;
    }
}
