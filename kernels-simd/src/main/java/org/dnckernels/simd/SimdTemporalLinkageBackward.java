package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdTemporalLinkageBackward implements KernelMath.TemporalLinkageBackward {
  private final SimdSplitter split;

  SimdTemporalLinkageBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
      Tensor gradWriteWeights, int b0, int b1) {
    throw new UnsupportedOperationException("simd precedenceBackward: not implemented yet (issue #17)");
  }

  @Override
  public void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights, Tensor gradLink,
      Tensor gradPrevPrecedence, Tensor gradWriteWeights, int b0, int b1) {
    throw new UnsupportedOperationException("simd linkUpdateBackward: not implemented yet (issue #17)");
  }

  @Override
  public void forwardBackwardBackward(Tensor link, Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward,
      Tensor gradLink, Tensor gradPrevReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("simd forwardBackwardBackward: not implemented yet (issue #17)");
  }

  @Override
  public void linkUpdateAndWeightingsBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
      Tensor gradWriteWeights, Tensor gradPrevReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("simd linkUpdateAndWeightingsBackward: not implemented yet (issue #17)");
  }
}
