package nnet.jar;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import nnet.runtime.DataFormatException;
import nnet.runtime.io.IoErrors;
import nnet.runtime.UserError;
import picocli.CommandLine;

/**
 * Exit codes shared by {@code nnetc} and compiled jars: 0 done, 1 a user error (bad file, bad
 * flag, bad network, a file that cannot be read or written, too little memory: the message alone),
 * 2 an internal error (with its stack trace, to report).
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
            String message = ex instanceof UserError || ex instanceof DataFormatException ? ex.getMessage() : IoErrors.userMessage(ex);
            if (message != null) {
                System.err.println("error: " + message);
                return 1;
            }
            message = userMessage.apply(ex);
            if (message != null) {
                System.err.println(message);
                return 1;
            }
            return internalError(ex);
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // the allocation that failed is garbage now, so there is room to say so
            System.err.println("error: " + outOfMemory());
            return 1;
        } catch (Error e) {
            return internalError(e);
        }
    }

    /**
     * Names a file a command wrote, in one voice for every command of {@code nnetc} and of jars:
     * {@code wrote out/xor.jar: Xor}, on standard error (standard output is kept for what commands
     * print as data); nothing when the file was standard output.
     */
    public static void wrote(Path file, String what) {
        if (!file.toString().equals("-")) System.err.println("wrote " + file + ": " + what);
    }

    /** {@code 1 epoch}, {@code 1,200 rows}. */
    public static String count(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }

    private static int internalError(Throwable t) {
        System.err.println("internal error (please report it):");
        t.printStackTrace();
        return 2;
    }

    /** What to do when the Java VM's memory runs out: how much it may use and how to give it more. */
    public static String outOfMemory() {
        long max = Runtime.getRuntime().maxMemory();
        long suggested = Math.max(2, 2 * ((max + (1L << 30) - 1) >> 30));
        return "out of memory: this Java VM may use at most " + gigabytes(max) + "; give it more, e.g. JAVA_TOOL_OPTIONS=-Xmx" + suggested + "g";
    }

    /** {@code 1.5 GB}, for messages about memory. */
    public static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
