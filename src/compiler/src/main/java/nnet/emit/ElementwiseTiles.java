package nnet.emit;

import java.util.LinkedHashMap;
import java.util.Map;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Expr;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import org.objectweb.asm.Type;

/**
 * An elementwise map over a tile ({@link Elementwise}): element j is a row of each buffer and the body
 * runs for every lane s of it ({@code out[j][s] = f(in[j][s])}, the loop C2 vectorizes), with a bias
 * value read once per row. A store into gradient storage (a bias gradient) sums over the lanes first.
 */
final class ElementwiseTiles extends Elementwise {
    ElementwiseTiles(MethodBuilder m) {
        super(m);
    }

    void emit(Kernel.Map map) {
        Map<Buffer, Integer> rows = new LinkedHashMap<>();
        Map<Part, Integer> rowOf = new LinkedHashMap<>();
        Map<Param, Integer> biasArrays = new LinkedHashMap<>(), grads = new LinkedHashMap<>();
        Map<Expr.Bias, Integer> biasValue = new LinkedHashMap<>();
        Map<Kernel.Store, Integer> sums = new LinkedHashMap<>();
        boolean unroll = unrolled(map);
        declare(map, rows, biasArrays, grads, b -> m.fieldToLocal(Fields.tileRows(b)), !unroll);
        for (Kernel.Store s : map.stores()) {
            if (s instanceof Kernel.Assign a) rowOf.computeIfAbsent(new Part(a.out(), a.offset()), this::rowLocal);
            for (Expr leaf : s.value().leaves()) {
                if (leaf instanceof Expr.Load l) rowOf.computeIfAbsent(new Part(l.buffer(), l.offset()), this::rowLocal);
                if (leaf instanceof Expr.Bias b) biasValue.putIfAbsent(b, -1);
            }
            biasValue.replaceAll((b, v) -> v >= 0 ? v : m.local("bias", Type.FLOAT_TYPE));
            if (s instanceof Kernel.AddToGrad) sums.put(s, m.local("sum", Type.FLOAT_TYPE));
        }
        int lane = m.local("s", Type.INT_TYPE);
        Leaves leaves = new Leaves() {
            @Override
            public void load(Expr.Load l) {
                m.loadLocal(rowOf.get(new Part(l.buffer(), l.offset())));
                m.loadLocal(lane);
                m.arrayLoad(Type.FLOAT_TYPE);
            }

            @Override
            public void bias(Expr.Bias b) {
                m.loadLocal(biasValue.get(b));
            }
        };
        if (unroll) { // fixed biases: each element with its constants
            for (int j = 0; j < map.extent(); j++) tileElement(map, rows, rowOf, grads, biasValue, sums, lane, leaves, m.constant(j), j, null);
            return;
        }
        int j = m.local("j", Type.INT_TYPE);
        m.forLoop(j, 0, map.extent(), () -> tileElement(map, rows, rowOf, grads, biasValue, sums, lane, leaves, m.value(j), -1,
                b -> m.elementOf(biasArrays.get(b.param()), units(j, b, map.extent())).emit()));
    }

    /** One element of a tile map: its rows, its bias values, then every store for each lane. */
    private void tileElement(Kernel.Map map, Map<Buffer, Integer> rows, Map<Part, Integer> rowOf, Map<Param, Integer> grads, Map<Expr.Bias, Integer> biasValue,
                             Map<Kernel.Store, Integer> sums, int lane, Leaves leaves, MethodBuilder.Body j, int jConst, java.util.function.Consumer<Expr.Bias> biasAtJ) {
        rowOf.forEach((part, r) -> m.rowOf(rows.get(part.buffer()), part.buffer().size() == 1 ? m.constant(0) : part.offset() == 0 ? j : m.sum(j, m.constant(part.offset())), r));
        biasValue.forEach((b, v) -> m.set(v, jConst >= 0 ? () -> m.push(b.param().fixed()[jConst % b.units()]) : () -> biasAtJ.accept(b)));
        sums.values().forEach(sum -> m.set(sum, () -> m.push(0f)));
        m.forLoop(lane, 0, Tiling.SIZE, () -> {
            for (Kernel.Store s : map.stores()) {
                if (s instanceof Kernel.Assign a) m.storeElement(rowOf.get(new Part(a.out(), a.offset())), m.value(lane), () -> expr(a.value(), leaves));
                else m.set(sums.get(s), m.add(m.value(sums.get(s)), () -> expr(s.value(), leaves)));
            }
        });
        sums.forEach((s, sum) -> addToGrad((Kernel.AddToGrad) s, grads, j, m.value(sum), map.extent()));
    }

    /** A local for the row of a part, named after its buffer. */
    private int rowLocal(Part p) {
        return m.local(p.buffer().field() + "Row", Fields.FLOATS);
    }

}
