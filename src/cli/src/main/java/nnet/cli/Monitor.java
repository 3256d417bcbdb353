package nnet.cli;

import java.util.ArrayList;
import java.util.List;
import nnet.runtime.UserError;

/**
 * What {@code --early-stopping} watches ({@code --monitor}, Keras' name for it): {@code val_loss} by
 * default, or any figure of the log, the held-out rows' ({@code val_auc}, {@code val_y1_loss}) or the
 * training rows' ({@code loss}, {@code auc}); each in its direction (losses and errors down, accuracy,
 * AUC, precision, recall, F1 and R² up), as Keras' {@code mode="auto"} takes it.
 */
record Monitor(String name, boolean higherIsBetter) {
    static final Monitor DEFAULT = new Monitor("val_loss", false);

    /** {@code name} checked against the figures the run will have, before any work. */
    static Monitor of(String name, Evaluation training, Evaluation heldOut) {
        List<String> known = new ArrayList<>();
        for (String f : training.figureNames()) known.add(f);
        if (heldOut != null) for (String f : heldOut.figureNames()) known.add("val_" + f);
        if (!known.contains(name)) {
            String hint = name.startsWith("val_") && heldOut == null ? "; figures of held-out rows need --validation, --validation-split or --split's validation rows" : "";
            throw new UserError("--monitor " + name + ": this run has no such figure" + hint + " (it has " + String.join(", ", known) + ")");
        }
        String metric = name.startsWith("val_") ? name.substring(4) : name;
        metric = metric.substring(metric.lastIndexOf('_') + 1);
        return new Monitor(name, Metrics.higherIsBetter(metric));
    }

    /** The figure in an epoch's report, or NaN when the epoch has none (no finite value). */
    double valueOf(EpochLoop.Report r) {
        Evaluation e = name.startsWith("val_") ? r.heldOut() : r.training();
        Double v = e == null ? null : e.figure(name.startsWith("val_") ? name.substring(4) : name);
        return v == null ? Double.NaN : v;
    }

    /** Whether {@code value} is better than {@code best} (NaN never is). */
    boolean better(double value, double best) {
        if (Double.isNaN(value)) return false;
        return Double.isNaN(best) || (higherIsBetter ? value > best : value < best);
    }

    /** For people: "the lowest held-out loss", "the highest val_auc". */
    String describe() {
        return name.equals("val_loss") ? "the lowest held-out loss" : (higherIsBetter ? "the highest " : "the lowest ") + name;
    }
}
