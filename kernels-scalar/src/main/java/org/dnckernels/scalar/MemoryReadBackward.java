package org.dnckernels.scalar;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class MemoryReadBackward implements KernelMath.MemoryReadBackward {
  MemoryReadBackward() {}

  @Override
  public void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory,
      Tensor gradReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("scalar readBackward: not implemented yet (issue #17)");
  }
}
