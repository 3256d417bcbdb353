package nnet.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import nnet.emit.GeneratedNetwork;
import nnet.jar.JarMain;
import nnet.runtime.AtomicFiles;
import nnet.runtime.Network;
import nnet.runtime.Safetensors;
import nnet.runtime.StoredTensor;
import picocli.CommandLine;

/**
 * Writes a self-contained jar: the generated classes and their structure resources, each
 * network's weights, the runtime package, the jar's main ({@link JarMain}) and picocli, and a
 * manifest whose {@code Main-Class} is {@link JarMain}. The jar is written atomically.
 */
public final class JarPackager {
    private JarPackager() {}

    /** {@code lossOutputs}: what the values of the losses' outputs are, for {@code predict --output} (none: raw values). */
    public record Packed(GeneratedNetwork network, Map<String, ? extends StoredTensor> weights, nnet.runtime.PredictOutput.LossOutputs lossOutputs) {
        public Packed(GeneratedNetwork network, Map<String, ? extends StoredTensor> weights) {
            this(network, weights, null);
        }
    }

    public static void write(Path jar, List<Packed> networks) {
        AtomicFiles.write(jar, out -> writeJar(out, networks));
    }

    private static void writeJar(OutputStream out, List<Packed> networks) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, JarMain.class.getName());
        a.putValue("Nnet-Networks", String.join(",", networks.stream().map(p -> p.network().className()).toList()));
        a.putValue("Created-By", "nnetc");
        try (JarOutputStream jar = new JarOutputStream(out, mf)) {
            for (Packed p : networks) {
                GeneratedNetwork n = p.network();
                for (var c : n.classes().entrySet()) entry(jar, GeneratedNetwork.resourceOf(c.getKey()), c.getValue());
                entry(jar, n.structureResource(), Safetensors.toBytes(n.structure()));
                if (n.namesBytes() != null) entry(jar, n.namesResource(), n.namesBytes());
                entry(jar, "nnet/weights/" + n.simpleName() + ".safetensors", Safetensors.toBytes(p.weights()));
                if (!p.lossOutputs().isEmpty())
                    entry(jar, nnet.runtime.PredictOutput.LossOutputs.resourceOf(n.simpleName()), p.lossOutputs().toText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            copyPackage(jar, Network.class, "nnet/runtime/");
            copyPackage(jar, JarMain.class, "nnet/jar/");
            copyPackage(jar, CommandLine.class, "picocli/");
        }
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
