package nnet.runtime.jar;

import nnet.runtime.Network;
import nnet.runtime.UserError;
import nnet.runtime.io.InputLayouts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the source says about a network's data that its compiled class does not carry, and that
 * {@code predict} needs: what the losses' outputs hold ({@link PredictOutput.LossOutputs}), which
 * image inputs are stored channels-last ({@link InputLayouts}), and which inputs no output depends
 * on (so {@code predict} does not ask for them). The compiler finds them in the checked graph; a
 * jar carries them as resources beside the class, one small text file each.
 */
public record SourceFacts(PredictOutput.LossOutputs lossOutputs, InputLayouts layouts, Set<String> unusedInputs) {
    public static final SourceFacts NONE = new SourceFacts(PredictOutput.LossOutputs.NONE, InputLayouts.NONE, Set.of());

    static String unusedInputsResource(String simpleName) {
        return "nnet/unused-inputs/" + simpleName + ".txt";
    }

    /** The resources that carry these facts in a jar or on a class path, by name. */
    public Map<String, byte[]> resources(String simpleName) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (!lossOutputs.isEmpty()) out.put(PredictOutput.LossOutputs.resourceOf(simpleName), lossOutputs.toText().getBytes(StandardCharsets.UTF_8));
        if (!layouts.channelsLast().isEmpty()) out.put(InputLayouts.resourceOf(simpleName), layouts.toText().getBytes(StandardCharsets.UTF_8));
        if (!unusedInputs.isEmpty()) out.put(unusedInputsResource(simpleName), String.join("\n", unusedInputs).getBytes(StandardCharsets.UTF_8));
        return out;
    }

    /** The facts packed beside a compiled network's class (none where a jar has no such resource). */
    public static SourceFacts of(Network net) {
        return new SourceFacts(PredictOutput.LossOutputs.of(net), InputLayouts.of(net), unusedInputs(net));
    }

    private static Set<String> unusedInputs(Network net) {
        ClassLoader loader = net.getClass().getClassLoader();
        if (loader == null) return Set.of();
        try (InputStream in = loader.getResourceAsStream(unusedInputsResource(net.getClass().getSimpleName()))) {
            if (in == null) return Set.of();
            return Set.copyOf(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n")));
        } catch (IOException e) {
            throw new UserError("cannot read the unused inputs of " + net.name() + " from its jar: " + e.getMessage());
        }
    }
}
