package nnet.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.Attributions;
import nnet.runtime.io.Csv;
import nnet.runtime.DenseChain;
import nnet.runtime.Network;
import nnet.runtime.Tensor;

/**
 * The files of {@code nnetc explain}, filled chunk by chunk as the rows' attributions come (memory
 * stays a chunk's and a sum per unit, whatever the rows): per node {@code <node>.csv} (the mean over
 * rows of each unit's attribution and of its absolute value, by the latter), with {@code --per-sample}
 * {@code <node>.samples.csv}; {@code summary.csv}, every unit of every node ranked within its node;
 * {@code check.csv} for the complete methods; {@code paths.csv} for {@code weights}; {@code report.html}.
 * Every file is written atomically (a per-sample file goes to a temporary file first, then in place).
 */
final class ExplainFiles implements AutoCloseable {
    /** paths.csv is written up to this many paths (P-NET's hierarchy multiplies them). */
    static final long MAX_PATHS = 1_000_000;

    /** One explained node: its units' names (empty where it has none) and the sums over rows. */
    static final class NodeScores {
        final String node;
        final String[] names;
        final double[] sum, sumAbs;
        int rows;
        /** {@link #ranked()}, once every row is in. */
        private int[] ranked;

        NodeScores(String node, String[] names, int units) {
            this.node = node;
            this.names = names;
            this.sum = new double[units];
            this.sumAbs = new double[units];
        }

        double score(int unit) {
            return sum[unit] / rows;
        }

        double absScore(int unit) {
            return sumAbs[unit] / rows;
        }

        /** The units by mean absolute attribution, largest first (ties by unit). */
        int[] ranked() {
            if (ranked == null) ranked = IntStream.range(0, sum.length).boxed().sorted(Comparator.comparingDouble((Integer u) -> -sumAbs[u]).thenComparingInt(u -> u)).mapToInt(Integer::intValue).toArray();
            return ranked;
        }

        String label(int unit) {
            return names[unit].isEmpty() ? node + "[" + unit + "]" : names[unit];
        }
    }

    /** One row of check.csv. */
    private record Check(int row, int unit, float value, float baselineValue, double inputSum) {}

    private final Network net;
    private final Attributions.Request request;
    private final Path dir;
    private final List<NodeScores> scores = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    /** Per node with --per-sample: the temporary file and its writer. */
    private final Map<String, Path> sampleFiles = new LinkedHashMap<>();
    private final Map<String, Writer> sampleWriters = new LinkedHashMap<>();

