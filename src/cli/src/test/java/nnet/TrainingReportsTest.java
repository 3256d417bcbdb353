package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import nnet.runtime.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What a person judges a run by (issue 24 items 3 to 5, issue 29 item 4), from the command line: the
 * plot's curves, legend and kept epoch; the figures on the epoch line, in the log and from
 * evaluate; {@code --monitor}; sample and class weights as Keras weighs; penalties reported apart.
 */
class TrainingReportsTest {
    @TempDir Path tmp;

    /** A binary problem of 4 features: y = 1 when x0 + x1 / 2 is above 0.4 (about a third of the rows), with some noise. */
    private record Binary(Path x, Path y, float[] labels) {}

    private Binary binary(String name, int rows, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder x = new StringBuilder(), y = new StringBuilder();
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            double[] v = new double[4];
            for (int k = 0; k < 4; k++) {
                v[k] = rnd.nextDouble(-1, 1);
                x.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", v[k]));
            }
            labels[r] = v[0] + v[1] / 2 + rnd.nextDouble(-0.3, 0.3) > 0.4 ? 1 : 0;
            x.append('\n');
            y.append((int) labels[r]).append('\n');
        }
        return new Binary(Files.writeString(tmp.resolve(name + "_x.csv"), x), Files.writeString(tmp.resolve(name + "_y.csv"), y), labels);
    }

    private Path network(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name + ".nnet"), text);
    }

    private static final String BINARY = """
            network B {
              input x[4]
              h = dense(x, 6, tanh%s)
              y = dense(h, 1, sigmoid%s)
              output y
              loss binary_cross_entropy%s
              train { optimizer: adam(lr: 0.02), batch: 16 }
            }
            """;

    private Path binaryNet(String name, String hidden, String out, String loss) throws IOException {
        return network(name, BINARY.formatted(hidden, out, loss));
    }

    private static CliRunner ok(String... args) {
        CliRunner r = CliRunner.run(args);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    /** The log's rows as maps from column name to cell. */
    private static List<java.util.Map<String, String>> log(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        String[] names = lines.get(0).split(",");
        List<java.util.Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertEquals(names.length, cells.length, line);
            java.util.Map<String, String> row = new java.util.LinkedHashMap<>();
            for (int k = 0; k < names.length; k++) row.put(names[k], cells[k]);
            rows.add(row);
        }
        return rows;
    }

    private static final String TRAINING = "rgb(31,119,180)", HELD_OUT = "rgb(214,39,40)", KEPT = "rgb(34,34,34)";

    /**
     * The SVG, read as XML: in each of its two panels (the loss, then accuracy) a line segment between
     * each two epochs and a dot at each epoch, for the training curve (solid) and the held-out one
     * (dashed), plus a sample of each in the legends; the kept epoch a diamond in each panel and in each
     * legend, and a vertical line in each panel. The PNG is the same picture.
     */
    @Test
    void thePlotHasEveryCurveALegendAndTheKeptEpoch() throws Exception {
        Binary b = binary("p", 80, 3);
        Path net = binaryNet("p", "", "", ""), svg = tmp.resolve("loss.svg"), png = tmp.resolve("loss.png"), w = tmp.resolve("w.safetensors");
        int epochs = 6;
        CliRunner r = ok("train", net.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "--validation-split", "0.25", "--epochs", "" + epochs,
                "--early-stopping", "10", "--plot", svg.toString(), "--quiet", "-o", w.toString());
        Matcher kept = Pattern.compile("kept epoch (\\d+)").matcher(r.out());
        assertTrue(kept.find(), r.out());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals("900px", doc.getDocumentElement().getAttribute("width"));
        int panels = 2, legends = 2;
        assertEquals(panels * (epochs - 1) + legends, count(doc, "stroke:" + TRAINING, null), "training: a segment per pair of epochs in each panel, one in each legend");
        assertEquals(panels * epochs + legends, count(doc, "fill:" + TRAINING, "ellipse"), "training: a dot per epoch in each panel, one in each legend");
        assertEquals(panels * (epochs - 1) + legends, count(doc, "stroke:" + HELD_OUT, "stroke-dasharray"), "held-out: dashed segments");
        assertEquals(panels * epochs + legends, count(doc, "fill:" + HELD_OUT, "ellipse"), "held-out: a dot per epoch");
        assertEquals(panels + legends, count(doc, "fill:" + KEPT, null), "the kept epoch: a diamond in each panel and each legend");
        assertEquals(panels, count(doc, "stroke:" + KEPT, null), "the kept epoch: a vertical line in each panel");

        ok("train", net.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "--validation-split", "0.25", "--epochs", "" + epochs,
                "--early-stopping", "10", "--plot", png.toString(), "--quiet", "-o", w.toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(460 + 320, image.getHeight(), "two panels");
        assertTrue(pixels(image, 0x1f77b4) > 100 && pixels(image, 0xd62728) > 100, "both curves are drawn");
    }

    /** Elements whose style contains {@code style} (and, when given, whose tag or style contains {@code also}). */
    private static int count(Document doc, String style, String also) {
        NodeList all = doc.getElementsByTagName("*");
        int n = 0;
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            String s = e.getAttribute("style");
            if (s.contains(style) && (also == null || s.contains(also) || e.getTagName().equals(also))) n++;
        }
        return n;
    }

    private static int pixels(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) for (int x = 0; x < image.getWidth(); x++) if ((image.getRGB(x, y) & 0xffffff) == rgb) n++;
        return n;
    }

    /** Early stopping watches val_auc upward: the epoch kept is the log's first highest val_auc, and a figure the run lacks is an error before any step. */
    @Test
    void earlyStoppingWatchesAnyFigureInItsDirection() throws IOException {
        Binary b = binary("m", 120, 5);
        Path net = binaryNet("m", "", "", ""), log = tmp.resolve("log.csv"), w = tmp.resolve("w.safetensors");
        CliRunner r = ok("train", net.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "--validation-split", "0.3", "--epochs", "40",
                "--early-stopping", "3", "--monitor", "val_auc", "--log", log.toString(), "-o", w.toString());
        List<java.util.Map<String, String>> rows = log(log);
        int best = 0;
        for (int e = 0; e < rows.size(); e++) if (Double.parseDouble(rows.get(e).get("val_auc")) > Double.parseDouble(rows.get(best).get("val_auc"))) best = e;
        assertTrue(r.out().contains("kept epoch " + (best + 1) + ", the one with the highest val_auc"), r.out());
        if (rows.size() < 40) assertEquals(best + 1 + 3, rows.size(), "stops 3 epochs after the best");
        for (String column : List.of("accuracy", "auc", "precision", "recall", "f1", "val_auc", "val_precision", "val_recall", "val_f1"))
            assertTrue(rows.get(0).containsKey(column), column + " in " + rows.get(0).keySet());
        assertTrue(r.err().contains("epoch 1/40: loss ") && r.err().contains(", auc ") && r.err().contains("held-out auc ") && r.err().contains(" s\n"), r.err());
        // the kept weights give the kept epoch's held-out figure
        CliRunner.run("train", net.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "--validation-split", "0.3",
                "--early-stopping", "3", "--monitor", "val_r2", "-o", w.toString()).assertUserError("--monitor val_r2: this run has no such figure");
        CliRunner.run("train", net.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "--monitor", "val_auc", "-o", w.toString())
                .assertUserError("--monitor says what --early-stopping watches");
        CliRunner lossWatch = ok("train", net.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "--epochs", "5",
                "--early-stopping", "2", "--monitor", "loss", "--quiet", "-o", w.toString());
        assertTrue(lossWatch.out().contains("the one with the lowest loss"), "a training figure needs no held-out rows: " + lossWatch.out());
    }

    /**
     * Keras' normalisation: each row's loss times its weight, the mean still over the rows (not over
     * the weights' sum). class_weights [1, 3] is the same as sample weights of 3 for the rows of class 1,
     * in the loss and in every gradient; weights of 2 double both.
     */
    @Test
    void sampleAndClassWeightsWeighEachRowsLossAsKerasDoes() throws IOException {
        Binary b = binary("w", 50, 7);
        Path plain = binaryNet("plain", "", "", ""), weighted = binaryNet("weighted", "", "", "(class_weights: [1, 3])"), w0 = tmp.resolve("w0.safetensors");
        ok("init", plain.toString(), "--seed", "3", "-o", w0.toString());
        StringBuilder byClass = new StringBuilder(), twos = new StringBuilder();
        for (float label : b.labels()) {
            byClass.append(label == 1 ? "3\n" : "1\n");
            twos.append("2\n");
        }
        Path classWeights = Files.writeString(tmp.resolve("cw.csv"), byClass), two = Files.writeString(tmp.resolve("two.csv"), twos);
        Path g1 = tmp.resolve("g1.st"), g2 = tmp.resolve("g2.st"), g3 = tmp.resolve("g3.st"), g4 = tmp.resolve("g4.st");
        String[] data = {"--weights", w0.toString(), "--input", b.x().toString(), "--target", b.y().toString()};
        float lossPlain = loss(ok(concat(new String[] {"grad", plain.toString()}, data, new String[] {"-o", g1.toString()})));
        float lossClass = loss(ok(concat(new String[] {"grad", weighted.toString()}, data, new String[] {"-o", g2.toString()})));
        float lossSample = loss(ok(concat(new String[] {"grad", plain.toString()}, data, new String[] {"--sample-weights", classWeights.toString(), "-o", g3.toString()})));
        float lossTwo = loss(ok(concat(new String[] {"grad", plain.toString()}, data, new String[] {"--sample-weights", two.toString(), "-o", g4.toString()})));
        assertEquals(lossClass, lossSample, 1e-6, "class weights are sample weights by class");
        assertEquals(2 * lossPlain, lossTwo, 1e-6, "weights of 2: twice the mean loss (a mean over the rows, not over the weights)");
        assertTrue(lossClass > lossPlain);
        for (String name : List.of("h.kernel", "y.kernel", "y.bias")) {
            float[] a = Safetensors.read(g1).get(name).data(), c = Safetensors.read(g2).get(name).data(), s = Safetensors.read(g3).get(name).data(), d = Safetensors.read(g4).get(name).data();
            for (int k = 0; k < a.length; k++) {
                assertEquals(c[k], s[k], 1e-6, name + "[" + k + "]: class weights = sample weights by class");
                assertEquals(2 * a[k], d[k], 1e-6, name + "[" + k + "]: weights of 2 double the gradient");
            }
        }
        // evaluate and the held-out loss weigh alike
        CliRunner e = ok(concat(new String[] {"evaluate", plain.toString()}, data, new String[] {"--sample-weights", two.toString(), "--json"}));
        assertTrue(e.out().contains("\"loss\": "), e.out());
        assertEquals(lossTwo, json(e.out(), "loss"), 1e-5);
        Path log = tmp.resolve("log.csv");
        ok("train", plain.toString(), "--weights", w0.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "--epochs", "1", "--lr", "0.00001",
                "--validation", b.x() + "," + b.y() + ",sample_weights=" + two, "--log", log.toString(), "--quiet", "-o", tmp.resolve("w1.st").toString());
        assertEquals(lossTwo, Double.parseDouble(log(log).get(0).get("val_loss")), 2e-4, "the held-out rows take their weights");
        CliRunner.run("grad", plain.toString(), "--weights", w0.toString(), "--input", b.x().toString(), "--target", b.y().toString(),
                "--sample-weights", Files.writeString(tmp.resolve("bad.csv"), "1\n".repeat(49) + "-1\n").toString(), "-o", g1.toString())
                .assertUserError("bad.csv:50:1: sample weight -1 is not a number of at least 0");
        CliRunner.run("grad", plain.toString(), "--weights", w0.toString(), "--input", b.x().toString(), "--target", b.y().toString(),
                "--sample-weights", Files.writeString(tmp.resolve("short.csv"), "1\n2\n").toString(), "-o", g1.toString())
                .assertUserError("short.csv has 2 rows, but the input has 50: one sample weight per input row");
    }

    /**
     * regularize: on the command line: nnetc grad with and without l2(0.1) on a kernel differs by
     * exactly 2 · 0.1 · w there and nowhere else, and reports the penalty; train reports it apart
     * from the loss on the line and in the log, evaluate too.
     */
    @Test
    void penaltiesChangeTheGradientByTheirDerivativeAndAreReportedApart() throws IOException {
        Binary b = binary("r", 40, 9);
        Path plain = binaryNet("plain", "", "", ""), penalized = binaryNet("pen", "", ", regularize: l2(0.1)", ""), w0 = tmp.resolve("w0.safetensors");
        ok("init", plain.toString(), "--seed", "4", "-o", w0.toString());
        Path g1 = tmp.resolve("g1.st"), g2 = tmp.resolve("g2.st");
        ok("grad", plain.toString(), "--weights", w0.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "-o", g1.toString());
        CliRunner r = ok("grad", penalized.toString(), "--weights", w0.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "-o", g2.toString());
        float[] kernel = Safetensors.read(w0).get("y.kernel").data();
        double penalty = 0;
        for (float v : kernel) penalty += 0.1 * v * v;
        assertTrue(r.out().contains("penalty: "), r.out());
        assertEquals(penalty, Double.parseDouble(r.out().replaceAll("(?s).*penalty: ([0-9.eE-]+).*", "$1")), 1e-6);
        float[] a = Safetensors.read(g1).get("y.kernel").data(), c = Safetensors.read(g2).get("y.kernel").data();
        for (int k = 0; k < a.length; k++) assertEquals(2 * 0.1 * kernel[k], c[k] - a[k], 1e-6, "y.kernel[" + k + "]");
        assertEquals(Arrays.toString(Safetensors.read(g1).get("h.kernel").data()), Arrays.toString(Safetensors.read(g2).get("h.kernel").data()), "an unpenalized kernel's gradient is unchanged");
        Path log = tmp.resolve("log.csv"), w = tmp.resolve("w.safetensors");
        CliRunner t = ok("train", penalized.toString(), "--input", b.x().toString(), "--target", b.y().toString(), "--epochs", "3", "--log", log.toString(), "-o", w.toString());
        assertTrue(t.err().contains("epoch 1/3: loss ") && t.err().contains(", penalty "), t.err());
        assertTrue(Double.parseDouble(log(log).get(2).get("penalty")) > 0, "the log's penalty column");
        CliRunner e = ok("evaluate", penalized.toString(), "--weights", w.toString(), "--input", b.x().toString(), "--target", b.y().toString());
        assertTrue(e.out().contains("\npenalty: "), e.out());
    }

    /** With several losses each head's loss and figures: on the epoch line, in the log, from evaluate as text and JSON. */
    @Test
    void everyHeadHasItsLossAndFiguresEverywhere() throws IOException {
        Binary b = binary("h", 60, 11);
        StringBuilder regression = new StringBuilder();
        for (String line : Files.readAllLines(b.x())) regression.append(Float.parseFloat(line.split(",")[0]) * 2).append('\n');
        Path r = Files.writeString(tmp.resolve("r.csv"), regression);
        Path net = network("heads", """
                network Heads {
                  input x[4]
                  h = dense(x, 6, tanh)
                  a = dense(h, 1)
                  c = dense(h, 1, sigmoid)
                  output a, c
                  loss a: mse * 0.5
                  loss c: binary_cross_entropy
                }
                """);
        Path log = tmp.resolve("log.csv"), w = tmp.resolve("w.safetensors");
        CliRunner t = ok("train", net.toString(), "--input", b.x().toString(), "--target", "a=" + r, "--target", "c=" + b.y(), "--validation-split", "0.25",
                "--epochs", "3", "--log", log.toString(), "-o", w.toString());
        assertTrue(t.err().contains(" [a: loss ") && t.err().contains(", r2 ") && t.err().contains("; c: loss ") && t.err().contains(", auc "), t.err());
        java.util.Map<String, String> row = log(log).get(2);
        for (String column : List.of("a_loss", "a_mse", "a_mae", "a_r2", "c_loss", "c_accuracy", "c_auc", "val_a_loss", "val_a_r2", "val_c_loss", "val_c_auc"))
            assertTrue(row.containsKey(column) && !row.get(column).isEmpty(), column + " in " + row);
        // the sum's loss is the weighted sum of the heads'
        assertEquals(Double.parseDouble(row.get("loss")), 0.5 * Double.parseDouble(row.get("a_loss")) + Double.parseDouble(row.get("c_loss")), 1e-5);
        CliRunner e = ok("evaluate", net.toString(), "--weights", w.toString(), "--input", b.x().toString(), "--target", "a=" + r, "--target", "c=" + b.y());
        assertTrue(e.out().contains("loss of a: ") && e.out().contains("r2 of a: ") && e.out().contains("loss of c: ") && e.out().contains("auc of c: "), e.out());
        CliRunner j = ok("evaluate", net.toString(), "--weights", w.toString(), "--input", b.x().toString(), "--target", "a=" + r, "--target", "c=" + b.y(), "--json");
        assertTrue(j.out().contains("{\"output\": \"a\"") && j.out().contains("\"r2\": ") && j.out().contains("{\"output\": \"c\"") && j.out().contains("\"auc\": "), j.out());
        double total = json(j.out(), "loss");
        Matcher heads = Pattern.compile("\"output\": \"(a|c)\".*?\"loss\": ([0-9.eE-]+)").matcher(j.out());
        double a = Double.NaN, c = Double.NaN;
        while (heads.find()) if (heads.group(1).equals("a")) a = Double.parseDouble(heads.group(2)); else c = Double.parseDouble(heads.group(2));
        assertEquals(total, 0.5 * a + c, 1e-5, "each head's loss in --json");
    }

    private static double json(String text, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([0-9.eE-]+)").matcher(text);
        assertTrue(m.find(), text);
        return Double.parseDouble(m.group(1));
    }

    private static float loss(CliRunner r) {
        Matcher m = Pattern.compile("loss: ([0-9.eE-]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Float.parseFloat(m.group(1));
    }

    private static String[] concat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }
}
