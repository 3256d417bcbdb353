package nnet.lower;

/**
 * A float array field of the generated class. Several nodes can share one (a reshape reads its
 * input's buffer); {@code field} is a valid JVM field name derived from the node's name.
 */
public record Buffer(String field, int size) {}
