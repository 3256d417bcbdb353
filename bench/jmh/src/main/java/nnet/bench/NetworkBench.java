package nnet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import nnet.Compiler;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.pack.NetworkClassLoader;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Generated code of the benchmark networks (bench/networks) and the examples: the forward pass
 * of a batch, and one train step over it (forward, backward, an SGD or Adam step). Times are per
 * batch; BENCHMARKS.md divides by the batch size. {@code kernels}: the Vector API's (the fork
 * has its module) or the plain-Java fallback.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class NetworkBench {
    @Param({"mlp_dense", "mlp_density_0.1", "mlp_density_0.01", "xor_train", "masked", "gated"})
    public String network;

    @Param({"1", "64"})
    public int batch;

    @Param({"vector", "plain"})
    public String kernels;

    @Param({"sgd", "adam"})
    public String optimizer;

    private Network net;
    private float[][][] x;
    private float[][] t;

    @Setup
    public void setup() throws IOException {
        Graph g = graph(network);
        System.setProperty("nnet.vector", Boolean.toString(kernels.equals("vector"))); // read as the class is initialised
        net = new NetworkClassLoader().instantiate(Compiler.compile(g));
        net.loadWeights(InitialWeights.of(g, 1));
        if (net.hasLoss()) net.setOptimizer(Optimizer.of(optimizer, java.util.Map.of("lr", optimizer.equals("sgd") ? 0.01 : 0.001)));
        SplittableRandom rnd = new SplittableRandom(1);
        x = new float[batch][g.inputs().size()][];
        t = new float[batch][];
        int[] targetShape = net.targetShape();
        int classes = targetShape[targetShape.length - 1], size = 1;
        for (int d : targetShape) size *= d;
        for (int s = 0; s < batch; s++) {
            for (int k = 0; k < x[s].length; k++) {
                x[s][k] = new float[g.inputs().get(k).shape().size()];
                for (int i = 0; i < x[s][k].length; i++) x[s][k][i] = (float) rnd.nextDouble(-1, 1);
            }
            t[s] = new float[size];
            for (int from = 0; from < size; from += classes) t[s][from + rnd.nextInt(classes)] = 1; // one-hot: valid for every loss
        }
    }

    /** A network of bench/networks or examples, by file name without {@code .nnet}. */
    static Graph graph(String name) throws IOException {
        Path root = Path.of(System.getProperty("nnet.root", "."));
        Path file = root.resolve("bench/networks/" + name + ".nnet");
        if (!Files.exists(file)) file = root.resolve("examples/" + name + ".nnet");
        Compiler.Checked c = Compiler.check(file);
        if (!c.ok()) throw new IllegalStateException(file + ": " + c.diagnostics());
        return c.graphs().get(0);
    }

    /** One sample through {@code forward}; a batch through {@code forwardBatch} (tiles of samples for sparse networks). */
    @Benchmark
    public void forward(Blackhole bh) {
        if (batch == 1) bh.consume(net.forward(x[0]));
        else bh.consume(net.forwardBatch(x, List.of()));
    }

    @Benchmark
    public float trainStep() {
        return net.trainStep(x, t);
    }
}
