package nnet.pack;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import nnet.emit.GeneratedNetwork;
import nnet.runtime.Network;
import nnet.runtime.io.Safetensors;

/** Loads generated networks in memory (for {@code run}, {@code predict FILE} and tests), serving their structure resources. */
public final class NetworkClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes = new HashMap<>();
    private final Map<String, byte[]> resources = new HashMap<>();

    public NetworkClassLoader() {
        super(NetworkClassLoader.class.getClassLoader());
    }

    public Network instantiate(GeneratedNetwork n) {
        add(n);
        try {
            return (Network) loadClass(n.className()).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate generated " + n.className(), e);
        }
    }

    /** Makes a network's attribution passes loadable beside it (the network makes them when asked); {@code network} is its class's name. */
    public void add(String network, nnet.emit.Explainers e) {
        e.passes().forEach(this::add);
        resources.put(nnet.emit.Explainers.linksResource(network), e.links().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void add(GeneratedNetwork n) {
        classes.putAll(n.classes());
        resources.put(n.structureResource(), Safetensors.toBytes(n.structure()));
        if (n.namesBytes() != null) resources.put(n.namesResource(), n.namesBytes());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name);
        if (b == null) throw new ClassNotFoundException(name);
        return defineClass(name, b, 0, b.length);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        byte[] r = resources.get(name);
        return r != null ? new ByteArrayInputStream(r) : super.getResourceAsStream(name);
    }
}
