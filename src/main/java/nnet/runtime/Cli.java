package nnet.runtime;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Exit codes shared by {@code nnetc} and compiled jars: 0 done, 1 a user error (bad file, bad
 * flag, bad network: the message alone), 2 an internal error (with its stack trace, to report).
 */
public final class Cli {
    private Cli() {}

    /**
     * @param userMessage the text to print for what else the caller counts as a user's mistake
     *                    (e.g. compile errors, printed as diagnostics), or null for an internal error
     */
    public static int execute(CommandLine cl, String[] args, Function<Throwable, String> userMessage) {
        cl.setParameterExceptionHandler((ex, a) -> {
            System.err.println("error: " + ex.getMessage());
            ex.getCommandLine().usage(System.err);
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UserError || ex instanceof DataFormatException) {
                System.err.println("error: " + ex.getMessage());
                return 1;
            }
            String message = userMessage.apply(ex);
            if (message != null) {
                System.err.println(message);
                return 1;
            }
            System.err.println("internal error (please report it):");
            ex.printStackTrace();
            return 2;
        });
        return cl.execute(args);
    }

    /** CSV to a file (atomically) or to standard output. */
    public static void writeCsv(float[][] rows, Path output) throws IOException {
        if (output != null) {
            Csv.write(output, rows);
            return;
        }
        Writer w = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
        Csv.write(w, rows);
        w.flush();
    }
}
