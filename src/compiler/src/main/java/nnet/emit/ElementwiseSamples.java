package nnet.emit;

import java.util.LinkedHashMap;
import java.util.Map;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import org.objectweb.asm.Type;

/** An elementwise map over one sample ({@link Elementwise}): element j of flat buffers. */
final class ElementwiseSamples extends Elementwise {
    ElementwiseSamples(MethodBuilder m) {
        super(m);
    }

    /** Elements from {@code start} (a local) on: the vector form, when there is one, did those before. */
    void emit(Kernel.Map map, int start) {
        Map<Buffer, Integer> arrays = new LinkedHashMap<>();
        Map<Param, Integer> biasArrays = new LinkedHashMap<>(), grads = new LinkedHashMap<>();
        boolean unroll = unrolled(map);
        declare(map, arrays, biasArrays, grads, b -> m.fieldToLocal(Fields.buffer(b)), !unroll);
        if (unroll) {
            for (int j = 0; j < map.extent(); j++) {
                int at = j;
                storeAll(map, arrays, grads, () -> m.push(at), () -> m.push(at), at, leaves(arrays, l -> m.push(l.buffer().size() == 1 ? 0 : l.offset() + at), b -> m.push(b.param().fixed()[at % b.units()])));
            }
            return;
        }
        int j = m.local("j", Type.INT_TYPE);
        m.forLoop(j, m.value(start), m.constant(map.extent()), () -> storeAll(map, arrays, grads, m.value(j), m.value(j), -1,
                leaves(arrays, l -> (l.buffer().size() == 1 ? m.constant(0) : m.at(j, l.offset())).emit(), b -> m.elementOf(biasArrays.get(b.param()), units(j, b, map.extent())).emit())));
    }

}
