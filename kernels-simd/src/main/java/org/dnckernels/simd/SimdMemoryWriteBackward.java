package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdMemoryWriteBackward implements KernelMath.MemoryWriteBackward {
  private final SimdSplitter split;

  SimdMemoryWriteBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add,
      Tensor gradMemory, Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1) {
    throw new UnsupportedOperationException("simd eraseAndAddBackward: not implemented yet (issue #17)");
  }
}
