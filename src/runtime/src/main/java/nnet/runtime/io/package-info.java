/**
 * Files: safetensors and weights files (dense or compact kernels), CSV, NumPy {@code .npy}/{@code .npz},
 * rows read as they are asked for ({@link nnet.runtime.io.InputRows}: memory-mapped or chunked, so data
 * need not fit in memory), and atomic writes that never replace a link or a special file.
 */
package nnet.runtime.io;
