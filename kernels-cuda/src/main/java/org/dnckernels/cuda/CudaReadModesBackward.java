package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.READ_MODE_MIX_BACKWARD;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** The backward of the read-mode mix on the device: one launch, a block per (batch entry, read head, mode). */
final class CudaReadModesBackward implements KernelMath.ReadModesBackward {
  private final CudaContext context;

  CudaReadModesBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor gradOut,
      Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0, int b1) {
    int b = b1 - b0, r = backward.dim(1), wh = backward.dim(2), n = backward.dim(3);
    if (b1 <= b0) {
      return;  // an empty range launches nothing (a grid of 0 blocks is an error)
    }
    try (CudaStream s = context.stream.enter()) {
      s.launch(READ_MODE_MIX_BACKWARD, Math.toIntExact((long) b * r * (2 * wh + 1)), 0, at(modes, b0),
          at(backward, b0), at(content, b0), at(forward, b0), at(gradOut, b0), at(gradModes, b0),
          at(gradBackward, b0), at(gradContent, b0), at(gradForward, b0), wh, n);
    }
  }
}
