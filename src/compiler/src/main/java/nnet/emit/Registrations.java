package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.KernelWork;
import nnet.lower.Program;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.GeneratedCode;
import nnet.runtime.SparseParam;
import org.objectweb.asm.Type;

/**
 * What the generated constructor does, step by step: allocates the buffers and registers with the
 * runtime ({@link CompiledNetwork}) every named node, input, output and weight, each weight in its
 * {@link Param#layout()} (the runtime hands back the arrays the kernels read, stored into their
 * {@link Fields}); with a loss, the gradient storage, the losses, penalties and the train block's settings.
 */
final class Registrations {
    /** One constructor step: code that leaves the stack as it found it. */
    interface Step {
        void emit(MethodBuilder m);
    }

    private final Program p;
    private final Graph g;
    /** The params the kernels read from fields: only those get them. */
    private final Set<Param> fieldParams;

    Registrations(Program p, Set<Param> fieldParams) {
        this.p = p;
        this.g = p.graph();
        this.fieldParams = fieldParams;
    }

    /** The trainable embeddings: their gradient rows are touched sparsely, and flagged for the optimizer. */
    static List<Param> embeddings(Graph g) {
        return g.nodes().stream().filter(n -> n.op() == Op.EMBEDDING && n.param().trains()).map(Node::param).distinct().toList();
    }

    List<Step> steps() {
        List<Step> steps = new ArrayList<>();
        for (Buffer b : p.buffers())
            steps.add(m -> m.putField(Fields.buffer(b), () -> {
                m.push(b.size());
                m.newArray(Type.FLOAT_TYPE);
            }));
        for (Map.Entry<String, Node> e : g.named().entrySet()) {
            Buffer b = p.bufferOf().get(e.getValue());
            int[] dims = e.getValue().shape().dims();
            steps.add(m -> {
                m.loadThis();
                m.push(e.getKey());
                m.getField(Fields.buffer(b));
                m.pushInts(dims);
                m.invoke(GeneratedCode.NODE);
            });
        }
        for (Node in : g.inputs()) steps.add(m -> call(m, GeneratedCode.INPUT, in.name()));
        for (Node n : g.nodes())
            if (n.op() == Op.EMBEDDING)
                steps.add(m -> { // its token ids are checked as they come in
                    m.loadThis();
                    m.push(n.input(0).name());
                    m.push(n.param().shape().dim(0));
                    m.invoke(GeneratedCode.TOKENS);
                });
        for (Node out : g.outputs()) steps.add(m -> call(m, GeneratedCode.OUTPUT, outputName(out)));
        for (Param param : g.params()) if (fieldParams.contains(param)) steps.add(m -> param(m, param));
        if (p.training() != null) training(steps);
        return steps;
    }

    /** {@code this.method(name)}. */
    private static void call(MethodBuilder m, GeneratedCode.Action2<CompiledNetwork, String> method, String name) {
        m.loadThis();
        m.push(name);
        m.invoke(method);
    }

    /** The name an output is registered under: its own, or the first name bound to it. */
    private String outputName(Node out) {
        if (out.name() != null) return out.name();
        for (Map.Entry<String, Node> e : g.named().entrySet()) if (e.getValue() == out) return e.getKey();
        throw new IllegalStateException("output without a name: " + out);
    }

    // ---- weights

    /** A param's arrays from the runtime, in its layout: fixed values from the structure resource, else storage it registers. */
    private void param(MethodBuilder m, Param param) {
        switch (param.layout()) {
            case ROWS -> m.putField(Fields.values(param), () -> {
                m.loadThis();
                m.push(param.name());
                if (param.isFixed()) m.invoke(GeneratedCode.FIXED_ROWS);
                else {
                    m.push(param.shape().dim(0));
                    m.push(param.shape().dim(1));
                    m.push(frozenName(param));
                    m.invoke(GeneratedCode.DENSE_PARAM);
                }
            });
            case SPARSE -> sparse(m, param);
            case CONV -> {
                int[] dims = param.shape().dims();
                m.putField(Fields.values(param), () -> {
                    m.loadThis();
                    m.push(param.name());
                    if (param.isFixed()) fixedValues(m);
                    else {
                        m.pushInts(dims);
                        m.push(maskName(param));
                        m.push(frozenName(param));
                        m.invoke(GeneratedCode.CONV_PARAM);
                    }
                });
                m.putField(Fields.channelPairs(param), () -> {
                    m.loadThis();
                    m.push(maskName(param));
                    m.push(dims[1]);
                    m.push(dims[0]);
                    m.invoke(GeneratedCode.CHANNEL_PAIRS);
                });
            }
            case FLAT -> m.putField(Fields.values(param), () -> {
                m.loadThis();
                m.push(param.name());
                if (param.isFixed()) fixedValues(m);
                else {
                    m.pushInts(param.shape().dims());
                    m.push(maskName(param));
                    m.invoke(GeneratedCode.FLAT_PARAM);
                }
            });
        }
    }

