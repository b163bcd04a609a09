package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdContentAddressingBackward implements KernelMath.ContentAddressingBackward {
  private final SimdSplitter split;

  SimdContentAddressingBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights,
      Tensor gradWeights, Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1) {
    throw new UnsupportedOperationException("simd contentWeightsBackward: not implemented yet (issue #17)");
  }
}
