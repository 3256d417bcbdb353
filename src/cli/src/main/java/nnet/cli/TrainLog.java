package nnet.cli;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import nnet.runtime.AtomicFiles;

/**
 * {@code train --log loss.csv}: one row per epoch, {@code epoch,step,loss,val_loss,val_accuracy,lr,samples_per_s}
 * (Keras' CSVLogger names; losses in float32's shortest digits, as training computes them; {@code step} counts optimizer steps over the run, {@code lr} is the rate
 * of the epoch's last step, the held-out cells are empty without held-out rows). The file is
 * rewritten atomically, so it is whole whenever it is read: after an epoch when a second has passed
 * since the last time (rewriting it after each of thousands of short epochs would cost time growing
 * with the square of their number), and at the end (synced to disk), or on an interrupt.
 */
final class TrainLog {
    static final String HEADER = "epoch,step,loss,val_loss,val_accuracy,lr,samples_per_s";

    static final long REWRITE_NANOS = 1_000_000_000L;

    private final Path file;
    private final StringBuilder text = new StringBuilder(HEADER).append('\n');
    private long lastWrite = Long.MIN_VALUE;

    TrainLog(Path file) {
        this.file = file;
    }

    synchronized void epoch(int epoch, long step, float loss, Evaluation heldOut, double lr, double samplesPerSecond) {
        text.append(epoch).append(',').append(step).append(',').append(number(Float.toString(loss))).append(',')
                .append(heldOut == null ? "" : number(Float.toString((float) heldOut.loss()))).append(',')
                .append(heldOut == null || !heldOut.hasAccuracy() ? "" : number(heldOut.accuracy())).append(',')
                .append(number(lr)).append(',').append(String.format(Locale.ROOT, "%.1f", samplesPerSecond)).append('\n');
        if (lastWrite == Long.MIN_VALUE || System.nanoTime() - lastWrite > REWRITE_NANOS) write(false);
    }

    /** Every row so far, synced to disk: at the end of the run, or from the shutdown hook of an interrupted one. */
    synchronized void finish() {
        write(true);
    }

    private synchronized void write(boolean durable) {
        lastWrite = System.nanoTime();
        String content = text.toString();
        AtomicFiles.write(file, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            w.write(content);
            w.flush();
        }, durable);
    }

    /** Shortest form that reads back to the same double (0.001, not 1.0E-3, for spreadsheets). */
    private static String number(double v) {
        return Double.isFinite(v) ? number(Double.toString(v)) : "";
    }

    private static String number(String s) {
        if (s.contains("N") || s.contains("I")) return ""; // NaN, Infinity
        return s.contains("E") ? new java.math.BigDecimal(s).toPlainString() : s;
    }
}
