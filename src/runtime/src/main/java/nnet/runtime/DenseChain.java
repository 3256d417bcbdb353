package nnet.runtime;

import nnet.runtime.io.CompactKernel;

import nnet.runtime.io.SparseWeights;
import nnet.runtime.math.SparseIndex;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GenNet's path products (the {@code weights} method): along a chain of dense layers from an input
 * to an output, the score of a unit is the sum over the paths from it to the target unit of the
 * product of the kernels' entries on the path, that is the target's column of the product of the
 * masked kernels; absent connections are no path. Biases and activations are left out, so the scores
 * are the same for every row. The chain comes from the compiler ({@code <Network>.links} beside the
 * network's class: a line {@code node<TAB>input<TAB>kernel} per dense layer on a named node).
 */
public final class DenseChain {
    /** A dense layer: the node it computes from {@code input} through {@code kernel}. */
    public record Link(String node, String input, CompactKernel kernel) {}

    private final List<Link> links;

    private DenseChain(List<Link> links) {
        this.links = links;
    }

    /** The links from {@code output}'s raw value back to the first node that is no dense layer's (an input), output first. */
    public List<Link> links() {
        return links;
    }

    /** The chain of dense layers that ends at {@code output}, with the network's current weights. */
    public static DenseChain to(Network net, String output) {
        Map<String, String[]> byNode = byNode(net);
        if (!byNode.containsKey(output))
            throw new UserError("weights follows chains of dense layers, and " + net.name() + "'s output " + output + " is not a dense layer on a named node");
        Map<String, StoredTensor> weights = net.saveWeights(SparseWeights.ALWAYS);
        List<Link> links = new ArrayList<>();
        for (String at = output; byNode.containsKey(at); at = byNode.get(at)[1]) {
            String[] f = byNode.get(at);
            links.add(new Link(f[0], f[1], kernel(weights, f[2])));
        }
        return new DenseChain(List.copyOf(links));
    }

    /** Every dense layer on a named node, by node, with the network's current weights (a picture's connections). */
    public static Map<String, Link> layers(Network net) {
        Map<String, StoredTensor> weights = net.saveWeights(SparseWeights.ALWAYS);
        Map<String, Link> out = new LinkedHashMap<>();
        for (String[] f : byNode(net).values())
            if (weights.containsKey(f[2]) || CompactKernel.isIn(weights, f[2])) out.put(f[0], new Link(f[0], f[1], kernel(weights, f[2])));
        return out;
    }

    private static Map<String, String[]> byNode(Network net) {
        Map<String, String[]> byNode = new LinkedHashMap<>();
        for (String line : linksText(net).split("\n")) {
            if (line.isEmpty()) continue;
            String[] f = line.split("\t");
            byNode.put(f[0], f);
        }
        return byNode;
    }

    private static String linksText(Network net) {
        String resource = net.getClass().getSimpleName() + ".links";
        try (InputStream in = net.getClass().getResourceAsStream(resource)) {
            if (in == null) throw new UserError(net.name() + " has no list of its dense layers (" + resource + "): compile it again with an nnetc that has 'explain'");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    /** A kernel as its present connections (by input row): compact as stored, or every entry of a dense one (0 where its mask says absent). */
    private static CompactKernel kernel(Map<String, StoredTensor> weights, String name) {
        if (CompactKernel.isIn(weights, name)) return CompactKernel.read(weights, name);
        Tensor dense = (Tensor) weights.get(name);
        if (dense == null) { // fixed in the source: not among the weights
            throw new UserError("weights needs the kernel " + name + ", which is fixed in the source; the weights method reads trained kernels only");
        }
        String layer = name.substring(0, name.length() - ".kernel".length());
        Tensor mask = (Tensor) weights.get(layer + ".mask");
        int n = dense.shape()[0], m = dense.shape()[1];
        SparseIndex index = mask != null ? SparseIndex.fromMask(mask) : SparseIndex.of(n, m, (i, j) -> true);
        return CompactKernel.of(dense, index);
    }

    /**
     * Each node's scores for {@code unit} of the output: the output's own one-hot, then each input's,
     * {@code v_in[i] = sum_j W[i, j] v[j]} over present (i, j).
     */
    public Map<String, float[]> scores(int unit) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Link last = links.get(0);
        float[] v = new float[last.kernel().index().cols()];
        v[unit] = 1;
        out.put(last.node(), v);
        for (Link l : links) {
            SparseIndex ix = l.kernel().index();
            float[] in = new float[ix.rows()];
            for (int i = 0; i < in.length; i++) {
                double s = 0;
                for (int k = ix.rowStart()[i]; k < ix.rowStart()[i + 1]; k++) s += (double) l.kernel().values()[k] * v[ix.colIndex()[k]];
                in[i] = (float) s;
            }
            out.put(l.input(), in);
            v = in;
        }
        return out;
    }

    /** Receives a path: the unit at each node from the chain's first input to the output, and the weight of each link on the way. */
    public interface PathVisitor {
        void path(int[] units, float[] weights);
    }

    /** Every path from a unit of the chain's first node to {@code unit} of the output, in order of their units. */
    public void paths(int unit, PathVisitor visit) {
        int depth = links.size();
        // reaches[d]: the units of the d-th node from the input that have a path to the target
        boolean[][] reaches = new boolean[depth + 1][];
        reaches[depth] = new boolean[links.get(0).kernel().index().cols()];
        reaches[depth][unit] = true;
        for (int d = depth - 1; d >= 0; d--) {
            SparseIndex ix = links.get(depth - 1 - d).kernel().index();
            reaches[d] = new boolean[ix.rows()];
            for (int i = 0; i < ix.rows(); i++)
                for (int k = ix.rowStart()[i]; k < ix.rowStart()[i + 1] && !reaches[d][i]; k++) reaches[d][i] = reaches[d + 1][ix.colIndex()[k]];
        }
        int[] units = new int[depth + 1];
        float[] w = new float[depth];
        for (int i = 0; i < reaches[0].length; i++)
            if (reaches[0][i]) {
                units[0] = i;
                walk(0, units, w, reaches, visit);
            }
    }

    private void walk(int d, int[] units, float[] w, boolean[][] reaches, PathVisitor visit) {
        if (d == links.size()) {
            visit.path(units, w);
            return;
        }
        CompactKernel k = links.get(links.size() - 1 - d).kernel();
        SparseIndex ix = k.index();
        for (int e = ix.rowStart()[units[d]]; e < ix.rowStart()[units[d] + 1]; e++) {
            int j = ix.colIndex()[e];
            if (!reaches[d + 1][j]) continue;
            units[d + 1] = j;
            w[d] = k.values()[e];
            walk(d + 1, units, w, reaches, visit);
        }
    }

    /** The weights method as rows of {@link Attributions}: the same scores for every row. */
    static void attribute(Network net, int rows, Attributions.Request r, Attributions.Sink sink) {
        DenseChain chain = to(net, r.output());
        int units = chain.links.get(0).kernel().index().cols();
        if (r.unit() == Attributions.PREDICTED && units > 1)
            throw new UserError("the weights method gives the same scores for every row: choose a unit of " + r.output() + " (--target " + r.output() + ":3)");
        int unit = Math.max(r.unit(), 0);
        if (unit >= units) throw new UserError("output " + r.output() + " has " + units + " unit(s): unit " + unit + " is not one of them");
        Map<String, float[]> scores = chain.scores(unit);
        float[][] per = new float[r.nodes().size()][];
        for (int k = 0; k < per.length; k++) {
            per[k] = scores.get(r.nodes().get(k));
            if (per[k] == null)
                throw new UserError("weights follows the chain of dense layers " + String.join(" <- ", scores.keySet()) + ", and " + r.nodes().get(k) + " is not on it");
        }
        double inputSum = 0;
        for (float v : scores.get(chain.links.get(chain.links.size() - 1).input())) inputSum += v;
        List<Attributions.Row> all = new ArrayList<>();
        for (int s = 0; s < rows; s++) all.add(new Attributions.Row(per, unit, Float.NaN, Float.NaN, inputSum));
        sink.accept(0, all);
    }
}
