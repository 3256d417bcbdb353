package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report.html} in a real browser: headless Chromium (Debian's {@code chromium}; {@code .ci/run}
 * installs it) renders the page from disk with the network off; the DOM it built holds the Sankey
 * diagram with a label for each node's top units (their names, or {@code node[i]}) as the node files
 * rank them, and its screenshot shows the bars' colours and text.
 */
class ExplainReportTest {
    @TempDir Path tmp;

    @Test
    void theReportRendersInChromiumWithTheTopUnitsLabelled() throws Exception {
        String chromium = requireChromium();
        Path net = Files.writeString(tmp.resolve("chain.nnet"), ExplainCommandTest.CHAIN), w = tmp.resolve("w.safetensors");
        assertEquals(0, CliRunner.run("init", net.toString(), "--seed", "3", "-o", w.toString()).exit());
        Path x = Files.writeString(tmp.resolve("x.csv"), "1,2,3,4,5,6\n-1,0.5,2,-2,1,0\n0.3,0.3,-0.7,1,1,1\n");
        Path out = tmp.resolve("out");
        CliRunner r = CliRunner.run("explain", net.toString(), "--weights", w.toString(), "--input", x.toString(), "--target", "y:1", "--method", "deeplift", "--all", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        String page = Files.readString(out.resolve("report.html"));
        assertTrue(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"), "self-contained: nothing fetched, no script");

        Path profile = Files.createDirectories(tmp.resolve("profile")), png = tmp.resolve("shot.png");
        String url = out.resolve("report.html").toUri().toString();
        String dom = run(chromium, profile, "--dump-dom", url);
        int sankey = dom.indexOf("id=\"sankey\"");
        assertTrue(sankey >= 0, "the DOM has the diagram");
        String diagram = dom.substring(sankey, dom.indexOf("</svg>", sankey));
        for (String node : List.of("x", "h", "g", "y"))
            for (String label : topLabels(out.resolve(node + ".csv"), node, 10))
                assertTrue(diagram.contains(">" + label + "</text>"), "the diagram labels " + label);

        run(chromium, profile, "--window-size=1200,1400", "--screenshot=" + png, url);
        BufferedImage shot = ImageIO.read(png.toFile());
        assertEquals(1200, shot.getWidth());
        int warm = 0, dark = 0;
        for (int py = 0; py < shot.getHeight(); py++)
            for (int px = 0; px < shot.getWidth(); px++) {
                int rgb = shot.getRGB(px, py) & 0xffffff, red = rgb >> 16, green = (rgb >> 8) & 0xff, blue = rgb & 0xff;
                if (Math.abs(red - 0xd9) < 12 && Math.abs(green - 0x60) < 12 && Math.abs(blue - 0x3b) < 12) warm++;
                if (red < 80 && green < 80 && blue < 80) dark++;
            }
        assertTrue(warm > 500, "bars drawn: " + warm + " pixels of their colour");
        assertTrue(dark > 500, "text drawn: " + dark + " dark pixels");
    }

    /** The labels of a node file's first units: their names, or node[i]. */
    private static List<String> topLabels(Path file, String node, int top) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file).subList(1, Math.min(top + 1, Files.readAllLines(file).size()))) {
            String[] f = line.split(",", -1);
            out.add(f[1].isEmpty() ? node + "[" + f[0] + "]" : f[1]);
        }
        return out;
    }

    /** Runs headless Chromium as this machine allows (no sandbox as root, no network chatter); returns what it printed on standard output. */
    private static String run(String chromium, Path profile, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Path stdout = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s: " + cmd);
        }
        assertEquals(0, p.exitValue(), "chromium " + List.of(args));
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    /** CI installs Chromium (.ci/run), so there a missing browser fails the build; elsewhere the test is skipped with the reason. */
    private static String requireChromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) if (Files.isExecutable(Path.of(c))) return c;
        if ("true".equals(System.getenv("CI"))) fail("chromium is not installed; .ci/run installs it (apt-get install chromium)");
        Assumptions.abort("chromium is not installed: apt-get install chromium to run the report's browser test");
        return null;
    }
}
