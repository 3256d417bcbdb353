package nnet.check;

import java.util.List;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.ir.ImageLayout;
import nnet.ir.InputSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Shape;

/** An {@code input} statement of a network: its shape, its type ({@code int} for token ids), its image layout and its units' names. */
final class InputChecker {
    private final NetworkChecker c;

    InputChecker(NetworkChecker c) {
        this.c = c;
    }

    /** The input's node, or null after an error. */
    Node check(Ast.InputStmt in) {
        int[] dims = new int[in.dims().size()];
        boolean ok = !in.dims().isEmpty();
        for (int i = 0; i < dims.length; i++) {
            Integer d = c.positiveInt(in.dims().get(i), "dimension " + i + " of input " + in.name().name());
            if (d == null) ok = false;
            else dims[i] = d;
        }
        if (!ok) {
            if (in.dims().isEmpty()) c.error(DiagCode.SHAPE_RANK, in.span(), "input " + in.name().name() + " needs a shape, e.g. input x[4]");
            return null;
        }
        Shape shape = new Shape(dims);
        if (!c.sizeOk(in.name().span(), Sizes.elements(dims), "input " + in.name().name() + shape)) return null;
        Op.InputType type = null;
        if (in.type() != null && in.type().name().equals("int")) type = Op.InputType.INT;
        else if (in.type() != null)
            c.error(DiagCode.INPUT_TYPE, in.type().span(), "unknown input type '" + in.type().name() + "': an input holds floats, or whole numbers with 'int' (token ids for an embedding)");
        Node node = c.node(Op.INPUT, shape, List.of(), InputSpec.of(type, layout(in, shape)), in.name().name(), in.name().span());
        if (in.names() != null) c.naming.name(node, c.nameSources.input(in.names(), shape.size(), "input " + in.name().name() + shape));
        return node;
    }

    /** {@code layout: nhwc} (an image whose files hold [H, W, C]) or {@code layout: nchw} (nnet's order, as without the option). */
    private ImageLayout layout(Ast.InputStmt in, Shape shape) {
        if (in.key() == null) return null;
        String what = "input " + in.name().name() + shape;
        if (!in.key().name().equals("layout")) c.error(DiagCode.ARG_UNKNOWN, in.key().span(), "an input takes one option, layout: (nhwc for image files in Keras' order), not '" + in.key().name() + ":'");
        else if (!in.layout().name().equals("nhwc") && !in.layout().name().equals("nchw"))
            c.error(DiagCode.ARG_VALUE, in.layout().span(), "layout: takes nhwc (files hold each image [H, W, C], as Keras does) or nchw ([C, H, W], nnet's and PyTorch's order, the default), not '" + in.layout().name() + "'");
        else if (shape.rank() != 3) c.error(DiagCode.SHAPE_RANK, in.layout().span(), "layout: is for images [C, H, W]; " + what + " is not one");
        else return in.layout().name().equals("nhwc") ? ImageLayout.NHWC : null;
        return null;
    }
}