    ExplainFiles(Network net, Attributions.Request request, Path dir, boolean perSample, int rows) throws IOException {
        this.net = net;
        this.request = request;
        this.dir = dir;
        for (String node : request.nodes()) {
            int units = (int) Tensor.size(net.shape(node));
            NodeScores s = new NodeScores(node, names(net, node, units), units);
            scores.add(s);
            if (perSample) {
                Path tmp = Files.createTempFile(dir, "." + node + ".samples", ".tmp");
                sampleFiles.put(node, tmp);
                Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8), 1 << 16);
                sampleWriters.put(node, w);
                w.write("row");
                for (int u = 0; u < units; u++) w.write("," + csv(s.label(u)));
                w.write("\n");
            }
        }
    }

    /** The names of a node's units ({@link Network#unitNames}), empty strings where it has none. */
    static String[] names(Network net, String node, int units) {
        String[] names = net.unitNames(node), out = new String[units];
        for (int u = 0; u < units; u++) out[u] = names != null && u < names.length && names[u] != null ? names[u] : "";
        return out;
    }

    /** A chunk of rows from {@link Attributions#run}. */
    void add(int first, List<Attributions.Row> rows) {
        try {
            for (int r = 0; r < rows.size(); r++) {
                Attributions.Row row = rows.get(r);
                for (int k = 0; k < scores.size(); k++) {
                    NodeScores s = scores.get(k);
                    float[] v = row.scores()[k];
                    for (int u = 0; u < v.length; u++) {
                        s.sum[u] += v[u];
                        s.sumAbs[u] += Math.abs(v[u]);
                    }
                    s.rows++;
                    Writer w = sampleWriters.get(s.node);
                    if (w != null) {
                        w.write(Integer.toString(first + r));
                        for (float x : v) w.write("," + Csv.format(x));
                        w.write("\n");
                    }
                }
                if (request.method().complete()) checks.add(new Check(first + r, row.unit(), row.value(), row.baselineValue(), row.inputSum()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes every file, each atomically. */
    void finish() throws IOException {
        for (NodeScores s : scores) write(s.node + ".csv", w -> {
            w.write("unit,name,score,abs_score\n");
            for (int u : s.ranked()) w.write(u + "," + csv(s.names[u]) + "," + number(s.score(u)) + "," + number(s.absScore(u)) + "\n");
        });
        write("summary.csv", w -> {
            w.write("node,rank,unit,name,score,abs_score\n");
            for (NodeScores s : scores) {
                int[] ranked = s.ranked();
                for (int r = 0; r < ranked.length; r++)
                    w.write(csv(s.node) + "," + (r + 1) + "," + ranked[r] + "," + csv(s.names[ranked[r]]) + "," + number(s.score(ranked[r])) + "," + number(s.absScore(ranked[r])) + "\n");
            }
        });
        if (request.method().complete()) write("check.csv", w -> {
            w.write("row,unit,f_x,f_baseline,difference,attribution_sum,error\n");
            for (Check c : checks) {
                double d = (double) c.value() - c.baselineValue();
                w.write(c.row() + "," + c.unit() + "," + Csv.format(c.value()) + "," + Csv.format(c.baselineValue()) + "," + number(d) + "," + number(c.inputSum()) + "," + number(c.inputSum() - d) + "\n");
            }
        });
        for (Map.Entry<String, Writer> e : sampleWriters.entrySet()) {
            e.getValue().close();
            Path tmp = sampleFiles.get(e.getKey());
            AtomicFiles.write(dir.resolve(e.getKey() + ".samples.csv"), out -> Files.copy(tmp, out));
            Files.delete(tmp);
        }
        sampleWriters.clear();
        if (request.method() == Attributions.Method.WEIGHTS) paths();
        ExplainReport.write(dir.resolve("report.html"), net, request, scores);
    }

    /** paths.csv: every path from the chain's first node to the target unit, its units, their names, the weights and their product. */
    private void paths() {
        DenseChain chain = DenseChain.to(net, request.output());
        int unit = Math.max(request.unit(), 0);
        long[] count = new long[1];
        chain.paths(unit, (units, w) -> count[0]++);
        if (count[0] > MAX_PATHS) {
            System.err.println("paths.csv not written: " + count[0] + " paths from " + chain.links().get(chain.links().size() - 1).input() + " to " + request.output() + " (more than " + MAX_PATHS + ")");
            return;
        }
        List<String> nodes = new ArrayList<>();
        for (int k = chain.links().size() - 1; k >= 0; k--) nodes.add(chain.links().get(k).input());
        nodes.add(request.output());
        List<String[]> names = new ArrayList<>();
        for (String n : nodes) names.add(names(net, n, (int) Tensor.size(net.shape(n))));
        write("paths.csv", w -> {
            List<String> header = new ArrayList<>();
            for (String n : nodes) {
                header.add(csv(n + ".unit"));
                header.add(csv(n + ".name"));
            }
            for (int k = 1; k < nodes.size(); k++) header.add(csv(nodes.get(k) + ".weight"));
            header.add("product");
            w.write(String.join(",", header) + "\n");
            try {
                chain.paths(unit, (units, weights) -> {
                    StringBuilder line = new StringBuilder();
                    double product = 1;
                    for (int d = 0; d < units.length; d++) line.append(units[d]).append(',').append(csv(names.get(d)[units[d]])).append(',');
                    for (float x : weights) {
                        line.append(Csv.format(x)).append(',');
                        product *= x;
                    }
                    line.append(number(product)).append('\n');
                    try {
                        w.write(line.toString());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        });
    }

    interface Body {
        void write(Writer w) throws IOException;
    }

    private void write(String name, Body body) {
        AtomicFiles.write(dir.resolve(name), out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            body.write(w);
            w.flush();
        });
    }

    /** Temporary per-sample files of a run that did not finish are removed. */
    @Override
    public void close() throws IOException {
        for (Writer w : sampleWriters.values()) w.close();
        for (Path tmp : sampleFiles.values()) Files.deleteIfExists(tmp);
    }

    static String number(double v) {
        return Csv.format((float) v);
    }

    /** A CSV field: quoted when it holds a comma, a quote or a line break. */
    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
