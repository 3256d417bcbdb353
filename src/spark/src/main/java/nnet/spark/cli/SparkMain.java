package nnet.spark.cli;

import nnet.diag.CompileError;
import nnet.diag.Diagnostic;
import nnet.jar.Cli;
import nnet.runtime.DataFormatException;
import nnet.runtime.jar.Launcher;
import nnet.runtime.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nnetc spark train|predict|explain}: the commands on Apache Spark, in this process ({@code --master
 * local[4]}: Spark's jars from Maven, nothing to install) or on a cluster under {@code spark-submit},
 * which sets the master. Networks come as sources or jars; data as CSV or NumPy files (read on the
 * driver) or as any table Spark reads (Parquet, ORC, JSON: read by the executors).
 */
@Command(name = "nnetc spark", mixinStandardHelpOptions = true, subcommands = {SparkTrain.class, SparkPredict.class, SparkExplain.class},
        description = "Trains, runs or explains a network on Apache Spark.")
public final class SparkMain implements Runnable {
    public static void main(String[] args) {
        // in nnetc's own process, the Vector API's module as nnetc gets it (Launcher); under spark-submit, which has set
        // the master, a second JVM would lose its settings: there the module comes from spark.driver/executor.extraJavaOptions
        if (System.getProperty("spark.master") == null) Launcher.withVectorModule(SparkMain.class, args);
        System.exit(execute(args));
    }

    /** Runs a command; returns its exit code (0 done, 1 a user's mistake, 2 an internal error). */
    public static int execute(String... args) {
        return Cli.execute(new CommandLine(new SparkMain()), args, SparkMain::userMessage);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * A network's compile errors, as nnetc prints them; a row that does not fit the network, found by a
     * task (Spark hands it to the driver as the cause of the job's failure), as nnetc prints a file's.
     */
    private static String userMessage(Throwable t) {
        if (t instanceof CompileError e) {
            StringBuilder sb = new StringBuilder();
            for (Diagnostic d : e.diagnostics()) sb.append(d.format()).append('\n');
            return sb.toString().stripTrailing();
        }
        for (Throwable c = t.getCause(); c != null; c = c.getCause())
            if (c instanceof DataFormatException || c instanceof UserError) return "error: " + c.getMessage();
        return null;
    }
}
