package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaTemporalLinkageBackward implements KernelMath.TemporalLinkageBackward {
  private final CudaContext context;

  CudaTemporalLinkageBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
      Tensor gradWriteWeights, int b0, int b1) {
    throw new UnsupportedOperationException("cuda precedenceBackward: not implemented yet (issue #17)");
  }

  @Override
  public void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights, Tensor gradLink,
      Tensor gradPrevPrecedence, Tensor gradWriteWeights, int b0, int b1) {
    throw new UnsupportedOperationException("cuda linkUpdateBackward: not implemented yet (issue #17)");
  }

  @Override
  public void forwardBackwardBackward(Tensor link, Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward,
      Tensor gradLink, Tensor gradPrevReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("cuda forwardBackwardBackward: not implemented yet (issue #17)");
  }

  @Override
  public void linkUpdateAndWeightingsBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
      Tensor gradWriteWeights, Tensor gradPrevReadWeights, int b0, int b1) {
    throw new UnsupportedOperationException("cuda linkUpdateAndWeightingsBackward: not implemented yet (issue #17)");
  }
}
