package nnet.interchange.onnx;

import static nnet.interchange.onnx.OnnxGraphWriter.integer;
import static nnet.interchange.onnx.OnnxGraphWriter.tensor;
import static nnet.interchange.onnx.OnnxGraphWriter.text;

import java.util.Arrays;
import nnet.interchange.onnx.proto.Onnx.TensorProto;
import nnet.ir.Param;
import nnet.runtime.math.SparseIndex;

/**
 * A sparse dense-layer kernel as its list of present connections {@code i -> j} with weights
 * {@code w}: {@code y[r, j] = sum over edges of x[r, i] w}, written as Gather (the inputs of every
 * edge), Mul (their weights) and ScatterElements with {@code reduction=add} into zeros (each edge's
 * product added to its unit). The file and the work grow with the connections, not with
 * {@code inputs x units}. (A {@code sparse_initializer} would be densified when loaded, and the
 * ONNX checker rejects one in front of MatMul.)
 */
final class OnnxEdgeList {
    private OnnxEdgeList() {}

    /**
     * @param weight the kernel's value at each connection, in the row-major order of {@code p.present().index()}
     * @param x      the input {@code [N, ..., n]}
     * @param dims   the output's shape without the batch axis ({@code [..., m]})
     */
    static String write(OnnxGraphWriter w, Param p, float[] weight, String x, int[] dims, String out) {
        SparseIndex connections = p.present().index();
        int n = connections.rows(), m = connections.cols(), edges = connections.count();
        int[] from = new int[edges], to = connections.colIndex();
        for (int i = 0; i < n; i++) Arrays.fill(from, connections.rowStart()[i], connections.rowStart()[i + 1], i);
        String name = p.name();
        String rows = w.reshape(x, new int[] {n}, w.fresh(out + "_rows"));                                                   // [R, n]
        String gathered = w.temp("Gather", out + "_gathered", new String[] {rows, w.indices(name + ".from", from)}, integer("axis", 1)); // [R, E]
        String products = w.temp("Mul", out + "_products", new String[] {gathered, w.floats(name + ".edges", new int[] {edges}, weight)});
        String index = w.temp("Expand", out + "_index", new String[] {w.indices(name + ".to", to), w.temp("Shape", out + "_products_shape", new String[] {products})});
        String rowCount = w.temp("Shape", out + "_row_count", new String[] {rows}, integer("start", 0), integer("end", 1));
        String zerosShape = w.temp("Concat", out + "_zeros_shape", new String[] {rowCount, w.longs(out + "_units", m)}, integer("axis", 0));
        TensorProto zero = TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber()).addDims(1).addFloatData(0f).build();
        String zeros = w.temp("ConstantOfShape", out + "_zeros", new String[] {zerosShape}, tensor("value", zero));
        String sums = w.temp("ScatterElements", out + "_sums", new String[] {zeros, index, products}, integer("axis", 1), text("reduction", "add")); // [R, m]
        return w.reshape(sums, dims, out);
    }
}
