package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GenNet's classification network as GenNet builds it (issue 24): the gene layer from its topology
 * table with an L1 activity penalty, {@code BatchNormalization(center=False, scale=False)} after it,
 * and L1 (0.01) on the output layer's kernel; trained, evaluated and predicted from the command line.
 */
class GenNetModelTest {
    @TempDir Path tmp;

    private static final String GENNET = """
            network GenNet {
              input snps[100] names "topology.csv" (layer0_node -> layer0_name)
              genes = dense(snps, connect: edges "topology.csv" (layer0_name -> layer1_name), act: tanh, activity: l1(0.01))
              normed = batchnorm(genes, center: false, scale: false)
              y = dense(normed, 1, sigmoid, regularize: l1(0.01))
              output y
              loss binary_cross_entropy
              train { optimizer: adam(lr: 0.01), batch: 32, epochs: 30 }
            }
            """;

    /** The topology's first gene, HERC2, owns SNPs 0 to 4: a case has at least 4 minor alleles there. */
    private void genotypes(int rows, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder x = new StringBuilder(), y = new StringBuilder();
        int[] alleles = {0, 0, 0, 1, 1, 2};
        for (int r = 0; r < rows; r++) {
            int herc2 = 0;
            for (int i = 0; i < 100; i++) {
                int a = alleles[rnd.nextInt(alleles.length)];
                if (i < 5) herc2 += a;
                x.append(i == 0 ? "" : ",").append(a);
            }
            x.append('\n');
            y.append(herc2 >= 4 ? 1 : 0).append('\n');
        }
        Files.writeString(tmp.resolve("x.csv"), x);
        Files.writeString(tmp.resolve("y.csv"), y);
    }

    private String at(String file) {
        return tmp.resolve(file).toString();
    }

    @Test
    void trainsEvaluatesAndPredictsFromTheCommandLine() throws IOException {
        Files.copy(TestNetworks.root().resolve("src/compiler/src/test/resources/tables/gennet_classification_topology.csv"), tmp.resolve("topology.csv"));
        Files.writeString(tmp.resolve("gennet.nnet"), GENNET);
        genotypes(200, 1);
        CliRunner train = CliRunner.run("train", at("gennet.nnet"), "--input", at("x.csv"), "--target", at("y.csv"), "--seed", "1", "-o", at("w.safetensors"));
        assertEquals(0, train.exit(), train.out() + train.err());
        String log = train.out() + train.err();
        Matcher epoch = Pattern.compile("epoch (\\d+)/30: loss ([0-9.]+), penalty ([0-9.]+)").matcher(log);
        double first = Double.NaN, last = Double.NaN;
        int epochs = 0;
        while (epoch.find()) {
            if (epochs++ == 0) first = Double.parseDouble(epoch.group(2));
            last = Double.parseDouble(epoch.group(2));
            assertTrue(Double.parseDouble(epoch.group(3)) > 0, "the penalties are reported apart from the loss: " + epoch.group());
        }
        assertEquals(30, epochs, log);
        assertTrue(last < first / 2, "the loss falls from " + first + " to " + last);

        Map<String, Tensor> w = Safetensors.read(tmp.resolve("w.safetensors"));
        assertFalse(w.containsKey("normed.gamma") || w.containsKey("normed.beta"), "center: false, scale: false: " + w.keySet());
        float[] mean = w.get("normed.moving_mean").data(), variance = w.get("normed.moving_variance").data();
        assertEquals(10, mean.length, "a moving statistic per gene");
        for (int g = 0; g < 10; g++) assertTrue(mean[g] != 0 && variance[g] != 1 && variance[g] > 0, "the moving statistics follow the batches: gene " + g);

        CliRunner evaluate = CliRunner.run("evaluate", at("gennet.nnet"), "--weights", at("w.safetensors"), "--input", at("x.csv"), "--target", at("y.csv"), "--json");
        assertEquals(0, evaluate.exit(), evaluate.err());
        double auc = Double.parseDouble(field(evaluate.out(), "auc")), penalty = Double.parseDouble(field(evaluate.out(), "penalty"));
        assertTrue(auc > 0.95, "HERC2's cases are found: AUC " + auc);
        assertTrue(penalty > 0, evaluate.out());

        CliRunner predict = CliRunner.run("predict", at("gennet.nnet"), "--weights", at("w.safetensors"), "--input", at("x.csv"), "--probe", "normed");
        assertEquals(0, predict.exit(), predict.err());
        List<String> lines = predict.out().lines().toList();
        assertEquals(201, lines.size(), "a header and a row per subject");
        assertTrue(lines.get(0).startsWith("normed[HERC2],normed[BRCA2],"), "the normalized genes keep their names from the topology: " + lines.get(0));
    }

    private static String field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ?([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return m.group(1);
    }
}
