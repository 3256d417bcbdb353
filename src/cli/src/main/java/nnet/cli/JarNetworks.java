package nnet.cli;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.Network;
import nnet.runtime.UserError;

/** Loads a network from a jar made by {@code nnetc compile}, with its packed weights. */
final class JarNetworks {
    private JarNetworks() {}

    static Network load(Path jar, String name) throws IOException {
        if (!Files.isRegularFile(jar)) throw new UserError(jar + ": no such file");
        String list;
        try (JarFile f = new JarFile(jar.toFile())) {
            list = f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue("Nnet-Networks");
        } catch (IOException e) {
            throw new UserError(jar + ": not a jar (" + e.getMessage() + ")");
        }
        if (list == null) throw new UserError(jar + ": not a network jar made by nnetc compile (no Nnet-Networks in its manifest)");
        // the runtime classes come from nnetc itself (parent first), the network's from the jar
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, JarNetworks.class.getClassLoader());
        return PackedNetworks.load(loader, List.of(list.split(",")), name, jar.toString());
    }
}
