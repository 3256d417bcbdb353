package nnet.spark.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import nnet.Compiler;
import nnet.diag.CompileError;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.pack.JarPackager;
import nnet.runtime.Network;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.UserError;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every Spark command takes: the network (a source or a jar), its input rows, the master, the partitions. */
final class SparkSetup {
    @Parameters(index = "0", paramLabel = "NET.nnet|NET.jar", description = "the network: a source (compiled here) or a jar made by nnetc compile") Path network;
    @Option(names = "--network", description = "which network, when the file holds several") String name;
    @Option(names = "--input", required = true, description = "X.csv or X.npy (the network's one input) or name=X.csv per input, read on the driver;"
            + " or a table Spark reads (data.parquet, .orc, .json): an array column per input named like it, or number columns (--features)") List<String> inputs;
    @Option(names = "--features", split = ",", paramLabel = "COL,COL|GLOB", description = "with a table and a network of one input the table has no column of:"
            + " the number columns that make the input, in the table's order (globs: snp_*; default: every number column but the target's and the sample weights')") List<String> features;
    @Option(names = "--master", description = "Spark's master, e.g. local[4] to run in this process (default: spark-submit's, else local[*])") String master;
    @Option(names = "--partitions", description = "partitions of rows read from CSV or NumPy files (default: Spark's parallelism)") Integer partitions;
    @Option(names = "--seed", defaultValue = "1", description = "the initial weights' seed, for a source without --weights (default ${DEFAULT-VALUE})") long seed;

    SparkSession session(String app) {
        SparkSession.Builder b = SparkSession.builder().appName(app);
        if (master != null) b.master(master);
        else if (!new org.apache.spark.SparkConf().contains("spark.master")) b.master("local[*]");
        // this process's Spark needs no web UI; spark-submit's settings still win on a cluster
        b.config("spark.ui.enabled", "false");
        return b.getOrCreate();
    }

    int partitions(SparkSession spark) {
        return partitions != null ? partitions : spark.sparkContext().defaultParallelism();
    }

    /** Whether the rows are a table Spark reads (one {@code --input} that is not a CSV or NumPy file), not files read on the driver. */
    boolean inputIsTable() {
        return inputs.size() == 1 && !SparkData.isLocalFile(inputs.get(0));
    }

    /** The rows to run: the table (its columns other than {@code reserved} may make the input: {@link SparkData#withInputColumns}), or the input files read on the driver. */
    Dataset<Row> rows(SparkSession spark, Network net, Set<String> reserved) {
        if (!inputIsTable()) return SparkData.fromFiles(spark, net, inputs, List.of(), partitions(spark));
        return SparkData.withInputColumns(SparkData.table(spark, inputs.get(0)), net, features, reserved);
    }

    /**
     * The jar's bytes: read, or compiled from the source with initial weights (its errors as nnetc check
     * prints them), with the attribution passes when {@code explainers} (as nnetc compile packs them).
     */
    byte[] jar(boolean explainers) throws IOException {
        if (!Files.isRegularFile(network)) throw new UserError(network + ": " + (Files.isDirectory(network) ? "it is a directory" : "no such file"));
        if (network.toString().endsWith(".jar")) return Files.readAllBytes(network);
        Compiler.Checked c = Compiler.check(network);
        if (!c.ok()) throw new CompileError(c.diagnostics());
        Graph g = pick(c.graphs());
        Compiler.Stages s = Compiler.stages(g);
        var weights = InitialWeights.stored(g, seed, SparseWeights.AUTO);
        return JarPackager.toBytes(List.of(new JarPackager.Packed(Compiler.compile(s), weights, JarPackager.facts(g), explainers ? Compiler.explainers(s) : null)));
    }

    private Graph pick(List<Graph> graphs) {
        if (name == null && graphs.size() == 1) return graphs.get(0);
        for (Graph g : graphs) if (g.name().equals(name)) return g;
        throw new UserError(network + (name == null ? " declares several networks: choose one with --network" : " has no network " + name)
                + " (" + String.join(", ", graphs.stream().map(Graph::name).toList()) + ")");
    }
}
