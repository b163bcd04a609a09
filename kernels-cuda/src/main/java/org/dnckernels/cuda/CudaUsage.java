package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.USAGE_UPDATE;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** The usage update on the device: one grid-stride {@code usage_update} launch over the range's slots. */
final class CudaUsage implements KernelMath.Usage {
  private final CudaContext context;

  CudaUsage(CudaContext context) {
    this.context = context;
  }

  @Override
  public void usage(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out,
      int b0, int b1) {
    int b = b1 - b0, n = prevUsage.dim(1), wh = prevWriteWeights.dim(1), r = prevReadWeights.dim(1);
    try (CudaStream s = context.stream.enter()) {
      s.launch(USAGE_UPDATE, context.spread(elements(prevUsage, b0, b1)), 0, at(prevUsage, b0),
          at(prevWriteWeights, b0), at(freeGates, b0), at(prevReadWeights, b0), at(out, b0), b, n, wh, r);
    }
  }
}
