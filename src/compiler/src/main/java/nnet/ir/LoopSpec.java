package nnet.ir;

import java.util.List;

/**
 * A loop over time: {@code body} is one step, run {@code steps} times ({@code t = 0 .. T-1}, or
 * {@code T-1 .. 0} when {@code reverse}). Code and IR stay one step long whatever the sequence's
 * length. The body's inputs, in order:
 * <ul>
 * <li>with {@code priorNodes > 0}, the loop's first input is another loop whose body is the first
 *     {@code priorNodes} nodes of this one (backpropagation through time extends the forward step):
 *     at step t they hold their values of that loop's step t, never computed again;</li>
 * <li>a step of each of the loop's (other) inputs: input {@code [T, ...]} gives its row t;</li>
 * <li>the last {@code carried} inputs: zero at the first step, then the body output of the same index
 *     ({@code body.outputs().get(i)}) of the step before. The body has exactly {@code carried} outputs.</li>
 * </ul>
 * A loop node itself has no value (shape [1]); {@link Op#LOOP_OUT} nodes read what it computed.
 */
public record LoopSpec(Graph body, int steps, boolean reverse, int carried, int priorNodes) {
    /**
     * What a {@link Op#LOOP_OUT} reads from its loop: a body node's value at every step, stacked along a
     * new first axis, or summed over the steps. A carried input's value at step t is the state it
     * receives: zero at the first step, then the body output of the step before.
     */
    public record Out(Node node, boolean summed) {
        public Shape shape(int steps) {
            if (summed) return node.shape();
            int[] d = new int[node.shape().rank() + 1];
            d[0] = steps;
            System.arraycopy(node.shape().dims(), 0, d, 1, node.shape().rank());
            return new Shape(d);
        }

        @Override
        public String toString() {
            return (summed ? "sum " : "stack ") + "%" + node.id();
        }
    }

    /** The body inputs that take a step of a loop input, in the order of the loop's (non-loop) inputs. */
    public List<Node> stepInputs() {
        List<Node> in = body.inputs().stream().filter(n -> n.id() >= priorNodes).toList();
        return in.subList(0, in.size() - carried);
    }

    /** The carried body inputs, in the order of the body's outputs. */
    public List<Node> carriedInputs() {
        List<Node> in = body.inputs();
        return in.subList(in.size() - carried, in.size());
    }

    /** The step a carried value comes from: the step before, in the loop's direction. */
    public int previous(int t) {
        return reverse ? t + 1 : t - 1;
    }
}
