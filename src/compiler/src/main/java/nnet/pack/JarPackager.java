package nnet.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import nnet.emit.Explainers;
import nnet.emit.GeneratedNetwork;
import nnet.ir.Graph;
import nnet.ir.Op;
import nnet.jar.JarMain;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.Network;
import nnet.runtime.jar.SourceFacts;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.jar.PredictOutput;
import nnet.runtime.io.Safetensors;
import nnet.runtime.StoredTensor;
import picocli.CommandLine;

/**
 * Writes a self-contained jar: the generated classes and their structure resources, each
 * network's weights, the runtime package, the jar's main ({@link JarMain}) and picocli, and a
 * manifest whose {@code Main-Class} is {@link JarMain}. The jar is written atomically.
 */
public final class JarPackager {
    private JarPackager() {}

    /**
     * {@code facts}: what the source says of the network's data that its class does not carry ({@link SourceFacts});
     * {@code explainers}: the network's attribution passes ({@code explain}, {@code Network.attributions}), or null.
     */
    public record Packed(GeneratedNetwork network, Map<String, ? extends StoredTensor> weights, SourceFacts facts, Explainers explainers) {
        /** What {@code nnetc compile} packs of a checked network, without its attribution passes. */
        public Packed(GeneratedNetwork network, Map<String, ? extends StoredTensor> weights, Graph g) {
            this(network, weights, JarPackager.facts(g), null);
        }

        public Packed(GeneratedNetwork network, Map<String, ? extends StoredTensor> weights) {
            this(network, weights, SourceFacts.NONE, null);
        }
    }

    public static void write(Path jar, List<Packed> networks) {
        AtomicFiles.write(jar, out -> writeJar(out, networks));
    }

    /** The same jar as bytes: to send it (to a Spark cluster) rather than keep it. */
    public static byte[] toBytes(List<Packed> networks) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            writeJar(out, networks);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // memory does not fail to write
        }
        return out.toByteArray();
    }

    private static void writeJar(OutputStream out, List<Packed> networks) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, JarMain.class.getName());
        a.putValue("Nnet-Networks", String.join(",", networks.stream().map(p -> p.network().className()).toList()));
        a.putValue("Created-By", "nnetc");
        try (JarOutputStream jar = new JarOutputStream(out, mf)) {
            for (Packed p : networks)
                for (var f : files(p).entrySet()) entry(jar, f.getKey(), f.getValue());
            copyPackage(jar, Network.class, "nnet/runtime/");
            copyPackage(jar, JarMain.class, "nnet/jar/");
            copyPackage(jar, CommandLine.class, "picocli/");
        }
    }

    /** The outputs cross-entropies are on and what their values are (logits under cross_entropy unless the output is a softmax). */
    static PredictOutput.LossOutputs lossOutputs(Graph g) {
        List<PredictOutput.LossOutput> all = new ArrayList<>();
        for (Graph.Loss l : g.losses()) {
            PredictOutput.Kind kind = PredictOutput.Kind.of(l.function(), l.output().op() == Op.SOFTMAX);
            if (kind != null) all.add(new PredictOutput.LossOutput(g.nameOf(l.output()), kind));
        }
        return new PredictOutput.LossOutputs(List.copyOf(all));
    }

    /** What the source says of a checked network's data that its class does not carry. */
    public static SourceFacts facts(Graph g) {
        return new SourceFacts(lossOutputs(g), g.inputLayouts(), java.util.Set.copyOf(g.unusedInputs().stream().map(nnet.ir.Node::name).toList()));
    }

    /**
     * What a network adds to a class path, by resource name: its classes, its structure resource,
     * its weights ({@link nnet.runtime.jar.PackedNetworks} reads them) and what its losses' outputs are.
     * The same files go into a jar and, through the Maven plugin, into a build's classes directory.
     */
    public static Map<String, byte[]> files(Packed p) {
        GeneratedNetwork n = p.network();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (var c : n.classes().entrySet()) files.put(GeneratedNetwork.resourceOf(c.getKey()), c.getValue());
        files.put(n.structureResource(), Safetensors.toBytes(n.structure()));
        if (n.namesBytes() != null) files.put(n.namesResource(), n.namesBytes());
        files.put(PackedNetworks.weightsResource(n.className()), Safetensors.toBytes(p.weights()));
        files.putAll(p.facts().resources(n.simpleName()));
        if (p.explainers() != null) { // the attribution passes, for explain from the jar and Network.attributions
            for (GeneratedNetwork pass : p.explainers().passes()) {
                for (var c : pass.classes().entrySet()) files.put(GeneratedNetwork.resourceOf(c.getKey()), c.getValue());
                files.put(pass.structureResource(), Safetensors.toBytes(pass.structure()));
            }
            files.put(Explainers.linksResource(n.className()), p.explainers().links().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return files;
    }

    private static void entry(JarOutputStream jar, String name, byte[] data) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(data);
        jar.closeEntry();
    }

    /** Copies every entry under {@code prefix} from wherever {@code anchor} was loaded: a classes directory or a jar. */
    private static void copyPackage(JarOutputStream jar, Class<?> anchor, String prefix) throws IOException {
        Path source;
        try {
            source = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the classes of " + anchor.getName(), e);
        }
        if (Files.isDirectory(source)) {
            Path root = source.resolve(prefix);
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
            for (Path f : files) entry(jar, prefix + root.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            return;
        }
        try (JarFile src = new JarFile(source.toFile())) {
            for (JarEntry e : java.util.Collections.list(src.entries())) {
                if (e.isDirectory() || !e.getName().startsWith(prefix)) continue;
                try (InputStream in = src.getInputStream(e)) {
                    entry(jar, e.getName(), in.readAllBytes());
                }
            }
        }
    }
}
