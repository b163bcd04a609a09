package org.dnckernels.scalar;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class ContentAddressingBackward implements KernelMath.ContentAddressingBackward {
  ContentAddressingBackward() {}

  @Override
  public void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights,
      Tensor gradWeights, Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1) {
    throw new UnsupportedOperationException("scalar contentWeightsBackward: not implemented yet (issue #17)");
  }
}
