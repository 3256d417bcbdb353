package nnet.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

/** The goal on a project folder, run as Maven runs it: what it writes, what it compiles again, what fails. */
class CompileMojoTest {
    private static final String XOR = """
            network Xor {
              input x[2]
              h = dense(x, 2, relu, weights: fixed [[1, 1], [1, 1]], bias: fixed [0, -1])
              y = dense(h, 1, weights: fixed [[1], [-2]], bias: fixed [0])
              output y
            }
            """;

    @TempDir
    Path project;

    private final List<String> log = new ArrayList<>();

    private CompileMojo mojo() {
        CompileMojo m = new CompileMojo();
        m.sourceDirectory = project.resolve("src/main/nnet").toFile();
        m.outputDirectory = project.resolve("target/classes").toFile();
        m.buildDirectory = project.resolve("target").toFile();
        m.buildContext = new DefaultBuildContext();
        m.seed = 1;
        m.setLog(new SystemStreamLog() {
            @Override
            public void info(CharSequence content) {
                log.add("info " + content);
            }

            @Override
            public void error(CharSequence content) {
                log.add("error " + content);
            }
        });
        return m;
    }

    private Path source(String name, String text) throws IOException {
        Path f = project.resolve("src/main/nnet").resolve(name);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, text);
    }

    private Path classFile(String network) {
        return project.resolve("target/classes/nnet/generated/" + network + ".class");
    }

    @Test
    void anUnchangedSourceIsNotCompiledAgainAndAChangedOneIs() throws Exception {
        Path xor = source("xor.nnet", XOR);
        mojo().execute();
        assertTrue(Files.isRegularFile(classFile("Xor")));
        assertTrue(Files.isRegularFile(project.resolve("target/classes/nnet/weights/Xor.safetensors")));
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(classFile("Xor"), old);

        log.clear();
        mojo().execute();
        assertEquals(old, Files.getLastModifiedTime(classFile("Xor")), "not written again");
        assertTrue(log.stream().noneMatch(l -> l.contains("compiled")), log.toString());

        Files.writeString(xor, XOR.replace("bias: fixed [0, -1]", "bias: fixed [0, -2]"));
        mojo().execute();
        assertNotEquals(old, Files.getLastModifiedTime(classFile("Xor")), "a changed source is compiled again");

        Files.delete(classFile("Xor"));
        mojo().execute();
        assertTrue(Files.isRegularFile(classFile("Xor")), "a lost output is written again");
    }

    @Test
    void aChangedDataFileBesideTheSourceCompilesItAgain() throws Exception {
        Files.createDirectories(project.resolve("src/main/nnet"));
        Path conn = Files.writeString(project.resolve("src/main/nnet/conn.csv"), "1,0\n1,1\n");
        source("masked.nnet", "network Masked {\n  input x[2]\n  y = dense(x, 2, connect: mask \"conn.csv\")\n  output y\n}\n");
        mojo().execute();
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(classFile("Masked"), old);
        Files.writeString(conn, "1,1\n0,1\n");
        Files.setLastModifiedTime(conn, FileTime.fromMillis(2_000_000_000_000L)); // the same size: only its time tells
        mojo().execute();
        assertNotEquals(old, Files.getLastModifiedTime(classFile("Masked")));
    }

    @Test
    void anErrorFailsTheBuildAtItsPlaceAndADeletedSourceTakesItsClassesAlong() throws Exception {
        Path xor = source("xor.nnet", XOR);
        source("bad.nnet", "network Bad {\n  input x[2]\n  h = dense(x, 3)\n  y = x + h\n  output y\n}\n");
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
        assertTrue(e.getMessage().startsWith("1 error in the networks under"), e.getMessage());
        assertTrue(log.stream().anyMatch(l -> l.matches("error .*bad\\.nnet:4:9: error: '\\+' needs equal shapes: x is \\[2\\], h is \\[3\\]")), log.toString());
        assertTrue(Files.isRegularFile(classFile("Xor")), "the good source still compiles");
        assertFalse(Files.exists(classFile("Bad")));

        Files.delete(xor);
        Files.delete(project.resolve("src/main/nnet/bad.nnet"));
        mojo().execute();
        assertFalse(Files.exists(classFile("Xor")), "no stale network stays on the class path");
    }

    @Test
    void weightsBesideTheSourceArePackedAndTrainableNetworksWithoutSayWhatIsPacked() throws Exception {
        source("tiny.nnet", "network Tiny {\n  input x[2]\n  y = dense(x, 1)\n  output y\n}\n");
        mojo().execute();
        assertTrue(log.stream().anyMatch(l -> l.contains("network Tiny is packed with initial weights (seed 1)")), log.toString());
        byte[] initial = Files.readAllBytes(project.resolve("target/classes/nnet/weights/Tiny.safetensors"));

        // weights beside the source (as nnetc train writes them) replace the initial ones
        var weights = new java.util.LinkedHashMap<String, nnet.runtime.Tensor>();
        weights.put("y.kernel", new nnet.runtime.Tensor(new int[] {2, 1}, new float[] {0.5f, -0.25f}));
        weights.put("y.bias", new nnet.runtime.Tensor(new int[] {1}, new float[] {2}));
        nnet.runtime.io.Safetensors.write(project.resolve("src/main/nnet/tiny.safetensors"), weights);
        log.clear();
        mojo().execute();
        byte[] packed = Files.readAllBytes(project.resolve("target/classes/nnet/weights/Tiny.safetensors"));
        assertFalse(java.util.Arrays.equals(initial, packed));
        assertEquals(2f, nnet.runtime.io.Safetensors.read(project.resolve("target/classes/nnet/weights/Tiny.safetensors")).get("y.bias").data()[0]);
        assertTrue(log.stream().noneMatch(l -> l.contains("initial weights")), log.toString());
    }
}
