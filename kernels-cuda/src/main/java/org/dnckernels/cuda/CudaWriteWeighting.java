package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.WRITE_WEIGHTS;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** The write weights on the device: one grid-stride {@code write_weights} launch over the range's (head, slot)s. */
final class CudaWriteWeighting implements KernelMath.WriteWeighting {
  private final CudaContext context;

  CudaWriteWeighting(CudaContext context) {
    this.context = context;
  }

  @Override
  public void writeWeights(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out,
      int b0, int b1) {
    int rows = (b1 - b0) * allocation.dim(1), n = allocation.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(WRITE_WEIGHTS, context.spread(elements(allocation, b0, b1)), 0, at(allocation, b0), at(content, b0),
          at(writeGates, b0), at(allocationGates, b0), at(out, b0), rows, n);
    }
  }
}
