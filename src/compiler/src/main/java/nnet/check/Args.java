package nnet.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.ast.Ast;
import nnet.diag.DiagCode;

/**
 * Binds a call's arguments to a signature: positional parameters in order, then named ones.
 * Reports too many or too few positionals, unknown and repeated names; what binds is kept so the
 * rest of the call can still be checked.
 */
final class Args {
    /** One callee's parameters: {@code positional} in order (the first {@code required} must be given), {@code named} only by name. */
    record Signature(String callee, List<String> positional, int required, List<String> named) {}

    private final Map<String, Ast.Arg> bound = new LinkedHashMap<>();
    private final List<Ast.Arg> rest = new ArrayList<>();

    private Args() {}

    static Args bind(Ast.Call call, Signature sig, Reporter r) {
        Args a = new Args();
        int pos = 0;
        for (Ast.Arg arg : call.args()) {
            if (arg.name() == null) {
                if (pos < sig.positional().size()) a.bound.put(sig.positional().get(pos), arg);
                else if (sig.positional().isEmpty() || !sig.positional().get(sig.positional().size() - 1).endsWith("...")) {
                    r.error(DiagCode.ARG_COUNT, arg.span(), sig.callee() + " takes at most " + sig.positional().size()
                            + " positional argument" + (sig.positional().size() == 1 ? "" : "s") + " (" + String.join(", ", sig.positional())
                            + "), found " + (pos + 1));
                } else a.rest.add(arg);
                pos++;
                continue;
            }
            String name = arg.name().name();
            boolean known = sig.named().contains(name) || sig.positional().contains(name);
            if (!known) {
                List<String> all = new ArrayList<>(sig.named());
                all.addAll(sig.positional());
                r.error(DiagCode.ARG_UNKNOWN, arg.name().span(), sig.callee() + " has no argument '" + name + "'"
                        + suggestion(name, all) + " (it takes " + String.join(", ", all) + ")", fix(arg.name().span(), name, all));
            } else if (a.bound.containsKey(name)) {
                r.error(DiagCode.ARG_DUPLICATE, arg.name().span(), "'" + name + "' is given twice to " + sig.callee());
            } else a.bound.put(name, arg);
        }
        for (int i = 0; i < sig.required(); i++) {
            String p = sig.positional().get(i);
            if (!a.bound.containsKey(p)) {
                r.error(DiagCode.ARG_COUNT, call.span(), sig.callee() + " needs '" + p + "' (" + sig.callee() + "("
                        + String.join(", ", sig.positional().subList(0, sig.required())) + "))");
                return null;
            }
        }
        return a;
    }

    /**
     * What Keras and PyTorch call the arguments these layers take under another name: a user
     * coming from them writes {@code activation: relu}, and a misspelling of it ({@code actvation})
     * is closer to that than to {@code act}.
     */
    private static final Map<String, String> HABITS = Map.of("activation", "act", "kernel_initializer", "init", "kernel_size", "kernel",
            "strides", "stride", "padding", "pad", "out_features", "units", "out_channels", "filters", "return_sequences", "sequences",
            "pool_size", "k", "dim", "axis");

    /** {@code "; did you mean 'act'?"}: the closest argument, or the one a Keras or PyTorch name close to {@code name} stands for. */
    private static String suggestion(String name, List<String> all) {
        String closest = closestWord(name, all);
        if (closest == null) return "";
        String ours = HABITS.getOrDefault(closest, closest);
        return "; did you mean '" + ours + "'?" + (closest.equals(ours) ? "" : " ('" + closest + "' is called '" + ours + "' here)");
    }

    /** The editor's quick fix for the same: the argument's name changed to the one suggested. */
    private static List<nnet.diag.Fix> fix(nnet.diag.Span span, String name, List<String> all) {
        String closest = closestWord(name, all);
        if (closest == null) return List.of();
        String ours = HABITS.getOrDefault(closest, closest);
        return List.of(new nnet.diag.Fix("Change to '" + ours + "'", span, ours));
    }

    /** The argument, or Keras' or PyTorch's name for one, closest to {@code name}; null when none is close. */
    private static String closestWord(String name, List<String> all) {
        List<String> words = new ArrayList<>(all);
        HABITS.forEach((habit, ours) -> {
            if (all.contains(ours)) words.add(habit);
        });
        return Suggest.closest(name, words);
    }

    Ast.Expr get(String name) {
        Ast.Arg a = bound.get(name);
        return a == null ? null : a.value();
    }

    boolean has(String name) {
        return bound.containsKey(name);
    }

    /** Extra positionals of a variadic signature (the last positional name ends in "..."). */
    List<Ast.Arg> rest() {
        return rest;
    }
}
