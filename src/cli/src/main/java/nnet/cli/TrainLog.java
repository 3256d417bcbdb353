package nnet.cli;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import nnet.runtime.io.AtomicFiles;

/**
 * {@code train --log loss.csv}: one row per epoch, {@code epoch,step,loss,val_loss,val_accuracy,lr,samples_per_s}
 * (Keras' CSVLogger names; losses in float32's shortest digits, as training computes them; {@code step} counts optimizer steps over the run, {@code lr} is the rate
 * of the epoch's last step, the held-out cells are empty without held-out rows), then the columns
 * added since, which scripts that read the first ones never see: {@code seconds} (the epoch's time),
 * {@code penalty} and {@code val_penalty} when the network has penalties, the training rows' figures
 * ({@code accuracy}, {@code auc}, ..., of the predictions the epoch's steps made) and the held-out
 * rows' ({@code val_auc}, ...), and with several losses each head's ({@code y1_loss}, {@code y1_auc},
 * {@code val_y1_loss}, ...), Keras' names for them. A figure a row lacks is an empty cell. The file is
 * rewritten atomically, so it is whole whenever it is read: after an epoch when a second has passed
 * since the last time (rewriting it after each of thousands of short epochs would cost time growing
 * with the square of their number), and at the end (synced to disk), or on an interrupt.
 */
final class TrainLog {
    static final String HEADER = "epoch,step,loss,val_loss,val_accuracy,lr,samples_per_s";

    static final long REWRITE_NANOS = 1_000_000_000L;

    private final Path file;
    /** The columns after {@link #HEADER}'s. */
    private final List<String> extra = new ArrayList<>();
    private final StringBuilder text;
    private long lastWrite = Long.MIN_VALUE;

    /**
     * @param training the figures the training rows will have ({@link Evaluation#figuresOf}); held-out likewise, or null
     * @param penalties whether the network has weight or activity penalties
     */
    TrainLog(Path file, Evaluation training, Evaluation heldOut, boolean penalties) {
        this.file = file;
        extra.add("seconds");
        if (penalties) {
            extra.add("penalty");
            if (heldOut != null) extra.add("val_penalty");
        }
        List<String> named = new ArrayList<>(), heldNamed = new ArrayList<>();
        for (String f : training.figureNames()) if (!f.equals("loss") && !f.equals("penalty")) named.add(f);
        if (heldOut != null) for (String f : heldOut.figureNames()) if (!f.equals("loss") && !f.equals("penalty") && !f.equals("accuracy")) heldNamed.add("val_" + f);
        extra.addAll(named);
        extra.addAll(heldNamed);
        text = new StringBuilder(HEADER);
        for (String c : extra) text.append(',').append(c);
        text.append('\n');
    }

    synchronized void epoch(EpochLoop.Report r) {
        Evaluation heldOut = r.heldOut();
        text.append(r.epoch()).append(',').append(r.step()).append(',').append(number(Float.toString((float) r.training().loss()))).append(',')
                .append(heldOut == null ? "" : number(Float.toString((float) heldOut.loss()))).append(',')
                .append(heldOut == null || !heldOut.hasAccuracy() ? "" : number(heldOut.accuracy())).append(',')
                .append(number(r.lr())).append(',').append(String.format(Locale.ROOT, "%.1f", r.samplesPerSecond()));
        for (String c : extra) {
            text.append(',');
            if (c.equals("seconds")) text.append(String.format(Locale.ROOT, "%.3f", r.seconds()));
            else {
                Evaluation e = c.startsWith("val_") ? heldOut : r.training();
                Double v = e == null ? null : e.figure(c.startsWith("val_") ? c.substring(4) : c);
                if (v != null) text.append(c.endsWith("loss") || c.endsWith("penalty") ? number(Float.toString((float) (double) v)) : number(v));
            }
        }
        text.append('\n');
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
