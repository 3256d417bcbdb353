/**
 * The tables every phase reads and the kernels generated code calls: activations and losses as rows
 * (name, definition, derivative), weight penalties, learning-rate schedules, dropout's masks, the
 * normalizations and the embedding lookup, conv plans, sparse indices. The compiler's {@code ir} and
 * {@code check} read these; nothing here knows a network.
 */
package nnet.runtime.math;
