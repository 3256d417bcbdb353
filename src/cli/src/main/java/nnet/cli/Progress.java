package nnet.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What {@code train} shows while it runs, on standard error: a line per epoch (Keras' way: the
 * epoch, the mean loss of its steps, the training and held-out figures, the rate, the speed and the
 * time), under a live progress bar on a terminal, fitted to its width; the lines alone otherwise
 * (a log file or a pipe would get one huge line of carriage returns from a bar); nothing with
 * {@code --quiet}.
 */
abstract class Progress implements AutoCloseable {
    /** After each step: the epoch, the step's rows, the mean loss of the epoch's steps so far, samples per second since the start. */
    void step(int epoch, int rows, float loss, double samplesPerSecond) {}

    /** After each epoch. */
    void epoch(EpochLoop.Report r) {}

    @Override
    public void close() {}

    static Progress none() {
        return new Progress() {};
    }

    /** A bar over the rows of every epoch when standard output and input are a terminal (the JVM's console), else lines. */
    static Progress choose(String name, long rows, PrintStream err) {
        return System.console() != null ? new Bar(name, rows, err) : new Lines(err);
    }

    /** The figures a line shows of a head: accuracy, AUC for labels, R² for regression (the log has them all). */
    private static final List<String> SHOWN = List.of("accuracy", "auc", "r2");

    /**
     * The epoch's figures in one line: {@code epoch 3/20: loss 0.1234, accuracy 93.0%, auc 0.97, held-out
     * loss 0.2, held-out accuracy 95.0%, held-out auc 0.96, lr 0.001, 12,345 samples/s, 0.52 s}; the
     * penalty after the loss when there is one; with several losses each head's loss and figures in
     * brackets after the sum's ({@code loss 0.4 [y1: loss 0.1, accuracy 95.0%; y2: loss 0.3, r2 0.81]}).
     */
    static String line(EpochLoop.Report r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d: ", r.epoch(), r.epochs()));
        figures(sb, r.training(), "");
        if (r.heldOut() != null) figures(sb.append(", "), r.heldOut(), "held-out ");
        return sb.append(", lr ").append(rate(r.lr())).append(String.format(Locale.ROOT, ", %,.0f samples/s, %s", r.samplesPerSecond(), time(r.seconds()))).toString();
    }

    private static void figures(StringBuilder sb, Evaluation e, String prefix) {
        sb.append(String.format(Locale.ROOT, "%sloss %.4g", prefix, e.loss()));
        if (e.penalty() != 0 && Double.isFinite(e.penalty())) sb.append(String.format(Locale.ROOT, ", %spenalty %.4g", prefix, e.penalty()));
        if (e.heads().size() == 1) {
            for (String m : SHOWN) if (e.heads().get(0).metrics().containsKey(m)) sb.append(", ").append(prefix).append(figure(m, e.heads().get(0).metrics().get(m)));
            return;
        }
        if (e.hasAccuracy()) sb.append(String.format(Locale.ROOT, ", %saccuracy %.1f%%", prefix, 100 * e.accuracy())); // the heads' mean, as before heads were shown
        List<String> heads = new ArrayList<>();
        for (Evaluation.Head h : e.heads()) {
            StringBuilder part = new StringBuilder(h.output()).append(String.format(Locale.ROOT, ": loss %.4g", h.loss()));
            for (String m : SHOWN) if (h.metrics().containsKey(m)) part.append(", ").append(figure(m, h.metrics().get(m)));
            heads.add(part.toString());
        }
        sb.append(" [").append(String.join("; ", heads)).append(']');
    }

    private static String figure(String metric, double v) {
        if (Double.isNaN(v)) return metric + " -";
        return metric.equals("accuracy") ? String.format(Locale.ROOT, "accuracy %.1f%%", 100 * v) : String.format(Locale.ROOT, "%s %.4g", metric, v);
    }

    /** {@code 0.52 s}, {@code 12.3 s}, {@code 4 min 05 s}. */
    static String time(double seconds) {
        if (seconds < 60) return String.format(Locale.ROOT, seconds < 10 ? "%.2f s" : "%.1f s", seconds);
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    /** A learning rate to 4 significant digits, without trailing zeros: 0.001, 0.0009755 (a cosine schedule's), 1e-05. */
    static String rate(double lr) {
        String s = String.format(Locale.ROOT, "%.4g", lr);
        int e = s.indexOf('e') < 0 ? s.length() : s.indexOf('e');
        String mantissa = s.substring(0, e);
        if (mantissa.contains(".")) mantissa = mantissa.replaceAll("\\.?0+$", "");
        return mantissa + s.substring(e);
    }

    static final class Lines extends Progress {
        private final PrintStream out;

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        void epoch(EpochLoop.Report r) {
            out.println(line(r));
        }
    }

    /**
     * A bar fitted to the terminal's width (the library asks the terminal each time it draws), with
     * each epoch's line printed above it as the epoch ends: the line clears the bar's row and ends
     * with a newline, and the bar is drawn again below it. One {@code print} call each, so the bar's
     * own thread, printing to the same stream, never cuts a line in two.
     */
    static final class Bar extends Progress {
        private final ProgressBar bar;
        private final PrintStream err;
        private String heldOut = "";

        Bar(String name, long rows, PrintStream err) {
            this.err = err;
            bar = new ProgressBarBuilder().setTaskName("train " + name).setInitialMax(rows).setUnit(" rows", 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).build();
        }

        @Override
        void step(int epoch, int rows, float loss, double samplesPerSecond) {
            bar.stepBy(rows);
            bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d loss %.4g%s %,.0f samples/s", epoch, loss, heldOut, samplesPerSecond));
        }

        @Override
        void epoch(EpochLoop.Report r) {
            if (r.heldOut() != null)
                heldOut = String.format(Locale.ROOT, " held-out %.4g", r.heldOut().loss()) + (r.heldOut().hasAccuracy() ? String.format(Locale.ROOT, " %.1f%%", 100 * r.heldOut().accuracy()) : "");
            err.print("\r\033[2K" + line(r) + "\n"); // ESC[2K: erase the bar's row
            bar.refresh();
        }

        @Override
        public void close() {
            bar.close();
        }
    }
}
