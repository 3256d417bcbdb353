package nnet.emit;

import java.util.List;

/**
 * A network's attribution passes, emitted beside it ({@code nnet.Compiler#explainers}): a class
 * {@code <Network>$<Rule>} each, and the text of its dense layers for the {@code weights} method,
 * the resource {@code <Network>.links} beside the network's class.
 */
public record Explainers(List<GeneratedNetwork> passes, String links) {
    /** Where the links go: beside the class of {@code network}. */
    public static String linksResource(String networkClass) {
        return networkClass.replace('.', '/') + ".links";
    }
}
