package nnet.runtime.jar;


import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What reaches the user's standard error from the JVM the launcher starts. */
class IncubatorWarningFilterTest {
    private static String filtered(String childStderr, int chunk) throws IOException {
        byte[] bytes = childStderr.getBytes(StandardCharsets.UTF_8);
        // a pipe delivers what the child wrote in pieces of any size
        InputStream in = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IncubatorWarningFilter.copy(in, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theModulesWarningAndTheRepeatedNotesAreDroppedTheRestIsCopied() throws IOException {
        for (int chunk : new int[] {1, 3, 8192}) {
            assertEquals("", filtered("WARNING: Using incubator modules: jdk.incubator.vector\n", chunk));
            assertEquals("error: x.csv:2:1: 'a' is not a number\n",
                    filtered("Picked up JAVA_TOOL_OPTIONS: -Xmx8g\nWARNING: Using incubator modules: jdk.incubator.vector\nerror: x.csv:2:1: 'a' is not a number\n", chunk));
            String bar = "train Xor  40% [====    ] 4/10 steps\rtrain Xor 100% [========] 10/10 steps\n";
            assertEquals(bar, filtered("WARNING: Using incubator modules: jdk.incubator.vector\n" + bar, chunk), "a bar's carriage returns pass unchanged");
            assertEquals("warning: the program's own\nWARNING: Using incubator modules: jdk.incubator.vector\n",
                    filtered("warning: the program's own\nWARNING: Using incubator modules: jdk.incubator.vector\n", chunk), "only the JVM's first lines are looked at");
            assertEquals("no line end", filtered("no line end", chunk));
        }
    }
}
