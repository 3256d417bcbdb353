package nnet.ir;

import java.util.List;
import nnet.diag.Span;

/**
 * One operation of the graph and the tensor it produces. Nodes are immutable and created in
 * topological order by {@link Graph.Builder}; {@code id} is that order.
 *
 * @param name the user-visible name ({@code h}, {@code r1.h}), or null for an intermediate value
 * @param span where in the source the node comes from: line numbers of generated code point here
 */
public record Node(int id, Op op, Shape shape, List<Node> inputs, Object arg, String name, Span span) {
    public Node input(int i) {
        return inputs.get(i);
    }

    /** A stable label for printing and generated field names: the name, or {@code %id}. */
    public String label() {
        return name != null ? name : "%" + id;
    }

    public Param param() {
        return switch (op) {
            case LINEAR, BIAS_ADD, EMBEDDING -> (Param) arg;
            default -> throw new IllegalStateException(op + " has no single param");
        };
    }

    /** Whether this is an input of whole numbers ({@code input tokens[100] int}). */
    public boolean integers() {
        return op == Op.INPUT && arg instanceof InputSpec s && s.type() == Op.InputType.INT;
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public int hashCode() {
        return id;
    }

    @Override
    public String toString() {
        return label() + " = " + op.lower() + shape;
    }
}
