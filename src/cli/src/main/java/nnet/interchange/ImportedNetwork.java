package nnet.interchange;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.Compiler;
import nnet.ir.Graph;
import nnet.ir.Param;
import nnet.runtime.Tensor;

/**
 * A {@code .nnet} network being written by an import (Keras, ONNX): its statements, one nnet name
 * per foreign name, its weights named as LANGUAGE.md §6 says, and notes for the user. The result
 * is checked by the compiler before it is returned: a translation that does not check, or whose
 * weights do not fit it, is a bug of the import, not the user's.
 */
public final class ImportedNetwork {
    /** What an import makes: the network's source, its weights, and what the user should know. */
    public record Result(String source, Map<String, Tensor> weights, List<String> notes) {}

    private static final Set<String> KEYWORDS = Set.of("block", "const", "input", "loss", "network", "output", "return", "train");

    private final StringBuilder body = new StringBuilder();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> assigned = new HashMap<>();

    /** The nnet name of a foreign name: an identifier, never a keyword, the same each time it is asked for one foreign name. */
    public String name(String foreign) {
        return assigned.computeIfAbsent(foreign, this::fresh);
    }

    /** A new nnet name made from {@code base}, unique in the network. */
    public String fresh(String base) {
        String b = base.replaceAll("[^A-Za-z0-9_]", "_");
        if (b.isEmpty() || Character.isDigit(b.charAt(0))) b = "l_" + b;
        if (KEYWORDS.contains(b)) b = b + "_";
        String n = b;
        for (int i = 1; !names.add(n); i++) n = b + "_" + i;
        return n;
    }

    public void line(String statement) {
        body.append("  ").append(statement).append('\n');
    }

    public void weight(String name, Tensor t) {
        weights.put(name, t);
    }

    public void note(String note) {
        notes.add(note);
    }

    /**
     * The network's source and weights, checked by the compiler.
     *
     * @param origin what it was imported from, for the header comment: {@code model.onnx (PyTorch 1.13, opset 17)}
     */
    public Result finish(String origin, String networkName, List<String> outputs) {
        StringBuilder src = new StringBuilder("// imported by nnetc import from " + origin + "\n");
        for (String n : notes) src.append("// note: ").append(n).append('\n');
        src.append("network ").append(networkName(networkName)).append(" {\n").append(body).append("  output ").append(String.join(", ", outputs)).append("\n}\n");
        Result r = new Result(src.toString(), weights, List.copyOf(notes));
        checked(r);
        return r;
    }

    /** A network name (an identifier in upper camel case) from a model's name. */
    static String networkName(String modelName) {
        StringBuilder sb = new StringBuilder();
        for (String part : modelName.split("[^A-Za-z0-9]+"))
            if (!part.isEmpty()) sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        return sb.isEmpty() || Character.isDigit(sb.charAt(0)) ? "Imported" + sb : sb.toString();
    }

    /** The compiler's word on the translation: it checks, and every weight has the shape the network needs. */
    private static void checked(Result r) {
        Compiler.Checked c = Compiler.check("imported.nnet", r.source(), Path.of("."));
        if (!c.ok()) throw new IllegalStateException("the imported network does not check:\n" + c.diagnostics() + "\n" + r.source());
        Graph g = c.graphs().get(0);
        for (Param p : g.params()) {
            Tensor t = r.weights().get(p.name());
            if (t == null || !Arrays.equals(t.shape(), p.shape().dims()))
                throw new IllegalStateException("imported weight " + p.name() + " is " + (t == null ? "missing" : t.shapeString()) + ", the network needs " + p.shape());
        }
    }
}
