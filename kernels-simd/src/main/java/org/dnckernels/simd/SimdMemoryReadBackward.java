package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdMemoryReadBackward implements KernelMath.MemoryReadBackward {
  private final SimdSplitter split;

  SimdMemoryReadBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory,
      Tensor gradReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("simd readBackward: not implemented yet (issue #17)");
  }
}
