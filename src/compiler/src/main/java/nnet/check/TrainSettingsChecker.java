package nnet.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.ir.Graph;
import nnet.runtime.math.LrSchedule;

/** {@code train { optimizer: adam(lr: 0.001), batch: 32, epochs: 20 }}: the defaults of {@code nnetc train}. */
final class TrainSettingsChecker {
    static final List<String> SETTINGS = List.of("optimizer", "batch", "epochs", "lr");
    static final Map<String, List<String>> OPTIMIZERS = Map.of(
            "sgd", List.of("lr", "momentum"),
            "adam", List.of("lr", "beta1", "beta2", "eps"),
            "adamw", List.of("lr", "beta1", "beta2", "eps", "weight_decay"));

    private final NetworkChecker c;

    TrainSettingsChecker(NetworkChecker c) {
        this.c = c;
    }

    Optional<Graph.TrainSettings> check(Ast.TrainStmt t) {
        Graph.TrainSettings d = Graph.TrainSettings.defaults();
        String optimizer = d.optimizer();
        Map<String, Double> optArgs = new LinkedHashMap<>();
        int batch = d.batch(), epochs = d.epochs();
        LrSchedule schedule = null;
        boolean ok = true;
        for (Ast.Arg a : t.settings()) {
            String key = a.name() == null ? "" : a.name().name();
            switch (key) {
                case "optimizer" -> {
                    String name = a.value() instanceof Ast.Name n ? n.name() : a.value() instanceof Ast.Call call ? call.callee().name() : null;
                    if (name == null || !OPTIMIZERS.containsKey(name)) {
                        c.error(DiagCode.TRAIN_SETTING, a.value().span(), "expected an optimizer: sgd(lr: 0.01, momentum: 0.9), adam(lr: 0.001) or adamw(lr: 0.001, weight_decay: 0.01)"
                                + (name == null ? "" : Suggest.didYouMean(name, OPTIMIZERS.keySet())));
                        ok = false;
                        continue;
                    }
                    optimizer = name;
                    if (a.value() instanceof Ast.Call call) ok &= optimizerArgs(call, OPTIMIZERS.get(name), optArgs);
                }
                case "batch", "epochs" -> {
                    Integer v = c.positiveInt(a.value(), key);
                    if (v == null) ok = false;
                    else if (key.equals("batch")) batch = v;
                    else epochs = v;
                }
                case "lr" -> {
                    if (a.value() instanceof Ast.Call call) {
                        LrSchedule s = schedule(call);
                        if (s == null) ok = false;
                        else {
                            schedule = s;
                            optArgs.put("lr", s.base());
                        }
                        continue;
                    }
                    Double v = c.number(a.value());
                    String problem = v == null ? null : problem("lr", v);
                    if (problem != null) c.error(DiagCode.TRAIN_SETTING, a.value().span(), problem);
                    if (v == null || problem != null) ok = false;
                    else {
                        optArgs.put("lr", v);
                        schedule = null;
                    }
                }
                default -> {
                    c.error(DiagCode.TRAIN_SETTING, a.name() == null ? a.span() : a.name().span(), "unknown training setting '" + key + "'"
                            + Suggest.didYouMean(key, SETTINGS) + "; expected " + String.join(", ", SETTINGS));
                    ok = false;
                }
            }
        }
        // in the source's order (Map.copyOf's is random from run to run): a class compiled twice is the same bytes
        return ok ? Optional.of(new Graph.TrainSettings(optimizer, java.util.Collections.unmodifiableMap(optArgs), batch, epochs, schedule)) : Optional.empty();
    }

    /**
     * {@code step(0.01, every: 10, factor: 0.5)}, {@code cosine(...)}, {@code warmup(steps, then)}:
     * built by {@link LrSchedule#of}, which the command line's {@code --lr} uses too; its problems
     * are reported at the argument they are about. Null after an error.
     */
    private LrSchedule schedule(Ast.Call call) {
        String form = call.callee().name();
        if (!LrSchedule.FORMS.contains(form)) {
            c.error(DiagCode.TRAIN_SETTING, call.callee().span(), "expected a number or a learning-rate schedule (" + String.join(", ", LrSchedule.FORMS)
                    + "), found '" + form + "'" + Suggest.didYouMean(form, LrSchedule.FORMS));
            return null;
        }
        List<Object> positional = new ArrayList<>();
        List<Ast.Arg> positionalArgs = new ArrayList<>();
        Map<String, Object> named = new LinkedHashMap<>();
        Map<String, Ast.Arg> namedArgs = new LinkedHashMap<>();
        for (Ast.Arg a : call.args()) {
            Object v;
            if (a.value() instanceof Ast.Call inner) {
                v = schedule(inner);
            } else {
                v = c.number(a.value());
            }
            if (v == null) return null;
            if (a.name() == null) {
                positional.add(v);
                positionalArgs.add(a);
            } else if (named.put(a.name().name(), v) != null) {
                c.error(DiagCode.TRAIN_SETTING, a.name().span(), a.name().name() + " is given twice");
                return null;
            } else namedArgs.put(a.name().name(), a);
        }
        try {
            return LrSchedule.of(call.callee().name(), positional, named);
        } catch (LrSchedule.Problem p) {
            nnet.diag.Span at = call.span();
            if (p.argument != null && p.argument.startsWith("#")) {
                int k = Integer.parseInt(p.argument.substring(1));
                if (k < positionalArgs.size()) at = positionalArgs.get(k).span();
            } else if (p.argument != null && namedArgs.containsKey(p.argument)) at = namedArgs.get(p.argument).span();
            c.error(DiagCode.TRAIN_SETTING, at, p.getMessage());
            return null;
        }
    }

    private boolean optimizerArgs(Ast.Call call, List<String> allowed, Map<String, Double> out) {
        boolean ok = true;
        for (Ast.Arg a : call.args()) {
            if (a.name() == null || !allowed.contains(a.name().name())) {
                c.error(DiagCode.TRAIN_SETTING, a.span(), call.callee().name() + " takes named settings " + String.join(", ", allowed)
                        + (a.name() == null ? ", e.g. lr: 0.01" : Suggest.didYouMean(a.name().name(), allowed)));
                ok = false;
                continue;
            }
            Double v = c.number(a.value());
            String problem = v == null ? null : problem(a.name().name(), v);
            if (problem != null) c.error(DiagCode.TRAIN_SETTING, a.value().span(), problem);
            if (v == null || problem != null) ok = false;
            else out.put(a.name().name(), v);
        }
        return ok;
    }

    /** Why an optimizer setting cannot work (a negative learning rate climbs the loss), or null. */
    private static String problem(String setting, double v) {
        return switch (setting) {
            case "lr", "eps" -> v > 0 && Double.isFinite(v) ? null : setting + " must be positive, found " + Numbers.format(v);
            case "momentum", "beta1", "beta2" -> v >= 0 && v < 1 ? null : setting + " must be in [0, 1), found " + Numbers.format(v);
            case "weight_decay" -> v >= 0 && Double.isFinite(v) ? null : "weight_decay must be 0 or more, found " + Numbers.format(v);
            default -> null;
        };
    }
}
