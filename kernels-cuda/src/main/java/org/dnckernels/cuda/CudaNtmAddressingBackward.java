package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.NTM_INTERPOLATE_BACKWARD;
import static org.dnckernels.cuda.Kernel.NTM_SHARPEN_BACKWARD;
import static org.dnckernels.cuda.Kernel.NTM_SHIFT_BACKWARD;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The NTM addressing backwards on the device, one launch each: interpolation and sharpening a block per (batch
 * entry, head) (their gate and γ gradients are row sums); the shift a block per (row, tap) for gradShift and
 * grid-stride blocks for gradWeights in the same launch.
 */
final class CudaNtmAddressingBackward implements KernelMath.NtmAddressingBackward {
  private final CudaContext context;

  CudaNtmAddressingBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void ntmInterpolateBackward(Tensor content, Tensor previous, Tensor gate, Tensor gradOut,
      Tensor gradContent, Tensor gradPrevious, Tensor gradGate, int b0, int b1) {
    int rows = (b1 - b0) * content.dim(1), n = content.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(NTM_INTERPOLATE_BACKWARD, rows, 0, at(content, b0), at(previous, b0), at(gate, b0), at(gradOut, b0),
          at(gradContent, b0), at(gradPrevious, b0), at(gradGate, b0), n);
    }
  }

  @Override
  public void ntmShiftBackward(Tensor weights, Tensor shift, Tensor gradOut, Tensor gradWeights, Tensor gradShift,
      int b0, int b1) {
    int rows = (b1 - b0) * weights.dim(1), n = weights.dim(2), width = shift.dim(2);
    int grid = Math.toIntExact((long) rows * width + context.spread((long) rows * n));
    try (CudaStream s = context.stream.enter()) {
      s.launch(NTM_SHIFT_BACKWARD, grid, 0, at(weights, b0), at(shift, b0), at(gradOut, b0), at(gradWeights, b0),
          at(gradShift, b0), rows, n, width);
    }
  }

  @Override
  public void ntmSharpenBackward(Tensor weights, Tensor gamma, Tensor gradOut, Tensor gradWeights, Tensor gradGamma,
      int b0, int b1) {
    int rows = (b1 - b0) * weights.dim(1), n = weights.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(NTM_SHARPEN_BACKWARD, rows, 0, at(weights, b0), at(gamma, b0), at(gradOut, b0), at(gradWeights, b0),
          at(gradGamma, b0), n);
    }
  }
}
