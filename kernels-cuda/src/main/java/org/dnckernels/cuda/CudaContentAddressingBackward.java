package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaContentAddressingBackward implements KernelMath.ContentAddressingBackward {
  private final CudaContext context;

  CudaContentAddressingBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights,
      Tensor gradWeights, Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1) {
    throw new UnsupportedOperationException("cuda contentWeightsBackward: not implemented yet (issue #17)");
  }
}
