package nnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import nnet.diag.Diagnostic;
import nnet.diag.Diagnostics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", description = "Checks files: every error and warning as file:line:col: error: message. Exit 1 on errors (warnings alone: 0).")
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE") List<Path> files;
    @Option(names = "--json", description = "print the diagnostics as a JSON array (severity, code, file, line, col, length, message, notes, fixes: title, place and replacement text); line and col are 0 for a file that cannot be read") boolean json;

    /** Every file is checked, readable or not, so one missing file hides nothing about the others. Warnings alone exit 0. */
    @Override
    public Integer call() {
        List<Diagnostic> all = new ArrayList<>();
        for (Path f : files) all.addAll(Sources.check(f).diagnostics());
        if (json) System.out.println(Json.diagnostics(all));
        else {
            for (Diagnostic d : all) System.out.println(d.format());
            if (!all.isEmpty()) System.out.println(Diagnostics.summary(all));
        }
        return all.stream().anyMatch(Diagnostic::isError) ? 1 : 0;
    }
}
