package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaWriteWeightingBackward implements KernelMath.WriteWeightingBackward {
  private final CudaContext context;

  CudaWriteWeightingBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void writeWeightsBackward(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates,
      Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates, Tensor gradAllocationGates,
      int b0, int b1) {
    throw new UnsupportedOperationException("cuda writeWeightsBackward: not implemented yet (issue #17)");
  }
}
