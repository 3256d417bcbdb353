package nnet.runtime;

import java.util.Map;

/** The {@code train { }} block of a network (or the language's defaults): what {@code nnetc train} uses unless told otherwise. */
public record TrainDefaults(String optimizer, Map<String, Double> optimizerArgs, int batch, int epochs) {
    public Optimizer newOptimizer() {
        return Optimizer.of(optimizer, optimizerArgs);
    }
}
