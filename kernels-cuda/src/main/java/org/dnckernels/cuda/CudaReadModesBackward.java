package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaReadModesBackward implements KernelMath.ReadModesBackward {
  private final CudaContext context;

  CudaReadModesBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor gradOut,
      Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0, int b1) {
    throw new UnsupportedOperationException("cuda readModeMixBackward: not implemented yet (issue #17)");
  }
}
