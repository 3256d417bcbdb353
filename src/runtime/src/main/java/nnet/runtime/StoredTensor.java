package nnet.runtime;

/**
 * A tensor as a weights file holds it: float32 values ({@link Tensor}) or int32 ones
 * ({@link IntTensor}, the index of a compact sparse kernel, LANGUAGE.md §6).
 */
public sealed interface StoredTensor permits Tensor, IntTensor {
    int[] shape();

    /** The safetensors dtype: {@code F32} or {@code I32}. */
    String dtype();

    /** Values in the tensor (the product of the shape). */
    int length();
}
