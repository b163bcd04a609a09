package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.READ_MODE_MIX;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** The read-mode mix on the device: one grid-stride {@code read_mode_mix} launch over the range's read weights. */
final class CudaReadModes implements KernelMath.ReadModes {
  private final CudaContext context;

  CudaReadModes(CudaContext context) {
    this.context = context;
  }

  @Override
  public void readModeMix(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out, int b0,
      int b1) {
    int b = b1 - b0, r = backward.dim(1), wh = backward.dim(2), n = backward.dim(3);
    try (CudaStream s = context.stream.enter()) {
      s.launch(READ_MODE_MIX, context.spread(elements(out, b0, b1)), 0, at(modes, b0), at(backward, b0),
          at(content, b0), at(forward, b0), at(out, b0), b, r, wh, n);
    }
  }
}
