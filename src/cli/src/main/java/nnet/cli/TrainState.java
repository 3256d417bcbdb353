package nnet.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import nnet.runtime.IntTensor;
import nnet.runtime.Network;
import nnet.runtime.io.Safetensors;
import nnet.runtime.StoredTensor;
import nnet.runtime.UserError;

/**
 * What {@code train --resume} needs to go on exactly where a run stopped, written beside {@code
 * -o W.safetensors} as {@code W.resume.safetensors} after every epoch (atomically, with the
 * checkpoint): the weights as they are now (with early stopping {@code -o} holds the best epoch's
 * instead, and those too are kept here), the optimizer's state and step count, the epochs done,
 * and early stopping's best epoch and the figure it watches there (the held-out loss, or {@code --monitor}'s). The shuffling's position is not stored: it is the
 * seed's generator after those epochs, drawn again on resuming. One safetensors file, so other
 * tools can read it; the settings a run must keep to be resumed bit for bit (seed, batch, rows,
 * shuffling, optimizer) are a text tensor in it, compared on resuming.
 */
record TrainState(int epochs, long steps, int best, double bestValue, int written, String settings,
                  Map<String, StoredTensor> weights, Map<String, StoredTensor> bestWeights, Map<String, StoredTensor> optimizer) {
    private static final String WEIGHTS = "weights/", BEST = "best/", OPTIMIZER = "optimizer/", COUNTERS = "run/counters", SETTINGS = "run/settings";
    private static final String SUFFIX = ".resume.safetensors";

    /** {@code out/w.safetensors} keeps its state in {@code out/w.resume.safetensors}. */
    static Path beside(Path weights) {
        String name = weights.getFileName().toString();
        String base = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return weights.resolveSibling(base + SUFFIX);
    }

    /** The state {@code --resume PATH} names: the weights file a run wrote (its state beside it), or the state file itself. */
    static TrainState read(Path resume) {
        Path file = resume.getFileName() != null && resume.getFileName().toString().endsWith(SUFFIX) ? resume : beside(resume);
        if (!Files.exists(file))
            throw new UserError("--resume " + resume + ": no training state at " + file + " (nnetc train writes it beside -o after every epoch;"
                    + " to start a new run from these weights, give --weights " + resume + ")");
        Map<String, StoredTensor> all = Safetensors.readStored(file);
        if (!(all.get(COUNTERS) instanceof IntTensor c) || c.data().length != 7 || !(all.get(SETTINGS) instanceof IntTensor s))
            throw new UserError(file + ": not a training state written by nnetc train (no " + COUNTERS + " and " + SETTINGS + ")");
        int[] n = c.data();
        return new TrainState(n[0], join(n[1], n[2]), n[3], Double.longBitsToDouble(join(n[4], n[5])), n[6], text(s),
                prefixed(all, WEIGHTS), prefixed(all, BEST), prefixed(all, OPTIMIZER));
    }

    /** Writes the state of {@code net} after {@code epochs} epochs (not synced: a checkpoint, synced at the end as -o is). */
    static void write(Path file, int epochs, long steps, int best, double bestValue, int written, String settings,
                      Map<String, StoredTensor> weights, Map<String, StoredTensor> bestWeights, Network net) {
        Map<String, StoredTensor> all = new LinkedHashMap<>();
        long bits = Double.doubleToRawLongBits(bestValue);
        all.put(COUNTERS, new IntTensor(new int[] {7}, new int[] {epochs, (int) (steps >>> 32), (int) steps, best, (int) (bits >>> 32), (int) bits, written}));
        byte[] utf8 = settings.getBytes(StandardCharsets.UTF_8);
        int[] codes = new int[utf8.length];
        for (int k = 0; k < utf8.length; k++) codes[k] = utf8[k];
        all.put(SETTINGS, new IntTensor(new int[] {codes.length}, codes));
        weights.forEach((name, t) -> all.put(WEIGHTS + name, t));
        if (bestWeights != null) bestWeights.forEach((name, t) -> all.put(BEST + name, t));
        net.optimizerState().forEach((name, t) -> all.put(OPTIMIZER + name, t));
        Safetensors.write(file, all, false);
    }

    private static long join(int high, int low) {
        return ((long) high << 32) | (low & 0xffffffffL);
    }

    private static String text(IntTensor codes) {
        byte[] utf8 = new byte[codes.data().length];
        for (int k = 0; k < utf8.length; k++) utf8[k] = (byte) codes.data()[k];
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static Map<String, StoredTensor> prefixed(Map<String, StoredTensor> all, String prefix) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        all.forEach((name, t) -> {
            if (name.startsWith(prefix)) out.put(name.substring(prefix.length()), t);
        });
        return out;
    }
}
