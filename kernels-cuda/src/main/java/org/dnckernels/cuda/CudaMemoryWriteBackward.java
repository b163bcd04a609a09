package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaMemoryWriteBackward implements KernelMath.MemoryWriteBackward {
  private final CudaContext context;

  CudaMemoryWriteBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add,
      Tensor gradMemory, Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1) {
    throw new UnsupportedOperationException("cuda eraseAndAddBackward: not implemented yet (issue #17)");
  }
}
