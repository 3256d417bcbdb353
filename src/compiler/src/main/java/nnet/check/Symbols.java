package nnet.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import nnet.diag.Span;
import nnet.ir.Param;
import nnet.ir.Shape;

/**
 * What the checker learned about names while checking, for tools (the language server): every
 * binding it made, with the value bound, and every name it resolved to a definition. A name in a
 * block body is bound once per call of the block, each time with its own prefix and shape, so one
 * definition place can have several bindings.
 */
public final class Symbols {
    /**
     * One name bound while checking.
     *
     * @param definition    the place of the defining identifier ({@code h} in {@code h = dense(...)})
     * @param qualifiedName the name with its block prefix ({@code r1.h}), as weights and probes name it
     * @param shape         the tensor's shape, or null for a number or a value poisoned by an error
     * @param number        the value of a compile-time number (a const, a block argument), else null
     * @param weights       the weights created by the statement that bound the name (its layers, or a block call's)
     * @param unitNames     the names of the tensor's units (LANGUAGE.md §4, Names), or null
     * @param site          for a block's parameter, the call whose argument it is bound to; else null
     */
    public record Binding(Span definition, String qualifiedName, Shape shape, Double number, List<Param> weights, List<String> unitNames, Span site) {}

    /** A name written at {@code use} that resolved to the identifier at {@code definition}. */
    public record Use(Span use, Span definition) {}

    private final List<Binding> bindings = new ArrayList<>();
    private final List<Use> uses = new ArrayList<>();
    private final List<Param> weights = new ArrayList<>();

    public List<Binding> bindings() {
        return Collections.unmodifiableList(bindings);
    }

    public List<Use> uses() {
        return Collections.unmodifiableList(uses);
    }

    void bound(Span definition, String qualifiedName, Value value, List<Param> statementWeights, List<String> unitNames, Span site) {
        Shape shape = value instanceof Value.Tensor t ? t.node().shape() : null;
        Double number = value instanceof Value.Number n ? n.value() : null;
        bindings.add(new Binding(definition, qualifiedName, shape, number, List.copyOf(statementWeights), unitNames, site));
    }

    void used(Span use, Span definition) {
        uses.add(new Use(use, definition));
    }

    /** The uses {@code other} resolved (a check whose bindings tools should not see). */
    void addUses(Symbols other) {
        uses.addAll(other.uses);
    }

    void weight(Param p) {
        weights.add(p);
    }

    /** A mark to pass to {@link #weightsSince} once a statement is checked. */
    int weightCount() {
        return weights.size();
    }

    List<Param> weightsSince(int mark) {
        return weights.subList(mark, weights.size());
    }
}
