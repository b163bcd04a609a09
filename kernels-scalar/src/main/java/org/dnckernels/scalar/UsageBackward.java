package org.dnckernels.scalar;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class UsageBackward implements KernelMath.UsageBackward {
  UsageBackward() {}

  @Override
  public void usageBackward(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights,
      Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights, Tensor gradFreeGates,
      Tensor gradPrevReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("scalar usageBackward: not implemented yet (issue #17)");
  }
}
