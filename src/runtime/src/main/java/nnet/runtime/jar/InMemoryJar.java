package nnet.runtime.jar;

import nnet.runtime.DataFormatException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

/**
 * A jar made by {@code nnetc compile}, read from its bytes: its classes defined on demand and its
 * resources served from memory. Classes the parent has (the runtime's, which the jar also carries)
 * come from the parent, so the network's code and its caller share one {@link Network}.
 */
final class InMemoryJar extends ClassLoader {
    private final Map<String, byte[]> entries;
    private final String networks;

    private InMemoryJar(Map<String, byte[]> entries, String networks, ClassLoader parent) {
        super(parent);
        this.entries = entries;
        this.networks = networks;
    }

    static InMemoryJar read(byte[] jar, ClassLoader parent) {
        Map<String, byte[]> entries = new HashMap<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            if (in.getManifest() == null) throw new DataFormatException("not a jar made by nnetc compile: it has no manifest");
            String networks = in.getManifest().getMainAttributes().getValue("Nnet-Networks");
            if (networks == null || networks.isBlank()) throw new DataFormatException("this jar's manifest names no network (Nnet-Networks)");
            for (JarEntry e; (e = in.getNextJarEntry()) != null; )
                if (!e.isDirectory()) entries.put(e.getName(), in.readAllBytes());
            return new InMemoryJar(entries, networks, parent);
        } catch (IOException e) {
            throw new DataFormatException("not a readable jar: " + e.getMessage(), e);
        }
    }

    List<String> networks() {
        return List.of(networks.split(","));
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = entries.get(name.replace('.', '/') + ".class");
        if (b == null) throw new ClassNotFoundException(name);
        return defineClass(name, b, 0, b.length);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        byte[] r = entries.get(name.startsWith("/") ? name.substring(1) : name);
        return r != null ? new ByteArrayInputStream(r) : super.getResourceAsStream(name);
    }
}
