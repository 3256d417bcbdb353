package nnet.cli;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import nnet.diag.Diagnostic;
import nnet.format.Formatter;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.io.IoErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fmt", description = {
        "Formats .nnet files in the one canonical layout (LANGUAGE.md §9; no options, like gofmt): rewrites each file that changes and prints its name.",
        "A file with syntax errors is left as it is and its errors are printed. Exit 1 on errors, and with --check on a file that is not formatted."})
final class FmtCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "FILE|DIR", description = "files, or directories searched for .nnet files (hidden ones skipped); "
            + "default: the current directory; - formats standard input to standard output")
    List<Path> targets = new ArrayList<>();
    @Option(names = "--check", description = "change nothing: print the files that are not formatted, and exit 1 if there are any") boolean check;
    @Option(names = "--diff", description = "change nothing: print what formatting would change, as a unified diff") boolean diff;

    private boolean failed;

    @Override
    public Integer call() throws IOException {
        if (targets.isEmpty()) targets.add(Path.of("."));
        for (Path target : targets) {
            if (target.toString().equals("-")) standardInput();
            else for (Path file : sources(target)) file(file);
        }
        return failed ? 1 : 0;
    }

    private void standardInput() throws IOException {
        String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        String formatted = formatted("<stdin>", text);
        if (formatted == null) return;
        if (check || diff) report("<stdin>", text, formatted);
        else System.out.print(formatted);
    }

    private void file(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println(file + ": error: cannot read this file: " + IoErrors.why(e));
            failed = true;
            return;
        }
        String formatted = formatted(file.toString(), text);
        if (formatted == null || formatted.equals(text)) return;
        if (check || diff) report(file.toString(), text, formatted);
        else {
            AtomicFiles.write(file, out -> out.write(formatted.getBytes(StandardCharsets.UTF_8)));
            System.out.println(file);
        }
    }

    /** The canonical text, or null after printing why there is none (syntax errors). */
    private String formatted(String name, String text) {
        Formatter.Result r = Formatter.format(name, text);
        if (r.ok()) return r.text();
        for (Diagnostic d : r.errors()) System.err.println(d.format());
        failed = true;
        return null;
    }

    /** --check names the file and fails; --diff shows the change. */
    private void report(String name, String text, String formatted) {
        if (text.equals(formatted)) return;
        if (check) {
            failed = true;
            if (!diff) System.out.println(name);
        }
        if (diff) {
            List<String> before = text.lines().toList(), after = formatted.lines().toList();
            for (String line : UnifiedDiffUtils.generateUnifiedDiff(name, name + " (formatted)", before, DiffUtils.diff(before, after), 3))
                System.out.println(line);
        }
    }

    /** A file as given (whatever its name), or the .nnet files under a directory in name order. */
    private List<Path> sources(Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            if (!Files.exists(target)) {
                System.err.println(target + ": error: cannot read this file: no such file");
                failed = true;
                return List.of();
            }
            return List.of(target);
        }
        try (Stream<Path> s = Files.walk(target)) {
            return s.filter(p -> p.toString().endsWith(".nnet") && Files.isRegularFile(p) && !hidden(target.relativize(p))).sorted().toList();
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) if (part.toString().startsWith(".")) return true;
        return false;
    }
}
