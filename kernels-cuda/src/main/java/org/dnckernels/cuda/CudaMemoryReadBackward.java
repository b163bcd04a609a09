package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.READ_BACKWARD;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** The backward of the read on the device: one {@code read_backward} launch, a warp per memory row. */
final class CudaMemoryReadBackward implements KernelMath.MemoryReadBackward {
  private final CudaContext context;

  CudaMemoryReadBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory,
      Tensor gradReadWeights, int b0, int b1) {
    int b = b1 - b0, n = memory.dim(1), w = memory.dim(2), r = readWeights.dim(1);
    if (b1 <= b0) {
      return;  // an empty range launches nothing (a grid of 0 blocks is an error)
    }
    try (CudaStream s = context.stream.enter()) {
      // a warp per row
      s.launch(READ_BACKWARD, context.spread(32L * b * n), 0, at(memory, b0), at(readWeights, b0), at(gradOut, b0),
          at(gradMemory, b0), at(gradReadWeights, b0), b, n, w, r);
    }
  }
}
