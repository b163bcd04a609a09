package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaNtmAddressingBackward implements KernelMath.NtmAddressingBackward {
  private final CudaContext context;

  CudaNtmAddressingBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void ntmInterpolateBackward(Tensor content, Tensor previous, Tensor gate, Tensor gradOut,
      Tensor gradContent, Tensor gradPrevious, Tensor gradGate, int b0, int b1) {
    throw new UnsupportedOperationException("cuda ntmInterpolateBackward: not implemented yet (issue #17)");
  }

  @Override
  public void ntmShiftBackward(Tensor weights, Tensor shift, Tensor gradOut, Tensor gradWeights, Tensor gradShift,
      int b0, int b1) {
    throw new UnsupportedOperationException("cuda ntmShiftBackward: not implemented yet (issue #17)");
  }

  @Override
  public void ntmSharpenBackward(Tensor weights, Tensor gamma, Tensor gradOut, Tensor gradWeights, Tensor gradGamma,
      int b0, int b1) {
    throw new UnsupportedOperationException("cuda ntmSharpenBackward: not implemented yet (issue #17)");
  }
}
