package nnet.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What {@code train} shows while it runs, on standard error: a progress bar on a terminal; one line
 * per epoch otherwise (a log file or a pipe would get one huge line of carriage returns from a
 * bar); nothing with {@code --quiet}.
 */
abstract class Progress implements AutoCloseable {
    /** After each step: the epoch, the step's rows and loss, samples per second since the start. */
    void step(int epoch, int rows, float loss, double samplesPerSecond) {}

    /** After each epoch (held-out is null without held-out rows). */
    void epoch(int epoch, int epochs, float loss, Evaluation heldOut, double lr, double samplesPerSecond) {}

    @Override
    public void close() {}

    static Progress none() {
        return new Progress() {};
    }

    /** A bar over the rows of every epoch when standard output and input are a terminal (the JVM's console), else lines. */
    static Progress choose(String name, long rows, PrintStream err) {
        return System.console() != null ? new Bar(name, rows, err) : new Lines(err);
    }

    /** The epoch's figures in one line: {@code epoch 3/20: loss 0.1234, held-out loss 0.2, accuracy 95.0%, lr 0.001, 12,345 samples/s}. */
    static String line(int epoch, int epochs, float loss, Evaluation heldOut, double lr, double samplesPerSecond) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d: loss %.4g", epoch, epochs, loss));
        if (heldOut != null) {
            sb.append(String.format(Locale.ROOT, ", held-out loss %.4g", heldOut.loss()));
            if (heldOut.hasAccuracy()) sb.append(String.format(Locale.ROOT, ", held-out accuracy %.1f%%", 100 * heldOut.accuracy()));
        }
        return sb.append(", lr ").append(rate(lr)).append(String.format(Locale.ROOT, ", %,.0f samples/s", samplesPerSecond)).toString();
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
        void epoch(int epoch, int epochs, float loss, Evaluation heldOut, double lr, double samplesPerSecond) {
            out.println(line(epoch, epochs, loss, heldOut, lr, samplesPerSecond));
        }
    }

    static final class Bar extends Progress {
        private final ProgressBar bar;
        private String heldOut = "";

        Bar(String name, long rows, PrintStream err) {
            bar = new ProgressBarBuilder().setTaskName("train " + name).setInitialMax(rows).setUnit(" rows", 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(err, 130)).build();
        }

        @Override
        void step(int epoch, int rows, float loss, double samplesPerSecond) {
            bar.stepBy(rows);
            bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d loss %.4g%s %,.0f samples/s", epoch, loss, heldOut, samplesPerSecond));
        }

        @Override
        void epoch(int epoch, int epochs, float loss, Evaluation e, double lr, double samplesPerSecond) {
            if (e == null) return;
            heldOut = String.format(Locale.ROOT, " held-out %.4g", e.loss()) + (e.hasAccuracy() ? String.format(Locale.ROOT, " %.1f%%", 100 * e.accuracy()) : "");
            // the last epoch's figures show at once, not only with the next step
            bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d loss %.4g%s %,.0f samples/s", epoch, loss, heldOut, samplesPerSecond));
        }

        @Override
        public void close() {
            bar.close();
        }
    }
}
