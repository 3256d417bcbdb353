package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nnet.ir.Graph;
import nnet.runtime.Network;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A train step allocates nothing even where the JIT has not compiled it: the runtime's step path
 * (Training, BatchSplit, Workers, LossTerms, StagedTraining, the optimizer) and the generated class's
 * drivers with its plain kernels. A method that C2 compiled can be deoptimized at any time (an
 * {@code unstable_if} trap, seconds into a run) and runs interpreted until C2 compiles it again;
 * whatever C2 had kept off the heap (an iterator, a lambda, a boxed value) is allocated then.
 *
 * <p>Runs only in the surefire execution {@code interpreted-step} (pom.xml), whose JVM never
 * compiles {@code nnet.runtime.*} nor {@code nnet.generated.*}. The Vector API kernels are left
 * out: they box every vector when not compiled by C2.
 */
@EnabledIfSystemProperty(named = "nnet.test.interpreted", matches = "true")
class InterpretedStepTest {
    /** Small, so the interpreter runs a step in tens of milliseconds; the dense one has enough weights to split a batch of 64 over 2 cores. */
    static final String DENSE = "network D {\n input x[64]\n h = dense(x, 128, relu)\n s = dense(h, 16, relu, connect: random(0.5))\n y = dense(s, 10)\n output y\n loss cross_entropy\n}";
    static final String CONV = "network C {\n input x[2, 6, 6]\n c = conv2d(x, 4, 3, relu, pad: same)\n g = conv2d(x, 4, 3, sigmoid, pad: same)\n on, off = gate(c, g)\n"
            + " m = maxpool(on, 2) + avgpool(off, 2)\n y = dense(flatten(m), 10)\n output y\n loss cross_entropy\n}";
    static final String LSTM = "network L {\n input x[5, 4]\n h = lstm(x, 8, recurrent: band(2))\n y = dense(h, 10)\n output y\n loss cross_entropy\n}";
    static final String STAGED = "network B {\n input x[64]\n z = dense(x, 128)\n h = dropout(relu(batchnorm(z)), 0.3)\n y = dense(h, 10)\n output y\n loss cross_entropy\n}";

    @ParameterizedTest(name = "{0} batch {1}")
    @CsvSource({"D, 64", "D, 1", "C, 8", "L, 8", "B, 64", "B, 3"})
    void aTrainStepAllocatesNothingInterpreted(String name, int batch) throws Exception {
        String source = switch (name) {
            case "D" -> DENSE;
            case "C" -> CONV;
            case "L" -> LSTM;
            default -> STAGED;
        };
        Graph g = TestNetworks.graph(source);
        String before = System.getProperty("nnet.threads");
        System.setProperty("nnet.threads", "2");
        try {
            TestNetworks.TrainingBatch b = TestNetworks.trainingBatch(g, TestNetworks.Kernels.PLAIN, batch);
            Network net = b.net();
            float[][][] x = b.inputs();
            float[][] t = b.targets();
            long[] result = new long[2];
            Thread trainer = new Thread(() -> {
                // two steps make what a network makes once (replicas, threads, tile rows); the third is measured
                net.trainStep(x, t);
                net.trainStep(x, t);
                long[] threads = TestNetworks.trainThreads(g);
                long[] start = new long[threads.length];
                var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                for (int k = 0; k < threads.length; k++) start[k] = bean.getThreadAllocatedBytes(threads[k]);
                net.trainStep(x, t);
                long bytes = 0;
                for (int k = 0; k < threads.length; k++) bytes += bean.getThreadAllocatedBytes(threads[k]) - start[k];
                result[0] = threads.length;
                result[1] = bytes;
            }, "trainer");
            trainer.start();
            trainer.join();
            assertTrue(!name.equals("D") && !name.equals("B") || batch < 4 || result[0] >= 2, "the batch is split over two cores");
            assertEquals(0, result[1], "bytes an interpreted train step allocated");
        } finally {
            if (before == null) System.clearProperty("nnet.threads");
            else System.setProperty("nnet.threads", before);
        }
    }
}
