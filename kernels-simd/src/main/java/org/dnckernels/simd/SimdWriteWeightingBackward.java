package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdWriteWeightingBackward implements KernelMath.WriteWeightingBackward {
  private final SimdSplitter split;

  SimdWriteWeightingBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void writeWeightsBackward(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates,
      Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates, Tensor gradAllocationGates,
      int b0, int b1) {
    throw new UnsupportedOperationException("simd writeWeightsBackward: not implemented yet (issue #17)");
  }
}
