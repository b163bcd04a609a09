package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdUsageBackward implements KernelMath.UsageBackward {
  private final SimdSplitter split;

  SimdUsageBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void usageBackward(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights,
      Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights, Tensor gradFreeGates,
      Tensor gradPrevReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("simd usageBackward: not implemented yet (issue #17)");
  }
}
