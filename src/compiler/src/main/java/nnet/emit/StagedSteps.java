package nnet.emit;

import java.util.List;
import nnet.lower.Kernel;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * What a staged train step (a batchnorm's, {@code nnet.runtime.StagedTraining}) needs of the
 * generated class: a method that runs stage k, and the registration of the partial sums each stage
 * ends with.
 */
final class StagedSteps {
    private StagedSteps() {}

    /**
     * {@code protected void trainStage(int stage)} or {@code trainTileStage(int stage, int count)}: calls {@code targets[stage]}
     * (with the count of a tile's real lanes): the stages of a train step, which the runtime runs in turn.
     */
    static void dispatch(ClassBuilder c, GeneratedCode.Ref dispatcher, List<String> targets) {
        Method method = Call.of(dispatcher).method();
        boolean withCount = method.getArgumentTypes().length == 2;
        MethodBuilder m = c.method(Opcodes.ACC_PROTECTED, method, 0);
        int stage = m.argument("stage", Type.INT_TYPE);
        int count = withCount ? m.argument("count", Type.INT_TYPE) : -1;
        for (int k = 0; k < targets.size(); k++) {
            Label next = new Label();
            m.loadLocal(stage);
            m.push(k);
            m.ifICmp(GeneratorAdapter.NE, next);
            if (withCount) m.callThis(targets.get(k), count);
            else m.callThis(targets.get(k));
            m.returnValue();
            m.mark(next);
        }
        m.end();
    }

    /**
     * Registers the partial sums a stage ends with: where they are, where the runtime writes what it makes
     * of them over the batch, and for a batchnorm's moments its moving statistics and settings.
     */
    static void batchStatistics(MethodBuilder m, Kernel.Norm sums) {
        nnet.ir.BatchNormSpec b = sums.spec();
        boolean moments = sums.role() == Kernel.NormRole.MOMENTS;
        m.loadThis();
        m.getField(Fields.buffer(sums.out()));
        m.getField(Fields.buffer(sums.result()));
        m.push(b.positions());
        m.push(b.epsilon());
        if (moments) {
            m.push(b.movingMean().name());
            m.push(b.movingVariance().name());
            m.push(b.momentum());
        } else {
            m.push((String) null);
            m.push((String) null);
            m.push(0f);
        }
        m.invoke(GeneratedCode.BATCH_STATISTICS);
    }
}
