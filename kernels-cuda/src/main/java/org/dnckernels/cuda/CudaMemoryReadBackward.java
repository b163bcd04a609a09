package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaMemoryReadBackward implements KernelMath.MemoryReadBackward {
  private final CudaContext context;

  CudaMemoryReadBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory,
      Tensor gradReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("cuda readBackward: not implemented yet (issue #17)");
  }
}
