package nnet.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/** The hand-written Java MLP ({@link JavaMlpReference}) under the same measurements as {@link NetworkBench}'s mlp_dense. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReferenceBench {
    @Param({"1", "64"})
    public int batch;

    @Param({"sgd", "adam"})
    public String optimizer;

    private JavaMlpReference mlp;
    private float[][] x;
    private int[] labels;

    @Setup
    public void setup() {
        mlp = new JavaMlpReference(1);
        mlp.sgd = optimizer.equals("sgd");
        SplittableRandom rnd = new SplittableRandom(1);
        x = new float[batch][784];
        labels = new int[batch];
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < 784; i++) x[s][i] = (float) rnd.nextDouble(-1, 1);
            labels[s] = rnd.nextInt(10);
        }
    }

    @Benchmark
    public void forward(Blackhole bh) {
        for (float[] sample : x) bh.consume(mlp.forward(sample));
    }

    @Benchmark
    public float trainStep() {
        return mlp.trainStep(x, labels);
    }
}
