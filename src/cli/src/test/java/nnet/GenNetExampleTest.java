package nnet;

import static nnet.DataBeyondMemoryTest.column;
import static nnet.DataBeyondMemoryTest.concat;
import static nnet.DataBeyondMemoryTest.data;
import static nnet.DataBeyondMemoryTest.field;
import static nnet.DataBeyondMemoryTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nnet.runtime.io.Npy;
import nnet.runtime.io.Safetensors;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/gennet's GenNet network (gennet_classification.nnet: GenNet's own, with batchnorm after
 * the gene layer and L1 penalties on the output kernel and the gene layer's activity; issue 24's
 * done-when) trained from the command line as a GenNet user runs it: GenNet's files as h5py and
 * pandas write them (make_hdf5.py's gennet/: genotype.h5, subjects.csv) with the example's
 * topology.csv, the sets by subjects.csv's set column.
 */
class GenNetExampleTest {
    @TempDir Path tmp;

    private static final String H5 = data("gennet/genotype.h5"), SUBJECTS = data("gennet/subjects.csv");
    private static final String[] ROWS = {"--input", H5, "--rows", SUBJECTS + ":genotype_row", "--split", SUBJECTS + ":set"};

    @Test
    void gennetsClassificationNetworkTrainsAndReportsItsPenalty() throws IOException {
        String net = CliTest.example("gennet/gennet_classification.nnet");
        Path log = tmp.resolve("log.csv"), w = tmp.resolve("w.safetensors");
        CliRunner r = ok(concat(new String[] {"train", net, "--target", SUBJECTS + ":labels", "--epochs", "8", "--lr", "0.01", "--early-stopping", "20", "--log", log.toString(), "-o", w.toString()}, ROWS));
        // parts without validation rows (the labels as parts: 0 trains, 1 is the test) leave early stopping nothing to watch
        CliRunner noHeldOut = CliRunner.run("train", net, "--input", H5, "--rows", SUBJECTS + ":genotype_row", "--target", SUBJECTS + ":labels",
                "--split", SUBJECTS + ":labels", "--split-codes", "train=0,val=2,test=1", "--early-stopping", "2", "-o", w.toString());
        noHeldOut.assertUserError("has no validation rows (val=... of --split-codes train=0,val=2,test=1), and --early-stopping watches the held-out loss");
        List<String> lines = r.err().lines().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(8, lines.size(), r.err());
        for (String l : lines) assertTrue(l.contains(", penalty ") && l.contains(", held-out penalty ") && l.contains("held-out auc"), l);

        List<Double> loss = numbers(column(log, "loss")), heldOut = numbers(column(log, "val_loss")), penalty = numbers(column(log, "penalty"));
        assertTrue(loss.get(7) < 0.8 * loss.get(0), "the training loss falls: " + loss);
        assertTrue(heldOut.get(7) < heldOut.get(0), "the held-out loss falls: " + heldOut);
        assertTrue(penalty.stream().allMatch(p -> p > 0), "the L1 penalties, apart from the loss: " + penalty);

        Map<String, StoredTensor> weights = Safetensors.readStored(w);
        assertTrue(weights.containsKey("genes_norm.moving_mean") && weights.containsKey("genes_norm.moving_variance"), weights.keySet().toString());
        assertFalse(weights.containsKey("genes_norm.gamma") || weights.containsKey("genes_norm.beta"), "center: false, scale: false, as GenNet's");

        // evaluate's penalty is 0.01 Σ|y.kernel| plus the mean over the test rows of 0.01 Σ|genes| (Keras' l1 on the kernel and on the activity)
        String[] test = concat(ROWS, new String[] {"--weights", w.toString(), "--part", "test"});
        CliRunner evaluated = ok(concat(new String[] {"evaluate", net, "--target", SUBJECTS + ":labels", "--json"}, test));
        Path genes = tmp.resolve("genes.npz");
        ok(concat(new String[] {"predict", net, "--probe", "genes", "-o", genes.toString()}, test));
        Tensor g = Npy.readArchive(genes).get("genes");
        double activity = 0;
        for (float v : g.data()) activity += Math.abs(v);
        activity = 0.01 * activity / g.shape()[0];
        double kernel = 0;
        for (float v : ((Tensor) weights.get("y.kernel")).data()) kernel += Math.abs(v);
        assertEquals(0.01 * kernel + activity, Double.parseDouble(field(evaluated.out(), "penalty")), 1e-5, evaluated.out());
        assertEquals(50, (int) Double.parseDouble(field(evaluated.out(), "rows")), "set 3's 50 rows");
    }

    /** Both networks take their connections and names from GenNet's topology.csv, and match the interpreter. */
    @Test
    void theExampleNetworksReadGenNetsTopology() throws IOException {
        for (String file : List.of("gennet.nnet", "gennet_classification.nnet")) {
            Compiler.Checked c = Compiler.check(Path.of(CliTest.example("gennet/" + file)));
            assertTrue(c.ok(), () -> file + ": " + c.diagnostics());
            nnet.ir.Graph g = c.graphs().get(0);
            assertEquals(List.of("HERC2", "BRCA2", "ApoE", "NRG", "RGS-4", "VEGFA", "EGFR", "TGFBI", "TNF", "IL6"), g.unitNames().get("genes"), file);
            assertEquals("SNP99", g.unitNames().get("snps").get(99), file);
            assertEquals(100L, g.params().stream().filter(p -> p.name().equals("genes.kernel")).findFirst().orElseThrow().present().count(), file + ": one connection per SNP");
            TestNetworks.assertMatchesInterpreter(g, 3);
        }
    }

    private static List<Double> numbers(List<String> cells) {
        return cells.stream().map(Double::parseDouble).toList();
    }
}
