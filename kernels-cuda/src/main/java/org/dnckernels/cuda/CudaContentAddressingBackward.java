package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.CONTENT_WEIGHTS_BACKWARD_INPUTS;
import static org.dnckernels.cuda.Kernel.CONTENT_WEIGHTS_BACKWARD_ROWS;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The content addressing backward on the device, two launches: {@code content_weights_backward_rows} (a block
 * per (batch entry, head): gradStrengths and per-slot coefficients in the instance's scratch), then
 * {@code content_weights_backward_inputs} (gradKeys by blocks of 32 words of a head, gradMemory elementwise over
 * the heads in the same launch's other blocks). gradMemory sums over heads, so it waits for every head's
 * coefficients instead of taking float atomics.
 */
final class CudaContentAddressingBackward implements KernelMath.ContentAddressingBackward {
  /** Words of one head's gradKeys per block of the second launch (a warp's lanes). */
  private static final int KEY_CHUNK = 32;

  private final CudaContext context;

  CudaContentAddressingBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights,
      Tensor gradWeights, Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1) {
    int b = b1 - b0, n = memory.dim(1), w = memory.dim(2), h = keys.dim(1);
    long coefficients = (long) b * h * n;
    try (CudaStream s = context.stream.enter()) {
      // [B,H,N] doubles a, [B,H,N] doubles c, [B,H] doubles: the scale of k, for the range's entries
      long scratch = s.scratch(CudaStream.Scratch.CONTENT_COEFFICIENTS, 8L * (2 * coefficients + (long) b * h));
      long coefKeys = scratch, coefMemory = scratch + 8L * coefficients, keyScale = scratch + 16L * coefficients;
      s.launch(CONTENT_WEIGHTS_BACKWARD_ROWS, b * h, 0, at(memory, b0), at(keys, b0), at(strengths, b0),
          at(weights, b0), at(gradWeights, b0), at(gradStrengths, b0), coefKeys, coefMemory, keyScale, n, w, h);
      int keyBlocks = Math.toIntExact((long) b * h * ((w + KEY_CHUNK - 1) / KEY_CHUNK));
      int grid = Math.toIntExact(keyBlocks + (long) context.spread((long) b * n * w));
      s.launch(CONTENT_WEIGHTS_BACKWARD_INPUTS, grid, 0, at(memory, b0), at(keys, b0), coefKeys, coefMemory, keyScale,
          at(gradMemory, b0), at(gradKeys, b0), b, n, w, h);
    }
  }
}
