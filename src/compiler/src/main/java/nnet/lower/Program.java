package nnet.lower;

import java.util.List;
import java.util.Map;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Param;
import nnet.runtime.math.LossFunction;

/**
 * A network ready for the emitter: buffers, kernels in execution order, and which buffer holds
 * each readable node. Structure lives here as data; the emitter only prints it as bytecode.
 *
 * @param graph    the forward graph: its names, inputs, outputs and params are what users see
 * @param forward  the forward pass ({@code run()})
 * @param training the backward pass, when the network has a loss; else null
 * @param tiling   how a batch runs in tiles of samples, or null: sample by sample only
 */
public record Program(Graph graph, List<Buffer> buffers, List<Kernel> forward, Training training, Map<Node, Buffer> bufferOf, Tiling tiling) {
    /**
     * @param trainForward  the forward pass of a train step: {@code forward} but for the ops that train differently ({@code Op.TRAINING_MODE})
     * @param backward      the losses, their gradients and every param gradient, added into the gradient storage
     * @param inputBackward what only the gradients of the inputs need: run on request after {@code backward}
     * @param losses        a term per loss statement, in the source's order
     * @param loss          the loss: the terms' weighted sum
     * @param penalty       the activity penalties' sum (trained with the loss), or null without any
     * @param penaltyWeight the buffer the penalties are multiplied by: 1 for a sample, 0 for a tile's lanes past a batch's end
     * @param trainable     params with gradient storage (every param that is not fixed)
     * @param inputGrads    the buffer holding the loss gradient of each input, by input name
     * @param stages        the train step in stages when samples of a batch depend on each other, else null
     * @param predictLoss   the losses, their sum and the activity penalties alone, after the predicting forward pass, when it differs from a train step's; else null
     */
    public record Training(List<Kernel> trainForward, List<Kernel> backward, List<Kernel> inputBackward, List<LossTerm> losses, Buffer loss,
                           Buffer penalty, Buffer penaltyWeight, List<Param> trainable, Map<String, Buffer> inputGrads, List<Stage> stages,
                           List<Kernel> predictLoss) {
        /** Whether samples of a batch depend on each other (a batchnorm): a train step then runs in {@link #stages}. */
        public boolean staged() {
            return stages != null;
        }
    }

    /**
     * A part of a train step whose samples depend on each other ({@code Op.BATCH_COUPLED}): {@code trainForward}
     * and {@code backward} cut after each kernel whose partial sums the runtime combines over the
     * batch before the next stage reads them; the last stage's {@code sums} is null.
     */
    public record Stage(List<Kernel> kernels, Kernel.Norm sums) {}

    /**
     * A loss statement: the output it is on, the buffer its target is fed to (shaped like the
     * output), the buffer of the sample's weight in it, the buffer of its value, the loss as the
     * source names it, its weight in the sum and its class weights (or null).
     */
    public record LossTerm(Node output, Buffer target, Buffer sampleWeight, Buffer value, LossFunction function, double weight, float[] classWeights) {}
}
