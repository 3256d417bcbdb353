package nnet.runtime.math;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A learning rate that changes during training ({@code lr:} in {@code train { }}, {@code nnetc
 * train --lr}): a number, {@code step(0.01, every: 10, factor: 0.5)}, {@code cosine(0.01, min:
 * 0.0001)} or {@code warmup(100, then)}. Epochs and steps count from 1; {@code step} and
 * {@code cosine} change the rate at the start of an epoch (PyTorch's {@code StepLR} and
 * {@code CosineAnnealingLR} stepped once per epoch), {@code warmup} at every optimizer step.
 * Built in one place ({@link #of}) for the checker and the command line alike, so both accept
 * and refuse the same forms.
 */
public sealed interface LrSchedule {
    /** The rate of optimizer step {@code step} (from 1, counted over the whole run), in epoch {@code epoch} (from 1) of {@code epochs}. */
    double at(long step, int epoch, int epochs);

    /** The rate of the first epoch after any warmup: what an optimizer without the schedule would use. */
    double base();

    /** The names the {@code lr:} setting takes as calls. */
    List<String> FORMS = List.of("step", "cosine", "warmup");

    /** The same rate throughout. */
    record Constant(double lr) implements LrSchedule {
        public double at(long step, int epoch, int epochs) {
            return lr;
        }

        public double base() {
            return lr;
        }
    }

    /** {@code lr * factor^floor((epoch - 1) / every)}: multiplied by {@code factor} after every {@code every} epochs. */
    record Step(double lr, int every, double factor) implements LrSchedule {
        public double at(long step, int epoch, int epochs) {
            return lr * Math.pow(factor, (epoch - 1) / every);
        }

        public double base() {
            return lr;
        }
    }

    /** {@code min + (lr - min) (1 + cos(pi (epoch - 1) / epochs)) / 2}: from {@code lr} in epoch 1 down towards {@code min}. */
    record Cosine(double lr, double min) implements LrSchedule {
        public double at(long step, int epoch, int epochs) {
            return min + (lr - min) * (1 + Math.cos(Math.PI * (epoch - 1) / epochs)) / 2;
        }

        public double base() {
            return lr;
        }
    }

    /** {@code then}'s rate times {@code step / steps} for the first {@code steps} steps (a linear ramp from near 0), then {@code then}'s. */
    record Warmup(long steps, LrSchedule then) implements LrSchedule {
        public double at(long step, int epoch, int epochs) {
            double rate = then.at(step, epoch, epochs);
            return step < steps ? rate * step / steps : rate;
        }

        public double base() {
            return then.base();
        }
    }

    /** A problem with one argument ({@code argument}: its name, or {@code #k} for the k-th positional one from 0; null for the call). */
    final class Problem extends RuntimeException {
        public final String argument;

        Problem(String argument, String message) {
            super(message);
            this.argument = argument;
        }
    }

    /**
     * The schedule {@code form(positional..., named...)}; each argument a Double or (warmup's
     * {@code then}) an LrSchedule. Throws {@link Problem} naming the argument at fault.
     */
    static LrSchedule of(String form, List<Object> positional, Map<String, Object> named) {
        return switch (form) {
            case "step" -> {
                allowed(form, positional, named, 1, List.of("every", "factor"), "step(0.01, every: 10, factor: 0.5)");
                double lr = rate(positional.get(0), "#0");
                int every = (int) whole(need(named, "every", form), "every");
                double factor = number(need(named, "factor", form), "factor");
                if (!(factor > 0 && factor <= 1)) throw new Problem("factor", "factor must be in (0, 1], found " + format(factor));
                yield new Step(lr, every, factor);
            }
            case "cosine" -> {
                allowed(form, positional, named, 1, List.of("min"), "cosine(0.01, min: 0.0001)");
                double lr = rate(positional.get(0), "#0");
                double min = named.containsKey("min") ? number(named.get("min"), "min") : 0;
                if (!(min >= 0 && min < lr)) throw new Problem("min", "min must be at least 0 and below the rate " + format(lr) + ", found " + format(min));
                yield new Cosine(lr, min);
            }
            case "warmup" -> {
                allowed(form, positional, named, 2, List.of(), "warmup(100, cosine(0.01, min: 0.0001)) or warmup(100, 0.01)");
                long steps = whole(positional.get(0), "#0");
                Object then = positional.get(1);
                if (then instanceof Warmup) throw new Problem("#1", "a warmup inside a warmup: give one warmup with the steps of both");
                yield new Warmup(steps, then instanceof LrSchedule s ? s : new Constant(rate(then, "#1")));
            }
            default -> throw new Problem(null, "unknown learning-rate schedule '" + form + "': expected a number, " + String.join(", ", FORMS));
        };
    }

    private static void allowed(String form, List<Object> positional, Map<String, Object> named, int count, List<String> names, String example) {
        for (String n : named.keySet())
            if (!names.contains(n)) throw new Problem(n, form + " takes " + (names.isEmpty() ? "no named settings" : "the named settings " + String.join(", ", names)) + ", e.g. " + example);
        if (positional.size() != count)
            throw new Problem(positional.size() > count ? "#" + count : null, form + " takes " + (count == 1 ? "the rate" : count + " values") + " first, e.g. " + example);
    }

    private static Object need(Map<String, Object> named, String name, String form) {
        if (!named.containsKey(name)) throw new Problem(null, form + " needs " + name + ": e.g. step(0.01, every: 10, factor: 0.5)");
        return named.get(name);
    }

    private static double number(Object v, String argument) {
        if (v instanceof Double d && Double.isFinite(d)) return d;
        throw new Problem(argument, (argument.startsWith("#") ? "this" : argument) + " must be a number");
    }

    private static double rate(Object v, String argument) {
        double lr = number(v, argument);
        if (!(lr > 0)) throw new Problem(argument, "the learning rate must be positive, found " + format(lr));
        return lr;
    }

    private static long whole(Object v, String argument) {
        double d = number(v, argument);
        if (d != Math.rint(d) || d < 1 || d > Integer.MAX_VALUE)
            throw new Problem(argument, (argument.startsWith("#") ? "the number of steps" : argument) + " must be a whole number of at least 1, found " + format(d));
        return (long) d;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** A form as written on the command line ({@code --lr 'step(0.01, every: 10, factor: 0.5)'} or {@code --lr 0.01}); errors name the column. */
    static LrSchedule parse(String text) {
        return new LrScheduleText(text).parse();
    }

    /** How the schedule reads back, for the log and the report. */
    static String describe(LrSchedule s) {
        if (s instanceof Step st) return String.format(Locale.ROOT, "step(%s, every: %d, factor: %s)", format(st.lr()), st.every(), format(st.factor()));
        if (s instanceof Cosine c) return String.format(Locale.ROOT, "cosine(%s, min: %s)", format(c.lr()), format(c.min()));
        if (s instanceof Warmup w) return "warmup(" + w.steps() + ", " + describe(w.then()) + ")";
        return format(s.base());
    }
}
