package nnet.emit;

import java.util.LinkedHashMap;
import java.util.Map;
import nnet.runtime.StoredTensor;

/**
 * A network compiled to a class: its binary name ({@code nnet.generated.Xor}), the class file,
 * the classes it uses beside it (its Vector API kernels, {@code Xor$Vector}), and the structure
 * resource it reads at construction (masks and fixed values), which is packed beside the class as
 * {@code Xor.structure.safetensors}.
 */
public record GeneratedNetwork(String className, byte[] classFile, Map<String, byte[]> helperClasses, Map<String, StoredTensor> structure) {
    public String simpleName() {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** Every class by binary name: the network's and its helpers. */
    public Map<String, byte[]> classes() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(className, classFile);
        all.putAll(helperClasses);
        return all;
    }

    public static String resourceOf(String className) {
        return className.replace('.', '/') + ".class";
    }

    public String structureResource() {
        return className.substring(0, className.lastIndexOf('.')).replace('.', '/') + "/" + simpleName() + ".structure.safetensors";
    }
}
