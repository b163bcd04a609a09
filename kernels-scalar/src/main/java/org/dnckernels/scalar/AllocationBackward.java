package org.dnckernels.scalar;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class AllocationBackward implements KernelMath.AllocationBackward {
  AllocationBackward() {}

  @Override
  public void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut,
      Tensor gradUsage, Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1) {
    throw new UnsupportedOperationException("scalar allocationBackward: not implemented yet (issue #17)");
  }
}
