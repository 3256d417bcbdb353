package nnet.runtime.io;

import nnet.runtime.Network;
import nnet.runtime.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * The image inputs whose files hold each image {@code [H, W, C]}, Keras' order
 * ({@code input img[3, 32, 32] layout: nhwc}), where nnet computes on {@code [C, H, W]}: the data
 * readers reorder their rows. A compiled jar carries them as the resource
 * {@code nnet/layouts/<Name>.txt}, an input name a line, written by {@code nnetc compile}.
 */
public record InputLayouts(Set<String> channelsLast) {
    public static final InputLayouts NONE = new InputLayouts(Set.of());

    public boolean isChannelsLast(String input) {
        return channelsLast.contains(input);
    }

    public String toText() {
        return String.join("\n", channelsLast) + "\n";
    }

    public static String resourceOf(String simpleName) {
        return "nnet/layouts/" + simpleName + ".txt";
    }

    /** The resource beside a compiled network's class; none when the jar has no such resource. */
    public static InputLayouts of(Network net) {
        ClassLoader loader = net.getClass().getClassLoader();
        if (loader == null) return NONE;
        try (InputStream in = loader.getResourceAsStream(resourceOf(net.getClass().getSimpleName()))) {
            if (in == null) return NONE;
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? NONE : new InputLayouts(Set.copyOf(Arrays.asList(text.split("\\s+"))));
        } catch (IOException e) {
            throw new UserError("cannot read the input layouts of " + net.name() + " from its jar: " + e.getMessage());
        }
    }
}
