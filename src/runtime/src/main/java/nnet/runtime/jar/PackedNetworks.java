package nnet.runtime.jar;

import nnet.runtime.Network;
import nnet.runtime.UserError;
import nnet.runtime.io.Safetensors;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.jar.Manifest;

/**
 * The networks packed into a jar by {@code nnetc compile}: the manifest's {@code Nnet-Networks}
 * lists the generated classes; each one's weights are the resource
 * {@code nnet/weights/<Name>.safetensors}. Used by the jar's own main and by Java callers.
 */
public final class PackedNetworks {
    private PackedNetworks() {}

    public static List<String> networks() {
        try (InputStream in = PackedNetworks.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            String list = in == null ? null : new Manifest(in).getMainAttributes().getValue("Nnet-Networks");
            if (list == null || list.isBlank()) throw new UserError("this jar's manifest names no network (Nnet-Networks)");
            return List.of(list.split(","));
        } catch (IOException e) {
            throw new UserError("cannot read this jar's manifest: " + e.getMessage());
        }
    }

    public static Network load(String wanted) {
        return load(PackedNetworks.class.getClassLoader(), networks(), wanted, "this jar");
    }

    /**
     * Instantiates the network called {@code wanted} (or the only one) among a jar's
     * {@code classes}, through {@code loader}, and loads its packed weights.
     */
    public static Network load(ClassLoader loader, List<String> classes, String wanted, String jarName) {
        String cls = null;
        for (String c : classes) if (wanted == null ? classes.size() == 1 : c.endsWith("." + wanted)) cls = c;
        if (cls == null) throw new UserError(wanted == null ? jarName + " holds several networks: choose one with --network (" + String.join(", ", classes) + ")"
                : jarName + " has no network " + wanted + " (" + String.join(", ", classes) + ")");
        try {
            return withPackedWeights((Network) loader.loadClass(cls).getConstructor().newInstance(), jarName);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + cls + " from " + jarName, e);
        }
    }

    /**
     * A new instance of a generated network class with the weights packed beside it, by {@code
     * nnetc compile} or the Maven plugin: {@code PackedNetworks.load(nnet.generated.Digits.class)}.
     * ({@code new Digits()} alone has only the weights fixed in the source.)
     */
    public static <N extends Network> N load(Class<N> network) {
        try {
            return withPackedWeights(network.getConstructor().newInstance(), "the class path");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + network.getName(), e);
        }
    }

    /**
     * The network {@code wanted} (or the only one) of a jar made by {@code nnetc compile}, given as
     * its bytes, with its packed weights: how a machine that was sent the jar (a Spark executor)
     * runs it without a file. The runtime's own classes come from the caller's class path.
     */
    public static Network fromJar(byte[] jar, String wanted) {
        InMemoryJar loaded = InMemoryJar.read(jar, PackedNetworks.class.getClassLoader());
        return load(loaded, loaded.networks(), wanted, "the jar");
    }

    /** The resource that holds a network's packed weights: {@code nnet/weights/<Name>.safetensors}. */
    public static String weightsResource(String className) {
        return "nnet/weights/" + className.substring(className.lastIndexOf('.') + 1) + ".safetensors";
    }

    private static <N extends Network> N withPackedWeights(N net, String where) {
        String weights = weightsResource(net.getClass().getName());
        ClassLoader loader = net.getClass().getClassLoader();
        try (InputStream w = loader == null ? null : loader.getResourceAsStream(weights)) {
            if (w != null) net.loadWeights(Safetensors.readStored(w, where + "!/" + weights));
        } catch (IOException e) {
            throw new UserError("cannot read " + weights + " from " + where + ": " + e.getMessage());
        }
        return net;
    }
}
