package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.WRITE_WEIGHTS_BACKWARD;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** The backward of the write weights on the device: one launch, a block per (batch entry, write head). */
final class CudaWriteWeightingBackward implements KernelMath.WriteWeightingBackward {
  private final CudaContext context;

  CudaWriteWeightingBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void writeWeightsBackward(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates,
      Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates, Tensor gradAllocationGates,
      int b0, int b1) {
    int rows = Math.toIntExact((long) (b1 - b0) * allocation.dim(1)), n = allocation.dim(2);
    if (b1 <= b0) {
      return;  // an empty range launches nothing (a grid of 0 blocks is an error)
    }
    try (CudaStream s = context.stream.enter()) {
      s.launch(WRITE_WEIGHTS_BACKWARD, rows, 0, at(allocation, b0), at(content, b0), at(writeGates, b0),
          at(allocationGates, b0), at(gradOut, b0), at(gradAllocation, b0), at(gradContent, b0),
          at(gradWriteGates, b0), at(gradAllocationGates, b0), n);
    }
  }
}
