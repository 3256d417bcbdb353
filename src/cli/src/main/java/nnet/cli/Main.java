package nnet.cli;

import nnet.diag.CompileError;
import nnet.diag.Diagnostic;
import nnet.diag.Diagnostics;
import nnet.jar.Cli;
import nnet.runtime.jar.Launcher;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code nnetc}: the compiler's command line (LANGUAGE.md §9). */
// INHERIT: every subcommand takes --help and --version too (picocli adds them to each)
@Command(name = "nnetc", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "nnetc 0.1.0",
        description = "Checks, compiles and runs .nnet networks.",
        subcommands = {CheckCommand.class, CompileCommand.class, InitCommand.class, PredictCommand.class, RunCommand.class, GradCommand.class, ExplainCommand.class, TrainCommand.class, EvaluateCommand.class, BenchCommand.class, DumpIrCommand.class, GraphCommand.class, ImportCommand.class, ExportCommand.class, LspCommand.class, FmtCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        Launcher.withVectorModule(Main.class, args);
        System.exit(run(args));
    }

    public static int run(String... args) {
        return Cli.execute(new CommandLine(new Main()), args, Main::userMessage);
    }

    /** Compile errors print as diagnostics; everything not listed here is an internal error. */
    private static String userMessage(Throwable t) {
        if (t instanceof CompileError ce) {
            StringBuilder sb = new StringBuilder();
            for (Diagnostic d : ce.diagnostics()) sb.append(d.format()).append('\n');
            return sb.append(Diagnostics.summary(ce.diagnostics())).toString();
        }
        return null;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
