package nnet.emit;

import java.util.List;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.ClassVisitor;
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
    static void dispatch(ClassVisitor cv, Type self, GeneratedCode.Ref dispatcher, List<String> targets) {
        Method method = Call.of(dispatcher).method();
        boolean withCount = method.getArgumentTypes().length == 2;
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PROTECTED, method, 0);
        int stage = m.argument("stage", Type.INT_TYPE);
        int count = withCount ? m.argument("count", Type.INT_TYPE) : -1;
        for (int k = 0; k < targets.size(); k++) {
            Label next = new Label();
            m.g.loadLocal(stage);
            m.g.push(k);
            m.g.ifICmp(GeneratorAdapter.NE, next);
            m.g.loadThis();
            if (withCount) m.g.loadLocal(count);
            m.g.invokeVirtual(self, Method.getMethod("void " + targets.get(k) + (withCount ? "(int)" : "()")));
            m.g.returnValue();
            m.g.mark(next);
        }
        m.end(self);
    }

    /**
     * Registers the partial sums a stage ends with: where they are, where the runtime writes what it makes
     * of them over the batch, and for a batchnorm's moments its moving statistics and settings.
     */
    static void batchStatistics(MethodBuilder m, Type self, Kernel.Norm sums) {
        nnet.ir.BatchNormSpec b = sums.spec();
        boolean moments = sums.role() == Kernel.NormRole.MOMENTS;
        m.g.loadThis();
        loadBuffer(m, self, sums.out());
        loadBuffer(m, self, sums.result());
        m.g.push(b.positions());
        m.g.push(b.epsilon());
        if (moments) {
            m.g.push(b.movingMean().name());
            m.g.push(b.movingVariance().name());
            m.g.push(b.momentum());
        } else {
            m.g.push((String) null);
            m.g.push((String) null);
            m.g.push(0f);
        }
        m.invoke(GeneratedCode.BATCH_STATISTICS);
    }

    private static void loadBuffer(MethodBuilder m, Type self, Buffer b) {
        m.g.loadThis();
        m.g.getField(self, b.field(), ClassEmitter.FLOATS);
    }
}
