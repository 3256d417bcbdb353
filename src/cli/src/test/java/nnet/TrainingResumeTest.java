package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import nnet.runtime.io.Safetensors;
import nnet.runtime.StoredTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --resume} (issue 29 item 6): a run that goes on from its state (weights, optimizer
 * state, epochs, early stopping, the shuffling's position) ends as the run that never stopped,
 * bit for bit: extended (3 epochs, then to 5) or interrupted (stopped by a signal, then resumed).
 */
class TrainingResumeTest {
    @TempDir Path tmp;

    /** 20 rows of examples/gated.nnet's 8 features and 3 classes, so that batches of 4 shuffle for real. */
    private Path[] data() throws IOException {
        SplittableRandom rnd = new SplittableRandom(5);
        StringBuilder x = new StringBuilder(), t = new StringBuilder();
        for (int r = 0; r < 20; r++) {
            for (int k = 0; k < 8; k++) x.append(k == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT, "%.4f", rnd.nextDouble(-1, 1)));
            x.append('\n');
            t.append(rnd.nextInt(3)).append('\n');
        }
        return new Path[] {Files.writeString(tmp.resolve("x.csv"), x), Files.writeString(tmp.resolve("t.csv"), t)};
    }

    private static CliRunner ok(String... args) {
        CliRunner r = CliRunner.run(args);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    private static List<String> args(List<String> common, String... more) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(more));
        return all;
    }

    private static void assertSameWeights(Path expected, Path actual, String why) throws IOException {
        Map<String, StoredTensor> e = Safetensors.readStored(expected), a = Safetensors.readStored(actual);
        assertEquals(e.keySet(), a.keySet(), why);
        for (String name : e.keySet()) {
            if (!(e.get(name) instanceof nnet.runtime.Tensor et && a.get(name) instanceof nnet.runtime.Tensor at)) continue; // indices, counters: in the bytes below
            float[] ev = et.data(), av = at.data();
            for (int k = 0; k < ev.length; k++)
                assertEquals(Float.floatToRawIntBits(ev[k]), Float.floatToRawIntBits(av[k]), why + ": " + name + "[" + k + "]");
        }
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(actual), why + ": the same file");
    }

    @Test
    void threeEpochsThenTwoMoreAreFiveEpochsBitForBit() throws IOException {
        Path[] d = data();
        String gated = CliTest.example("gated.nnet");
        // adam's moments and step count, a warmup over the steps then a step schedule by epoch, held-out rows drawn from the seed
        List<List<String>> variants = List.of(
                List.of("--no-shuffle"),
                List.of("--seed", "7"),
                List.of("--seed", "3", "--optimizer", "sgd", "--lr", "warmup(6, step(0.05, every: 2, factor: 0.5))"),
                List.of("--seed", "9", "--validation-split", "0.25", "--early-stopping", "3"),
                List.of("--seed", "2", "--validation-split", "0.25", "--early-stopping", "4", "--lr", "0.3"));
        for (List<String> v : variants) {
            List<String> common = args(List.of("train", gated, "--input", d[0].toString(), "--target", d[1].toString(), "--batch", "4", "--quiet"), v.toArray(String[]::new));
            CliRunner r = assertResumedAsIfNotStopped(common, "Gated", "run" + variants.indexOf(v));
            if (v.contains("0.3")) assertTrue(r.out().matches("(?s).*kept epoch [123],.*"), "the best epoch came before the resume, and -o holds it:\n" + r.out());
        }
    }

    /**
     * Trains 5 epochs, and 3 then resumed to 5, with {@code common}'s arguments: the same weights, state
     * and report, bit for bit; the run resumed from is left as it was. Returns the resumed run.
     */
    private CliRunner assertResumedAsIfNotStopped(List<String> common, String network, String dirName) throws IOException {
        String tag = String.join(" ", common);
        Path dir = Files.createDirectory(tmp.resolve(dirName));
        Path five = dir.resolve("five.safetensors"), three = dir.resolve("three.safetensors"), resumed = dir.resolve("resumed.safetensors");
        ok(args(common, "--epochs", "5", "-o", five.toString()).toArray(String[]::new));
        ok(args(common, "--epochs", "3", "-o", three.toString()).toArray(String[]::new));
        assertTrue(Files.exists(dir.resolve("three.resume.safetensors")), "the state is kept beside -o");
        byte[] before = Files.readAllBytes(three);
        CliRunner r = ok(args(common, "--epochs", "5", "--resume", three.toString(), "-o", resumed.toString()).toArray(String[]::new));
        assertTrue(r.err().contains("resuming " + network + " after epoch 3 (" + dir.resolve("three.resume.safetensors") + ")"), r.err());
        assertSameWeights(five, resumed, tag);
        assertSameWeights(dir.resolve("five.resume.safetensors"), dir.resolve("resumed.resume.safetensors"), tag + ": and the state to go on from");
        assertArrayEquals(before, Files.readAllBytes(three), "the run resumed from is left as it was");
        assertEquals(CliRunner.run(args(common, "--epochs", "5", "-o", five.toString()).toArray(String[]::new)).out(), r.out(),
                tag + ": the same report (epochs, loss, kept epoch, figures)");
        return r;
    }

    /**
     * The same with what the other parts of training add: weight and activity penalties, class and sample
     * weights, dropout's masks (drawn from the step's number: the resumed run goes on counting), a
     * batchnorm's staged step and moving statistics, --monitor's best figure (early stopping's, kept in
     * the state); and an embedding's rows, stepped only when a batch touches them (their optimizer
     * state made at a row's first touch, saved and loaded as zeros before it: ids 12 to 15 never occur).
     */
    @Test
    void penaltiesWeightsDropoutBatchnormEmbeddingsAndTheMonitorResumeBitForBit() throws IOException {
        Path[] d = data();
        SplittableRandom rnd = new SplittableRandom(11);
        StringBuilder weights = new StringBuilder(), tokens = new StringBuilder();
        for (int r = 0; r < 20; r++) {
            weights.append(String.format(java.util.Locale.ROOT, "%.3f", rnd.nextDouble(0.25, 2))).append('\n');
            for (int k = 0; k < 4; k++) tokens.append(k == 0 ? "" : ",").append(rnd.nextInt(12));
            tokens.append('\n');
        }
        Path w = Files.writeString(tmp.resolve("w.csv"), weights), t = Files.writeString(tmp.resolve("tokens.csv"), tokens);
        Path fielded = Files.writeString(tmp.resolve("fielded.nnet"), """
                network Fielded {
                  input x[8]
                  h = dense(x, 12, relu, regularize: l1_l2(0.001, 0.01), activity: l2(0.001))
                  d = dropout(h, 0.25)
                  n = batchnorm(d)
                  y = dense(n, 3)
                  output y
                  loss cross_entropy(class_weights: [1, 2, 0.5])
                }
                """);
        CliRunner r = assertResumedAsIfNotStopped(List.of("train", fielded.toString(), "--input", d[0].toString(), "--target", d[1].toString(), "--batch", "4", "--quiet",
                "--seed", "4", "--sample-weights", w.toString(), "--validation-split", "0.4", "--early-stopping", "3", "--monitor", "val_auc"), "Fielded", "fielded");
        assertTrue(r.out().contains("the one with the highest val_auc"), r.out());
        Path embedded = Files.writeString(tmp.resolve("embedded.nnet"), """
                network Embedded {
                  input t[4] int
                  e = embedding(t, 16, 3)
                  y = dense(flatten(e), 3)
                  output y
                  loss cross_entropy
                }
                """);
        assertResumedAsIfNotStopped(List.of("train", embedded.toString(), "--input", t.toString(), "--target", d[1].toString(), "--batch", "4", "--quiet",
                "--seed", "5", "--optimizer", "adam"), "Embedded", "embedded");
    }

    @Test
    void aRunStoppedByASignalGoesOnAsIfItHadNot() throws Exception {
        Path w = tmp.resolve("w.safetensors"), state = tmp.resolve("w.resume.safetensors");
        List<String> common = List.of("train", CliTest.example("xor_train.nnet"), "--input", CliTest.example("xor_x.csv"), "--target", CliTest.example("xor_y.csv"),
                "--lr", "0.01", "--quiet");
        List<String> command = new ArrayList<>(List.of(CliOutputsTest.java(), "-cp", System.getProperty("java.class.path"), "nnet.cli.Main"));
        command.addAll(args(common, "--epochs", "100000000", "-o", w.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(state) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(50);
        Thread.sleep(500);
        assertTrue(p.isAlive(), "the run is still going");
        p.destroy(); // SIGTERM: the shutdown hook syncs the checkpoint and its state
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        int done = nnet.runtime.io.Safetensors.readStored(state).get("run/counters") instanceof nnet.runtime.IntTensor c ? c.data()[0] : -1;
        assertTrue(done > 0, "the state says how many epochs ran: " + done);
        String total = Integer.toString(done + 2);
        Path resumed = tmp.resolve("resumed.safetensors"), straight = tmp.resolve("straight.safetensors");
        ok(args(common, "--epochs", total, "--resume", w.toString(), "-o", resumed.toString()).toArray(String[]::new));
        ok(args(common, "--epochs", total, "-o", straight.toString()).toArray(String[]::new));
        assertSameWeights(straight, resumed, "interrupted after epoch " + done + ", resumed to " + total);
    }

    @Test
    void aResumeThatCannotGoOnAsTheRunDidIsRefused() throws IOException {
        Path[] d = data();
        List<String> common = List.of("train", CliTest.example("gated.nnet"), "--input", d[0].toString(), "--target", d[1].toString(), "--quiet", "--batch", "4");
        Path w = tmp.resolve("w.safetensors"), out = tmp.resolve("out.safetensors");
        ok(args(common, "--epochs", "3", "-o", w.toString()).toArray(String[]::new));
        CliRunner.run(args(common, "--epochs", "3", "--resume", w.toString(), "-o", out.toString()).toArray(String[]::new))
                .assertUserError("--resume: that run has done 3 epochs already; --epochs is the total: give more than 3");
        CliRunner.run(args(common, "--epochs", "5", "--seed", "2", "--resume", w.toString(), "-o", out.toString()).toArray(String[]::new))
                .assertUserError("the run being resumed was Gated: seed 1, batch 4, 20 training rows, shuffled, adam {}; this one would be Gated: seed 2, batch 4,");
        CliRunner.run(args(common, "--epochs", "5", "--resume", tmp.resolve("none.safetensors").toString(), "-o", out.toString()).toArray(String[]::new))
                .assertUserError("no training state at " + tmp.resolve("none.resume.safetensors"));
        CliRunner.run(args(common, "--epochs", "5", "--resume", w.toString(), "--weights", w.toString(), "-o", out.toString()).toArray(String[]::new))
                .assertUserError("give --resume (go on with a run) or --weights (start a new run from these weights), not both");
        assertFalse(Files.exists(out), "nothing written by a refused run");
    }
}
