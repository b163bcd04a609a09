package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdReadModesBackward implements KernelMath.ReadModesBackward {
  private final SimdSplitter split;

  SimdReadModesBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor gradOut,
      Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0, int b1) {
    throw new UnsupportedOperationException("simd readModeMixBackward: not implemented yet (issue #17)");
  }
}
