package nnet.emit;

import java.util.Map;
import nnet.runtime.Tensor;

/**
 * A network compiled to a class: its binary name ({@code nnet.generated.Xor}), the class file,
 * and the structure resource it reads at construction (masks and fixed values), which is packed
 * beside the class as {@code Xor.structure.safetensors}.
 */
public record GeneratedNetwork(String className, byte[] classFile, Map<String, Tensor> structure) {
    public String simpleName() {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    public String classResource() {
        return className.replace('.', '/') + ".class";
    }

    public String structureResource() {
        return className.substring(0, className.lastIndexOf('.')).replace('.', '/') + "/" + simpleName() + ".structure.safetensors";
    }
}
