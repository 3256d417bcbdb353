package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnet.ir.Connectivity;
import nnet.ir.Graph;
import nnet.ir.Param;
import nnet.runtime.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names of units and connections from the tables other tools write (LANGUAGE.md §4): GenNet's own
 * topology tables and Reactome's GMT file ({@code resources/tables}), each read here a second way,
 * by a plain split of its lines, to say what the layer must be; the names reach the graph, the
 * generated class ({@link Network#unitNames}) and survive elementwise ops, gates and concat.
 */
class UnitNamesTest {
    private static final String TABLES = "src/compiler/src/test/resources/tables/";
    @TempDir Path tmp;

    /** Rows of a CSV file as its cells, trimmed (GenNet pads its names with spaces), the header first. */
    private static List<String[]> csv(String file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(TestNetworks.root().resolve(TABLES + file))) {
            String[] cells = line.split(",", -1);
            for (int k = 0; k < cells.length; k++) cells[k] = cells[k].strip();
            rows.add(cells);
        }
        return rows;
    }

    private static int column(List<String[]> rows, String name) {
        return List.of(rows.get(0)).indexOf(name);
    }

    private static Param kernel(Graph g, String layer) {
        return g.params().stream().filter(p -> p.name().equals(layer + ".kernel")).findFirst().orElseThrow();
    }

    /** The present (input, unit) pairs of a kernel, as "i->j". */
    private static Set<String> pairs(Param kernel) {
        Set<String> out = new TreeSet<>();
        Connectivity c = kernel.present();
        for (int i = 0; i < c.rows(); i++)
            for (int j = 0; j < c.cols(); j++) if (c.get(i, j)) out.add(i + "->" + j);
        return out;
    }

    @Test
    void gennetsTopologyByIndexAndByNameGiveItsLayer() throws IOException {
        List<String[]> rows = csv("gennet_classification_topology.csv");
        int snp = column(rows, "layer0_node"), snpName = column(rows, "layer0_name"), gene = column(rows, "layer1_node"), geneName = column(rows, "layer1_name");
        Set<String> expected = new TreeSet<>();
        LinkedHashSet<String> genes = new LinkedHashSet<>();
        String[] snps = new String[100];
        for (String[] r : rows.subList(1, rows.size())) {
            expected.add(r[snp] + "->" + r[gene]);
            genes.add(r[geneName]);
            snps[Integer.parseInt(r[snp])] = r[snpName];
        }
        Graph g = TestNetworks.graph("""
                network GenNet {
                  input snps[100] names "%1$s" (layer0_node -> layer0_name)
                  byIndex = dense(snps, connect: edges "%1$s" (layer0_node -> layer1_node))
                  byName = dense(snps, connect: edges "%1$s" (layer0_name -> layer1_name), act: tanh)
                  output byIndex, byName
                }
                """.formatted(TABLES + "gennet_classification_topology.csv"));
        assertEquals(expected, pairs(kernel(g, "byIndex")), "GenNet's mask: a connection per row, its unit count the largest index + 1");
        assertEquals(List.of(100, 10), List.of(kernel(g, "byIndex").shape().dim(0), kernel(g, "byIndex").shape().dim(1)));
        assertEquals(List.of(snps), g.unitNames().get("snps"));
        assertEquals(List.copyOf(genes), g.unitNames().get("byName"), "units named by the target column in order of first appearance, through tanh");
        assertNull(g.unitNames().get("byIndex"), "targets by index name no unit");
        assertEquals(expected, pairs(kernel(g, "byName")), "GenNet numbers its genes in order of first appearance: the same layer by name");
    }

    @Test
    void threeLevelsOfOneTableAndPandasUnnamedIndexColumn() throws IOException {
        Graph g = TestNetworks.graph("""
                network Levels {
                  input snps[100]
                  genes = dense(snps, connect: edges "%1$s" (layer0_node -> layer1_name), act: relu)
                  pathways = dense(genes, connect: edges "%1$s" ("layer1_name" -> "layer2_name"))
                  output pathways
                }
                """.formatted(TABLES + "gennet_regression_topology.csv"));
        assertEquals(List.of("Path1", "Control_path"), g.unitNames().get("pathways"));
        Map<String, String> pathwayOf = new LinkedHashMap<>();
        List<String[]> rows = csv("gennet_regression_topology.csv");
        for (String[] r : rows.subList(1, rows.size())) pathwayOf.put(r[column(rows, "layer1_name")], r[column(rows, "layer2_name")]);
        List<String> genes = g.unitNames().get("genes");
        Set<String> expected = new TreeSet<>();
        pathwayOf.forEach((gene, pathway) -> expected.add(genes.indexOf(gene) + "->" + g.unitNames().get("pathways").indexOf(pathway)));
        assertEquals(expected, pairs(kernel(g, "pathways")));

        List<String[]> aToZ = csv("gennet_a_to_z_topology.csv");
        assertEquals("", aToZ.get(0)[0], "pandas writes its index column with an empty header");
        Graph z = TestNetworks.graph("""
                network AtoZ {
                  input snps[100] names "%1$s" (layer0_node -> layer0_name)
                  genes = dense(snps, connect: edges "%1$s" (layer0_name -> layer1_name))
                  output genes
                }
                """.formatted(TABLES + "gennet_a_to_z_topology.csv"));
        assertEquals("chr16:6068679", z.unitNames().get("snps").get(0));
        LinkedHashSet<String> genesInOrder = new LinkedHashSet<>();
        for (String[] r : aToZ.subList(1, aToZ.size())) genesInOrder.add(r[column(aToZ, "layer1_name")]);
        assertEquals(List.copyOf(genesInOrder), z.unitNames().get("genes"));
        assertEquals(100, kernel(z, "genes").count(), "a connection per row");
    }

    @Test
    void reactomesGeneSetsAreTheUnitsOfAPathwayLayer() throws IOException {
        List<String> genes = Files.readAllLines(TestNetworks.root().resolve(TABLES + "reactome_excerpt_genes.txt"));
        List<String> sets = new ArrayList<>();
        Set<String> expected = new TreeSet<>();
        for (String line : Files.readAllLines(TestNetworks.root().resolve(TABLES + "reactome_excerpt.gmt"))) {
            String[] f = line.split("\t");
            sets.add(f[0]);
            for (int k = 2; k < f.length; k++) expected.add(genes.indexOf(f[k]) + "->" + (sets.size() - 1));
        }
        Graph g = TestNetworks.graph("""
                network Pnet {
                  input genes[%d] names "%s"
                  pathways = dense(genes, connect: gmt "%s", act: tanh)
                  output pathways
                }
                """.formatted(genes.size(), TABLES + "reactome_excerpt_genes.txt", TABLES + "reactome_excerpt.gmt"));
        assertEquals(sets, g.unitNames().get("pathways"), "a unit per gene set, in the file's order");
        assertEquals("2-LTR circle formation", sets.get(0));
        assertEquals(expected, pairs(kernel(g, "pathways")), "a connection from each gene of a set to its unit");
    }

    /** A layer's own names order its units, and its tables resolve against them: for connect: and freeze: alike. */
    @Test
    void aLayersNamesOrderItsUnitsAndFreezeResolvesByName() throws IOException {
        List<String> sets = new ArrayList<>();
        for (String line : Files.readAllLines(TestNetworks.root().resolve(TABLES + "reactome_excerpt.gmt"))) sets.add(line.split("\t")[0]);
        List<String> reversed = new ArrayList<>(sets);
        java.util.Collections.reverse(reversed);
        Files.write(tmp.resolve("pathways.txt"), reversed);
        Files.copy(TestNetworks.root().resolve(TABLES + "reactome_excerpt.gmt"), tmp.resolve("r.gmt"));
        Files.copy(TestNetworks.root().resolve(TABLES + "reactome_excerpt_genes.txt"), tmp.resolve("genes.txt"));
        Files.writeString(tmp.resolve("freeze.csv"), "gene,pathway\nBANF1,2-LTR circle formation\nPRPS1,5-Phosphoribose 1-diphosphate biosynthesis\n");
        Files.writeString(tmp.resolve("n.nnet"), """
                network Ordered {
                  input genes[225] names "genes.txt"
                  inOrder = dense(genes, connect: gmt "r.gmt")
                  reordered = dense(genes, connect: gmt "r.gmt", names: "pathways.txt", freeze: edges "freeze.csv" (gene -> pathway))
                  output inOrder, reordered
                }
                """);
        Compiler.Checked c = Compiler.check(tmp.resolve("n.nnet"));
        assertTrue(c.ok(), c.diagnostics().toString());
        Graph g = c.graphs().get(0);
        assertEquals(reversed, g.unitNames().get("reordered"), "the names file's order, not the GMT's");
        Set<String> expected = new TreeSet<>();
        for (String pair : pairs(kernel(g, "inOrder"))) {
            String[] ij = pair.split("->");
            expected.add(ij[0] + "->" + (sets.size() - 1 - Integer.parseInt(ij[1])));
        }
        assertEquals(expected, pairs(kernel(g, "reordered")), "each set's genes connect to the unit of its name");
        List<String> genes = g.unitNames().get("genes");
        Connectivity frozen = kernel(g, "reordered").frozen();
        assertEquals(2, frozen.count());
        assertTrue(frozen.get(genes.indexOf("BANF1"), reversed.indexOf("2-LTR circle formation")));
        assertTrue(frozen.get(genes.indexOf("PRPS1"), reversed.indexOf("5-Phosphoribose 1-diphosphate biosynthesis")));
    }

    @Test
    void namesFollowElementwiseOpsGatesReshapesAndConcat() {
        Graph g = TestNetworks.graph("""
                network Flow {
                  input x[3] names ["a", "b", "c"]
                  input y[2] names ["d", "e"]
                  h = dense(x, 2, relu, names: ["p", "q"])
                  s = sigmoid(h) * 2 + h
                  on, off = gate(h, s)
                  r = reshape(flatten(on), [1, 2])
                  joined = concat(h, y, axis: 0)
                  same = concat(on, off, axis: 0)
                  partly = concat(x, dense(y, 1), axis: 0)
                  other = dense(h, 2)
                  output r, joined, same, partly, other
                }
                """);
        Map<String, List<String>> names = g.unitNames();
        assertEquals(List.of("p", "q"), names.get("h"));
        assertEquals(List.of("p", "q"), names.get("s"));
        assertEquals(List.of("p", "q"), names.get("on"));
        assertEquals(List.of("p", "q"), names.get("r"));
        assertEquals(List.of("p", "q", "d", "e"), names.get("joined"));
        assertEquals(List.of("on.p", "on.q", "off.p", "off.q"), names.get("same"), "qualified by part where two parts share names");
        assertEquals(List.of("a", "b", "c", "partly[3]"), names.get("partly"));
        assertNull(names.get("other"), "a layer's units have names only when given");
    }

    @Test
    void theGeneratedClassCarriesTheNames() {
        Graph g = TestNetworks.graph("""
                network Named {
                  input x[3] names ["a", "b", "c"]
                  h = dense(x, 2, relu, names: ["p", "q"])
                  h2 = h
                  y = dense(h, 1)
                  output y
                }
                """);
        Network net = TestNetworks.compile(g);
        assertArrayEquals(new String[] {"a", "b", "c"}, net.unitNames("x"));
        assertArrayEquals(new String[] {"p", "q"}, net.unitNames("h"));
        assertArrayEquals(new String[] {"p", "q"}, net.unitNames("h2"), "an alias names the same units");
        assertNull(net.unitNames("y"));
        Network plain = TestNetworks.compile(TestNetworks.graph("network P {\n input x[2]\n y = dense(x, 1)\n output y\n}\n"));
        assertNull(plain.unitNames("x"), "a network without names has none");
    }

    /**
     * GenNet's and P-NET's scale: 150,000 named SNPs, a topology table of a row per SNP naming one of
     * 20,000 genes, and a GMT file of 2,000 pathways over those genes, resolved through hash maps.
     * The time is printed, not asserted (timings belong to benchmarks).
     */
    @Test
    void namesAndTablesAtGenNetScale() throws IOException {
        int snps = 150_000, genes = 20_000, pathways = 2_000;
        StringBuilder names = new StringBuilder(), table = new StringBuilder("chr,layer0_node,layer0_name,layer1_node,layer1_name\n"), gmt = new StringBuilder();
        for (int i = 0; i < snps; i++) {
            names.append("rs").append(1_000_000 + i).append('\n');
            int gene = (int) ((long) i * genes / snps);
            table.append(1 + gene % 22).append(',').append(i).append(",rs").append(1_000_000 + i).append(',').append(gene).append(",GENE").append(gene).append('\n');
        }
        for (int p = 0; p < pathways; p++) {
            gmt.append("PATHWAY_").append(p).append("\thttp://example.org/").append(p);
            for (int k = 0; k < 50; k++) gmt.append("\tGENE").append((p * 37 + k * 101) % genes);
            gmt.append('\n');
        }
        Files.writeString(tmp.resolve("snps.txt"), names);
        Files.writeString(tmp.resolve("topology.csv"), table);
        Files.writeString(tmp.resolve("pathways.gmt"), gmt);
        Files.writeString(tmp.resolve("big.nnet"), """
                network Big {
                  input snps[%d] names "snps.txt"
                  genes = dense(snps, connect: edges "topology.csv" (layer0_name -> layer1_name), act: tanh)
                  pathways = dense(genes, connect: gmt "pathways.gmt", act: tanh)
                  y = dense(pathways, 1, sigmoid)
                  output y
                }
                """.formatted(snps));
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = System.nanoTime(), cpu = threads.getCurrentThreadCpuTime();
        Compiler.Checked c = Compiler.check(tmp.resolve("big.nnet"));
        System.out.println("names at scale: " + snps + " named inputs, a " + snps + "-row topology table, " + pathways + " gene sets: checked in "
                + (System.nanoTime() - start) / 1_000_000 + " ms (" + (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000 + " ms of this thread's CPU)");
        assertTrue(c.ok(), c.diagnostics().toString());
        Graph g = c.graphs().get(0);
        assertEquals(genes, g.unitNames().get("genes").size());
        assertEquals("GENE0", g.unitNames().get("genes").get(0));
        assertEquals(snps, kernel(g, "genes").count());
        assertEquals(pathways, g.unitNames().get("pathways").size());
        assertEquals(pathways * 50L, kernel(g, "pathways").count());
    }
}