    /** {@code sparse = this.sparseParam(...)} (or {@code fixedSparse}), then its values and index arrays into their fields. */
    private static void sparse(MethodBuilder m, Param param) {
        int sparse = m.local("sparse", Type.getType(SparseParam.class));
        m.loadThis();
        m.push(param.name());
        m.push(param.maskName());
        if (param.isFixed()) m.invoke(GeneratedCode.FIXED_SPARSE);
        else {
            m.push(frozenName(param));
            m.push(param.shape().dim(1));
            m.invoke(GeneratedCode.SPARSE_PARAM);
        }
        m.storeLocal(sparse);
        m.putField(Fields.values(param), () -> {
            m.loadLocal(sparse);
            m.invoke(GeneratedCode.SPARSE_VALUES);
        });
        for (Fields.Index index : Fields.Index.values())
            m.putField(Fields.index(param, index), () -> {
                m.loadLocal(sparse);
                m.invoke(switch (index) {
                    case START -> GeneratedCode.SPARSE_ROW_START;
                    case COL -> GeneratedCode.SPARSE_COL_INDEX;
                    case COL_START -> GeneratedCode.SPARSE_COL_START;
                    case ROW_INDEX -> GeneratedCode.SPARSE_ROW_INDEX;
                    case POSITION -> GeneratedCode.SPARSE_POSITION;
                    case TWINS -> GeneratedCode.SPARSE_TWINS;
                });
            });
    }

    /** {@code this.structure(name).data()}, the name on the stack: a fixed param's values. */
    private static void fixedValues(MethodBuilder m) {
        m.invoke(GeneratedCode.STRUCTURE);
        m.invoke(GeneratedCode.TENSOR_DATA);
    }

    /** The structure tensor of a param's present entries, or null. */
    private static String maskName(Param param) {
        return param.present() != null ? param.maskName() : null;
    }

    private static String frozenName(Param param) {
        return param.frozen() != null ? param.frozenName() : null;
    }

    // ---- the train step

    /** Registers gradient storage, the loss, input gradients and the train block's settings. */
    private void training(List<Step> steps) {
        Program.Training t = p.training();
        Set<Param> setByTiles = p.tiling() == null ? Set.of() : p.tiling().gradientsSetByTiles();
        for (Param param : t.trainable())
            steps.add(m -> m.putField(Fields.gradient(param), () -> {
                m.loadThis();
                m.push(param.name());
                if (param.layout() == Param.Layout.ROWS) {
                    m.push(setByTiles.contains(param));
                    m.invoke(GeneratedCode.ROWS_GRADIENT);
                } else m.invoke(GeneratedCode.FLAT_GRADIENT);
            }));
        for (Param param : embeddings(g))
            steps.add(m -> m.putField(Fields.touchedRows(param), () -> {
                m.loadThis();
                m.push(param.name());
                m.invoke(GeneratedCode.TOUCHED_ROWS);
            }));
        for (Program.LossTerm term : t.losses())
            steps.add(m -> {
                m.loadThis();
                m.push(term.function().name);
                m.push(outputName(term.output()));
                m.push((float) term.weight());
                StringBuilder classWeights = new StringBuilder();
                if (term.classWeights() != null) for (float w : term.classWeights()) classWeights.append(classWeights.length() == 0 ? "" : ",").append(w);
                m.push(classWeights.toString());
                m.getField(Fields.buffer(term.target()));
                m.getField(Fields.buffer(term.sampleWeight()));
                m.getField(Fields.buffer(term.value()));
                m.invoke(GeneratedCode.LOSS);
            });
        steps.add(m -> {
            m.loadThis();
            m.getField(Fields.buffer(t.loss()));
            m.invoke(GeneratedCode.TOTAL_LOSS);
        });
        if (t.penalty() != null)
            steps.add(m -> {
                m.loadThis();
                m.getField(Fields.buffer(t.penalty()));
                m.getField(Fields.buffer(t.penaltyWeight()));
                m.invoke(GeneratedCode.ACTIVITY_PENALTY);
            });
        for (Param param : t.trainable())
            if (param.penalty() != null)
                steps.add(m -> {
                    m.loadThis();
                    m.push(param.name());
                    m.push(param.penalty().l1());
                    m.push(param.penalty().l2());
                    m.invoke(GeneratedCode.PENALTY);
                });
        long visits = KernelWork.repeatedVisits(p.forward());
        if (visits > 0)
            steps.add(m -> {
                m.loadThis();
                m.push(visits);
                m.invoke(GeneratedCode.REPEATED_VISITS);
            });
        if (t.staged()) for (Program.Stage stage : t.stages()) if (stage.sums() != null) steps.add(m -> StagedSteps.batchStatistics(m, stage.sums()));
        t.inputGrads().forEach((input, buffer) -> steps.add(m -> {
            m.loadThis();
            m.push(input);
            m.getField(Fields.buffer(buffer));
            m.invoke(GeneratedCode.INPUT_GRADIENT);
        }));
        Graph.TrainSettings settings = g.train();
        StringBuilder args = new StringBuilder();
        settings.optimizerArgs().forEach((k, v) -> args.append(args.length() == 0 ? "" : ",").append(k).append('=').append(v));
        steps.add(m -> {
            m.loadThis();
            m.push(settings.optimizer());
            m.push(args.toString());
            m.push(settings.batch());
            m.push(settings.epochs());
            m.invoke(GeneratedCode.TRAIN_DEFAULTS);
        });
    }
}
