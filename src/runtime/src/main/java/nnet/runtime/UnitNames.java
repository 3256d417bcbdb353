package nnet.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names of nodes' units as a compiled network carries them (LANGUAGE.md §4, Names): the text
 * resource {@code <Network>.names.txt} beside its class, with every readable node that has names:
 * a line {@code = node count}, then its {@code count} names, one a line (a name never holds a line
 * break). {@link CompiledNetwork#unitNames} reads it, from a jar or from memory alike.
 */
public final class UnitNames {
    private UnitNames() {}

    /** The resource's name, relative to the class of network {@code simpleName}. */
    public static String resourceOf(String simpleName) {
        return simpleName + ".names.txt";
    }

    public static byte[] toBytes(Map<String, List<String>> names) {
        StringBuilder sb = new StringBuilder();
        names.forEach((node, list) -> {
            sb.append("= ").append(node).append(' ').append(list.size()).append('\n');
            for (String name : list) sb.append(name).append('\n');
        });
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The names the resource beside {@code c} holds, by node; empty when it has none (a network without names, or an older jar). */
    public static Map<String, String[]> of(Class<?> c) {
        try (InputStream in = c.getResourceAsStream(resourceOf(c.getSimpleName()))) {
            return in == null ? Map.of() : parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resourceOf(c.getSimpleName()), e);
        }
    }

    static Map<String, String[]> parse(String text) {
        Map<String, String[]> out = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int k = 0; k + 1 < lines.length; ) {
            String head = lines[k++];
            int space = head.lastIndexOf(' ');
            if (!head.startsWith("= ") || space < 2) throw new IllegalStateException("unit names resource: line " + k + " should read '= node count'");
            String[] names = new String[Integer.parseInt(head.substring(space + 1))];
            for (int i = 0; i < names.length; i++) names[i] = lines[k++];
            out.put(head.substring(2, space), names);
        }
        return out;
    }
}
