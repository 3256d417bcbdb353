package nnet.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import nnet.diag.Diagnostic;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * What the {@code compile} and {@code testCompile} goals share: every {@code .nnet} file under a
 * source folder compiled into a classes folder, diagnostics as Maven errors with {@code
 * file:line:col} (and as markers in IDEs, through {@link BuildContext}), a build that fails on any
 * error, and sources unchanged since the last build not compiled again ({@link BuildStatus}).
 */
abstract class CompileNetworks extends AbstractMojo {
    /**
     * The weights to pack for a network, by its name: {@code <weights><Digits>src/main/nnet/digits.safetensors</Digits></weights>}.
     * Without, a source {@code NAME.nnet} with one network takes {@code NAME.safetensors} beside it when there is one;
     * else the network is packed with initial weights drawn from {@code seed} (a note says so when it has trainable ones).
     */
    @Parameter
    Map<String, File> weights = new HashMap<>();

    /** The seed of initial weights, for networks packed without a weights file. */
    @Parameter(property = "nnet.seed", defaultValue = "1")
    long seed;

    /** Compile nothing (e.g. {@code -Dnnet.skip}). */
    @Parameter(property = "nnet.skip", defaultValue = "false")
    boolean skip;

    @Parameter(defaultValue = "${project.build.directory}", readonly = true)
    File buildDirectory;

    @Component
    BuildContext buildContext;

    abstract File sourceDirectory();

    abstract File outputDirectory();

    /** The status file's name under {@code target/nnet-maven-plugin/}, one per goal. */
    abstract String statusName();

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) return;
        Path sources = sourceDirectory().toPath();
        if (!Files.isDirectory(sources)) {
            getLog().debug("no " + sources + ": no network to compile");
            return;
        }
        Path output = outputDirectory().toPath();
        try {
            BuildStatus status = BuildStatus.read(buildDirectory.toPath().resolve("nnet-maven-plugin").resolve(statusName()));
            List<Path> files = nnetFiles(sources);
            forgetRemoved(status, files, sources, output);
            int compiled = 0, errors = 0;
            for (Path source : files) {
                String key = sources.relativize(source).toString();
                Path beside = weightsBeside(source);
                Map<String, Path> configured = configuredWeights();
                List<Path> weightFiles = new ArrayList<>(configured.values());
                if (beside != null) weightFiles.add(beside);
                String fingerprint = BuildStatus.fingerprint(source, weightFiles, seed);
                if (status.upToDate(key, fingerprint, output)) continue;
                buildContext.removeMessages(source.toFile());
                NetworkCompilation c = NetworkCompilation.of(source, configured, beside, seed);
                for (Diagnostic d : c.diagnostics()) report(source, d);
                c.notes().forEach(getLog()::info);
                if (!c.ok()) {
                    errors += c.diagnostics().stream().filter(Diagnostic::isError).count();
                    status.forget(key);
                    continue;
                }
                c.writeTo(output);
                status.record(key, fingerprint, c.files().keySet());
                compiled++;
            }
            status.write();
            buildContext.refresh(output.toFile());
            if (compiled > 0) getLog().info("compiled " + compiled + " network source" + (compiled == 1 ? "" : "s") + " from " + sources + " to " + output);
            if (errors > 0) throw new MojoFailureException(errors + " error" + (errors == 1 ? "" : "s") + " in the networks under " + sources + " (above)");
        } catch (IOException e) {
            throw new MojoExecutionException("cannot compile the networks under " + sources + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> nnetFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".nnet")).sorted().toList();
        }
    }

    /** A source deleted since the last build: its classes go too, so no stale network stays on the class path. */
    private void forgetRemoved(BuildStatus status, List<Path> files, Path sources, Path output) throws IOException {
        List<String> present = files.stream().map(f -> sources.relativize(f).toString()).toList();
        for (String old : new ArrayList<>(status.sources())) {
            if (present.contains(old)) continue;
            for (String f : status.outputs(old)) Files.deleteIfExists(output.resolve(f));
            status.forget(old);
        }
    }

    /** {@code NAME.safetensors} beside {@code NAME.nnet}, when there is one. */
    private static Path weightsBeside(Path source) {
        String name = source.getFileName().toString();
        Path beside = source.resolveSibling(name.substring(0, name.length() - ".nnet".length()) + ".safetensors");
        return Files.isRegularFile(beside) ? beside : null;
    }

    private Map<String, Path> configuredWeights() {
        Map<String, Path> out = new HashMap<>();
        weights.forEach((network, file) -> out.put(network, file.toPath()));
        return out;
    }

    private void report(Path source, Diagnostic d) {
        String text = d.format();
        int severity = d.isError() ? BuildContext.SEVERITY_ERROR : BuildContext.SEVERITY_WARNING;
        // an IDE shows it on the source; a command-line build's context would log it a second time, in another form
        if (buildContext.isIncremental())
            buildContext.addMessage(source.toFile(), Math.max(d.span().line(), 0), Math.max(d.span().col(), 0), d.message(), severity, null);
        if (d.isError()) getLog().error(text);
        else getLog().warn(text);
    }
}
