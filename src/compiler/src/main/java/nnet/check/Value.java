package nnet.check;

import nnet.ir.Node;

/** What an expression evaluates to while checking: a tensor node or a compile-time number. */
sealed interface Value {
    record Tensor(Node node) implements Value {}

    record Number(double value, boolean integral) implements Value {}
}
