package nnet.runtime.jar;

import nnet.runtime.Vectors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies the standard error of the JVM {@link Launcher} started, without the one line that JVM
 * prints before any program code runs: {@code WARNING: Using incubator modules: jdk.incubator.vector}.
 * No JVM option silences it (JDK 17 to 25), and on every command it would teach users to skip
 * standard error, where their errors go. Only the first lines are looked at: that exact line is
 * dropped, and so are the notes the Java launcher prints before it ({@code Picked up
 * JAVA_TOOL_OPTIONS: -Xmx8g}), which the first JVM has printed already from the same environment.
 * Everything from the program's first line on (progress bars, carriage returns and all) is copied
 * byte for byte as it arrives.
 */
final class IncubatorWarningFilter {
    static final String WARNING = "WARNING: Using incubator modules: " + Vectors.MODULE;
    /** A first line longer than this is no JVM notice: copy on without looking further. */
    private static final int LONGEST_NOTICE = 4096;

    private IncubatorWarningFilter() {}

    /**
     * Copies {@code in} to {@code out} until {@code in} ends, flushing after each read. When
     * {@code out} fails (a closed terminal), {@code in} is still read to its end, so the started
     * JVM never blocks on a full pipe.
     */
    static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean looking = true, writable = true;
        for (int n; (n = in.read(buf)) > 0; ) {
            int from = 0;
            while (looking && from < n) {
                byte b = buf[from++];
                line.write(b);
                if (b == '\n' || line.size() > LONGEST_NOTICE) {
                    String text = line.toString(StandardCharsets.UTF_8).stripTrailing();
                    boolean warning = text.equals(WARNING), notice = text.startsWith("Picked up ") || text.startsWith("NOTE: Picked up ");
                    if (!warning && !notice) writable = write(out, line.toByteArray(), 0, line.size(), writable);
                    line.reset();
                    looking = notice; // launcher notes come first, then the warning; anything else is the program's
                }
            }
            writable = write(out, buf, from, n - from, writable);
        }
        write(out, line.toByteArray(), 0, line.size(), writable); // a last line without its end
    }

    private static boolean write(OutputStream out, byte[] b, int from, int length, boolean writable) {
        if (!writable || length == 0) return writable;
        try {
            out.write(b, from, length);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
