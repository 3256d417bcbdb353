package nnet.lower;

import java.util.List;
import java.util.Map;
import nnet.ir.Graph;
import nnet.ir.Node;

/**
 * The forward pass ready for the emitter: buffers, kernels in execution order, and which buffer
 * holds each readable node. Structure lives here as data; the emitter only prints it as bytecode.
 */
public record Program(Graph graph, List<Buffer> buffers, List<Kernel> kernels, Map<Node, Buffer> bufferOf) {}
