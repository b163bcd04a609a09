package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdAllocationBackward implements KernelMath.AllocationBackward {
  private final SimdSplitter split;

  SimdAllocationBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut,
      Tensor gradUsage, Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1) {
    throw new UnsupportedOperationException("simd allocationBackward: not implemented yet (issue #17)");
  }
}
