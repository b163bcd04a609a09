package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaAllocationBackward implements KernelMath.AllocationBackward {
  private final CudaContext context;

  CudaAllocationBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut,
      Tensor gradUsage, Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1) {
    throw new UnsupportedOperationException("cuda allocationBackward: not implemented yet (issue #17)");
  }
}
