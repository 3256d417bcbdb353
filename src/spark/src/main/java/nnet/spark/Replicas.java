package nnet.spark;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;

/**
 * Networks on an executor, kept between tasks: loading a jar and building a network costs far more
 * than a step, so each task borrows an instance (a network is used by one thread at a time) and
 * gives it back. Keyed by the jar's content, so a new jar never meets old instances; an instance keeps
 * the weights it last ran with, so every use loads the weights it needs.
 */
final class Replicas {
    private static final Map<String, Queue<Network>> POOLS = new ConcurrentHashMap<>();

    private Replicas() {}

    /** Runs {@code work} on an instance of the network: one borrowed from the pool, or a new one built from the jar's bytes. */
    static <T> T with(SparkNetwork network, Function<Network, T> work) {
        Queue<Network> pool = POOLS.computeIfAbsent(network.jarKey(), id -> new ConcurrentLinkedQueue<>());
        Network net = pool.poll();
        if (net == null) net = PackedNetworks.fromJar(network.jarBytes(), network.name());
        try {
            return work.apply(net);
        } finally {
            pool.add(net);
        }
    }
}
