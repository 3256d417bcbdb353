/**
 * What a jar made by {@code nnetc compile} runs beside its networks: the launcher (the Vector API
 * module added without its warning), the packed networks and their weights, and {@code predict}.
 */
package nnet.runtime.jar;
