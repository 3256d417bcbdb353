package nnet.maven;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import nnet.Compiler;
import nnet.runtime.io.AtomicFiles;

/**
 * What the last build compiled, kept under {@code target/} so an unchanged source is not compiled
 * again: per source, a fingerprint and the files it wrote. The fingerprint covers the source's
 * text, the size and time of every other file under its folder (the edge lists and masks a source
 * names are read from there), its weights files, the seed, and the compiler itself.
 */
final class BuildStatus {
    private static final String OUTPUTS = ".outputs";
    private final Path file;
    private final Properties entries = new Properties();

    private BuildStatus(Path file) {
        this.file = file;
    }

    static BuildStatus read(Path file) throws IOException {
        BuildStatus s = new BuildStatus(file);
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                s.entries.load(in);
            }
        }
        return s;
    }

    /** Whether {@code source} was compiled from the same fingerprint and every file it wrote is still there. */
    boolean upToDate(String source, String fingerprint, Path outputDir) {
        if (!fingerprint.equals(entries.getProperty(source))) return false;
        for (String f : outputs(source)) if (!Files.isRegularFile(outputDir.resolve(f))) return false;
        return true;
    }

    List<String> outputs(String source) {
        String list = entries.getProperty(source + OUTPUTS, "");
        return list.isEmpty() ? List.of() : List.of(list.split(","));
    }

    void record(String source, String fingerprint, Iterable<String> outputs) {
        entries.setProperty(source, fingerprint);
        entries.setProperty(source + OUTPUTS, String.join(",", outputs));
    }

    void forget(String source) {
        entries.remove(source);
        entries.remove(source + OUTPUTS);
    }

    /** The sources recorded by the last build. */
    List<String> sources() {
        List<String> out = new ArrayList<>();
        for (String k : entries.stringPropertyNames()) if (!k.endsWith(OUTPUTS)) out.add(k);
        return out;
    }

    void write() throws IOException {
        StringWriter text = new StringWriter();
        entries.store(text, "nnet-maven-plugin: what the last build compiled (delete this file to compile everything again)");
        AtomicFiles.write(file, out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static String fingerprint(Path source, List<Path> weights, long seed) throws IOException {
        MessageDigest d = sha256();
        d.update(Files.readAllBytes(source));
        try (Stream<Path> s = Files.walk(source.toAbsolutePath().getParent())) {
            for (Path f : s.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".nnet")).sorted().toList()) stamp(d, f);
        }
        for (Path w : weights) stamp(d, w);
        d.update(("seed " + seed + "\n").getBytes(StandardCharsets.UTF_8));
        stamp(d, compilerLocation());
        return HexFormat.of().formatHex(d.digest());
    }

    private static void stamp(MessageDigest d, Path f) throws IOException {
        String line = f + " " + (Files.exists(f) ? Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis() : "absent") + "\n";
        d.update(line.getBytes(StandardCharsets.UTF_8));
    }

    /** The compiler's jar (or classes folder): a new compiler compiles everything again. */
    private static Path compilerLocation() {
        try {
            return Path.of(Compiler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException("cannot locate the compiler's classes", e));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
