package org.dnckernels.scalar;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class TemporalLinkageBackward implements KernelMath.TemporalLinkageBackward {
  TemporalLinkageBackward() {}

  @Override
  public void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
      Tensor gradWriteWeights, int b0, int b1) {
    throw new UnsupportedOperationException("scalar precedenceBackward: not implemented yet (issue #17)");
  }

  @Override
  public void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights, Tensor gradLink,
      Tensor gradPrevPrecedence, Tensor gradWriteWeights, int b0, int b1) {
    throw new UnsupportedOperationException("scalar linkUpdateBackward: not implemented yet (issue #17)");
  }

  @Override
  public void forwardBackwardBackward(Tensor link, Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward,
      Tensor gradLink, Tensor gradPrevReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("scalar forwardBackwardBackward: not implemented yet (issue #17)");
  }

  @Override
  public void linkUpdateAndWeightingsBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
      Tensor gradWriteWeights, Tensor gradPrevReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("scalar linkUpdateAndWeightingsBackward: not implemented yet (issue #17)");
  }
}
