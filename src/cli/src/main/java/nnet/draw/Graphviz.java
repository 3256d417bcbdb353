package nnet.draw;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import nnet.runtime.UserError;

/**
 * Renders DOT text with Graphviz's {@code dot} program (SVG, PNG). nnet writes the DOT itself;
 * drawing it is Graphviz's job, which is a separate install.
 */
public final class Graphviz {
    /** The program looked for on the PATH; {@code -Dnnet.dot=/path/to/dot} names another. */
    public static final String DEFAULT_PROGRAM = "dot";
    public static final String HOW_TO_INSTALL = "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz;"
            + " Windows: winget install graphviz), or write -o NET.dot and render it elsewhere";

    private Graphviz() {}

    /** The picture of {@code dot} in {@code format} ({@code svg}, {@code png}) as {@code program} draws it. */
    public static byte[] render(String dot, String format, String program) {
        Process p;
        try {
            p = new ProcessBuilder(program, "-T" + format).start();
        } catch (IOException e) {
            throw new UserError("drawing ." + format + " needs Graphviz's '" + program + "' program, which was not found: " + HOW_TO_INSTALL);
        }
        try {
            // stdout and stderr are drained while the DOT text is written, so a large picture cannot block the pipe
            CompletableFuture<byte[]> picture = drain(p.getInputStream()), errors = drain(p.getErrorStream());
            try (OutputStream in = p.getOutputStream()) {
                in.write(dot.getBytes(StandardCharsets.UTF_8));
            }
            int exit = p.waitFor();
            if (exit != 0) throw new UserError("Graphviz's " + program + " failed (exit " + exit + "): " + new String(errors.join(), StandardCharsets.UTF_8).strip());
            return picture.join();
        } catch (IOException e) {
            throw new UserError("Graphviz's " + program + " stopped early: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while Graphviz's " + program + " was drawing");
        } finally {
            p.destroy();
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }
}
