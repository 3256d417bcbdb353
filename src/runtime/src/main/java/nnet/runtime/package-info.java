/**
 * A compiled network as Java sees it: {@link nnet.runtime.Network}, tensors, and
 * {@link nnet.runtime.CompiledNetwork}, the base of every generated class, with its training
 * (optimizers, batch splitting, the staged step). Training lives here, not in a package of its own,
 * because it works on the network's package-private state. Tables and kernels are in
 * {@code nnet.runtime.math}, files in {@code nnet.runtime.io}, what a jar runs in {@code nnet.runtime.jar}.
 */
package nnet.runtime;
