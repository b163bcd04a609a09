package org.dnckernels.scalar;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class MemoryWriteBackward implements KernelMath.MemoryWriteBackward {
  MemoryWriteBackward() {}

  @Override
  public void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add,
      Tensor gradMemory, Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1) {
    throw new UnsupportedOperationException("scalar eraseAndAddBackward: not implemented yet (issue #17)");
  }
}
