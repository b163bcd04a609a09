package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.NTM_INTERPOLATE;
import static org.dnckernels.cuda.Kernel.NTM_SHARPEN;
import static org.dnckernels.cuda.Kernel.NTM_SHIFT;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * NTM addressing on the device: interpolation and shift are grid-stride launches over the range's weights,
 * sharpening is a block per (batch entry, head).
 */
final class CudaNtmAddressing implements KernelMath.NtmAddressing {
  private final CudaContext context;

  CudaNtmAddressing(CudaContext context) {
    this.context = context;
  }

  @Override
  public void ntmInterpolate(Tensor content, Tensor previous, Tensor gate, Tensor out, int b0, int b1) {
    int rows = (b1 - b0) * content.dim(1), n = content.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(NTM_INTERPOLATE, context.spread(elements(out, b0, b1)), 0, at(content, b0), at(previous, b0),
          at(gate, b0), at(out, b0), rows, n);
    }
  }

  @Override
  public void ntmShift(Tensor weights, Tensor shift, Tensor out, int b0, int b1) {
    int rows = (b1 - b0) * weights.dim(1), n = weights.dim(2), width = shift.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(NTM_SHIFT, context.spread(elements(out, b0, b1)), 0, at(weights, b0), at(shift, b0), at(out, b0), rows,
          n, width);
    }
  }

  @Override
  public void ntmSharpen(Tensor weights, Tensor gamma, Tensor out, int b0, int b1) {
    int rows = (b1 - b0) * weights.dim(1), n = weights.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(NTM_SHARPEN, rows, 0, at(weights, b0), at(gamma, b0), at(out, b0), n);
    }
  }
}
