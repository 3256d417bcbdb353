package nnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import nnet.ir.Graph;
import nnet.ir.Param;
import nnet.runtime.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Compiles a file in memory and shows what it computes: for small inputs every 0/1 combination
 * (XOR's truth table), otherwise a few random rows, with every named node beside the outputs.
 */
@Command(name = "run", description = "Compiles FILE in memory and shows outputs and hidden activations on sample inputs.")
final class RunCommand implements Callable<Integer> {
    /** Inputs with at most this many values in all are shown on every 0/1 combination. */
    static final int TRUTH_TABLE_INPUTS = 4;
    /** Values shown per node before eliding the rest. */
    static final int SHOWN_VALUES = 6;
    /** A table wider than this is printed as one block per sample instead. */
    static final int MAX_WIDTH = 100;

    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--weights", description = "safetensors weights; default: fixed weights, others initialised from --seed") Path weights;
    @picocli.CommandLine.Mixin NonFiniteOption nonFinite;
    @Option(names = "--seed", defaultValue = "1", description = "seed of initial weights and of random sample inputs (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--network", description = "which network, when FILE declares several") String network;
    @Option(names = "--rows", defaultValue = "4", description = "random sample rows when inputs are large (default ${DEFAULT-VALUE})") int rows;

    @Override
    public Integer call() {
        Graph g = Sources.graph(file, network);
        Network net = Sources.instantiate(g, MemoryNeeds.Use.FORWARD, 0, "run");
        Sources.loadWeights(net, g, weights, seed, nonFinite);
        System.out.println("network " + g.name() + " (" + file + ")");
        System.out.println("  " + weightSummary(g));
        List<String> shown = new ArrayList<>(net.nodeNames());
        shown.removeAll(net.inputNames());
        shown.removeAll(net.outputNames());
        shown.addAll(net.outputNames());
        List<String> columns = new ArrayList<>(net.inputNames());
        columns.addAll(shown);
        List<float[][]> samples = samples(net);
        List<List<String>> table = new ArrayList<>();
        List<String> header = new ArrayList<>();
        for (String c : columns) header.add(c + Arrays.toString(net.shape(c)).replace(" ", "") + (net.outputNames().contains(c) ? " (output)" : "") + unitNames(net, c));
        table.add(header);
        for (float[][] sample : samples) {
            net.forward(sample);
            List<String> row = new ArrayList<>();
            for (String c : columns) row.add(values(net.activation(c)));
            table.add(row);
        }
        print(table);
        return 0;
    }

    private String weightSummary(Graph g) {
        long fixed = 0, trainable = 0;
        for (Param p : g.params()) {
            if (p.isFixed()) fixed += p.count();
            else trainable += p.count();
        }
        String source = weights != null ? "from " + weights : trainable == 0 ? "all fixed in the source" : "initialised with --seed " + seed;
        return "weights: " + trainable + " trainable, " + fixed + " fixed; " + source;
    }

    private List<float[][]> samples(Network net) {
        int total = 0;
        for (String in : net.inputNames()) total += net.activation(in).length;
        List<float[][]> out = new ArrayList<>();
        boolean truthTable = total <= TRUTH_TABLE_INPUTS;
        SplittableRandom rnd = new SplittableRandom(seed);
        int count = truthTable ? 1 << total : rows;
        for (int r = 0; r < count; r++) {
            float[][] sample = new float[net.inputNames().size()][];
            int bit = total - 1;
            for (int k = 0; k < sample.length; k++) {
                sample[k] = new float[net.activation(net.inputNames().get(k)).length];
                Integer vocabulary = net.tokenInputs().get(net.inputNames().get(k)); // token ids: random ones of the vocabulary
                for (int i = 0; i < sample[k].length; i++, bit--)
                    sample[k][i] = truthTable ? (r >> bit) & 1 : vocabulary != null ? rnd.nextInt(vocabulary) : (float) rnd.nextDouble();
            }
            out.add(sample);
        }
        return out;
    }

    /** The names of the units whose values are shown, when they have names (LANGUAGE.md §4): {@code : HERC2 BRCA2 …}. */
    private static String unitNames(Network net, String node) {
        String[] names = net.unitNames(node);
        if (names == null) return "";
        List<String> shown = new ArrayList<>(List.of(names).subList(0, Math.min(names.length, SHOWN_VALUES)));
        if (names.length > SHOWN_VALUES) shown.add("…");
        return ": " + String.join(" ", shown);
    }

    private static String values(float[] v) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(v.length, SHOWN_VALUES); i++) parts.add(format(v[i]));
        if (v.length > SHOWN_VALUES) parts.add("… (" + v.length + ")");
        return String.join(" ", parts);
    }

    static String format(float v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) return Integer.toString((int) v);
        String s = String.format("%.4f", v);
        return s.replaceAll("0+$", "");
    }

    /** One row per sample when it fits, else one block per sample with a line per node. */
    private static void print(List<List<String>> table) {
        int cols = table.get(0).size();
        int[] width = new int[cols];
        for (List<String> row : table) for (int c = 0; c < cols; c++) width[c] = Math.max(width[c], row.get(c).length());
        int total = 2;
        for (int w : width) total += w + 4;
        if (total > MAX_WIDTH) {
            int nameWidth = 0;
            for (String h : table.get(0)) nameWidth = Math.max(nameWidth, h.length());
            for (int r = 1; r < table.size(); r++) {
                System.out.println("  sample " + r);
                for (int c = 0; c < cols; c++) {
                    String name = table.get(0).get(c);
                    System.out.println("    " + name + " ".repeat(nameWidth - name.length()) + "  " + table.get(r).get(c));
                }
            }
            return;
        }
        for (int r = 0; r < table.size(); r++) {
            StringBuilder sb = new StringBuilder("  ");
            for (int c = 0; c < cols; c++) {
                String cell = table.get(r).get(c);
                sb.append(cell).append(" ".repeat(width[c] - cell.length())).append(c + 1 < cols ? "  | " : "");
            }
            System.out.println(sb.toString().stripTrailing());
        }
    }
}
