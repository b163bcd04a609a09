package org.dnckernels.scalar;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class ReadModesBackward implements KernelMath.ReadModesBackward {
  ReadModesBackward() {}

  @Override
  public void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor gradOut,
      Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0, int b1) {
    throw new UnsupportedOperationException("scalar readModeMixBackward: not implemented yet (issue #17)");
  }
}
