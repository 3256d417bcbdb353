package nnet.emit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.runtime.StoredTensor;
import nnet.runtime.UnitNames;

/**
 * A network compiled to a class: its binary name ({@code nnet.generated.Xor}), the class file,
 * the classes it uses beside it (its Vector API kernels, {@code Xor$Vector}), and the structure
 * resource it reads at construction (masks and fixed values), which is packed beside the class as
 * {@code Xor.structure.safetensors}; and the names of its nodes' units, packed beside it as
 * {@code Xor.names.txt} ({@link UnitNames}).
 */
public record GeneratedNetwork(String className, byte[] classFile, Map<String, byte[]> helperClasses, Map<String, StoredTensor> structure,
                               Map<String, List<String>> unitNames) {
    public GeneratedNetwork(String className, byte[] classFile, Map<String, byte[]> helperClasses, Map<String, StoredTensor> structure) {
        this(className, classFile, helperClasses, structure, Map.of());
    }

    /** The same class with the names of its nodes' units, by readable node name. */
    public GeneratedNetwork withUnitNames(Map<String, List<String>> names) {
        return new GeneratedNetwork(className, classFile, helperClasses, structure, names);
    }

    /** The units' names as the resource {@link #namesResource()} holds them; null when no node has names. */
    public byte[] namesBytes() {
        return unitNames.isEmpty() ? null : UnitNames.toBytes(unitNames);
    }

    public String namesResource() {
        return packagePath() + UnitNames.resourceOf(simpleName());
    }

    private String packagePath() {
        return className.substring(0, className.lastIndexOf('.')).replace('.', '/') + "/";
    }

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
        return packagePath() + simpleName() + ".structure.safetensors";
    }
}
