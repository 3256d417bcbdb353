package nnet.maven;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.Compiler;
import nnet.diag.CompileError;
import nnet.diag.Diagnostic;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.pack.JarPackager;
import nnet.pack.NetworkClassLoader;
import nnet.runtime.Network;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.StoredTensor;
import nnet.runtime.io.WeightsFile;

/**
 * One {@code .nnet} source compiled for a build: its diagnostics, and when it has no error the
 * files its networks add to the class path ({@link JarPackager#files}: classes, structure, packed
 * weights), by resource name. What {@code nnetc compile} puts in a jar, the plugin puts here.
 */
record NetworkCompilation(List<Diagnostic> diagnostics, Map<String, byte[]> files, List<String> notes) {

    boolean ok() {
        return diagnostics.stream().noneMatch(Diagnostic::isError);
    }

    /**
     * @param weightsFor the weights files of networks by name; a network named by none is packed with
     *                   {@code beside} when it is the source's only one and that file exists (else null),
     *                   otherwise with initial weights drawn from {@code seed}, as {@code nnetc compile} does
     */
    static NetworkCompilation of(Path source, Map<String, Path> weightsFor, Path beside, long seed) throws IOException {
        Compiler.Checked checked = Compiler.check(source);
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<String> notes = new java.util.ArrayList<>();
        if (!checked.ok()) return new NetworkCompilation(checked.diagnostics(), files, notes);
        try {
            for (Graph g : checked.graphs()) {
                Path weights = weightsFor.getOrDefault(g.name(), checked.graphs().size() == 1 ? beside : null);
                Map<String, ? extends StoredTensor> packed;
                var generated = Compiler.compile(g);
                if (weights != null) {
                    // loaded into a compiled instance first: a weights file that does not fit fails the build, not the user's run
                    Network net = new NetworkClassLoader().instantiate(generated);
                    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
                    WeightsFile.load(net, weights, new PrintStream(warnings, true, StandardCharsets.UTF_8), false);
                    warnings.toString(StandardCharsets.UTF_8).lines().forEach(notes::add);
                    packed = net.saveWeights(SparseWeights.AUTO);
                } else {
                    packed = InitialWeights.stored(g, seed, SparseWeights.AUTO);
                    if (g.params().stream().anyMatch(p -> !p.isFixed()))
                        notes.add(source + ": network " + g.name() + " is packed with initial weights (seed " + seed + "): train it and give <weights>, or load others at run time");
                }
                files.putAll(JarPackager.files(new JarPackager.Packed(generated, packed, g)));
            }
        } catch (CompileError e) {
            return new NetworkCompilation(e.diagnostics(), Map.of(), notes);
        }
        return new NetworkCompilation(checked.diagnostics(), files, notes);
    }

    /** Writes the files under {@code dir}, each atomically (a class path entry is never half written). */
    void writeTo(Path dir) throws IOException {
        for (var f : files.entrySet()) {
            Path target = dir.resolve(f.getKey());
            Files.createDirectories(target.getParent());
            nnet.runtime.io.AtomicFiles.write(target, out -> out.write(f.getValue()));
        }
    }
}
