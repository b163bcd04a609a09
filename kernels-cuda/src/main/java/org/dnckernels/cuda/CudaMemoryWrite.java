package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.ERASE_ADD;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Erase/add on the device: one grid-stride {@code erase_add} launch over the range's memory elements. */
final class CudaMemoryWrite implements KernelMath.MemoryWrite {
  private final CudaContext context;

  CudaMemoryWrite(CudaContext context) {
    this.context = context;
  }

  @Override
  public void eraseAndAdd(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add, int b0, int b1) {
    int b = b1 - b0, n = memory.dim(1), w = memory.dim(2), wh = writeWeights.dim(1);
    try (CudaStream s = context.stream.enter()) {
      s.launch(ERASE_ADD, context.spread(elements(memory, b0, b1)), 0, at(memory, b0), at(writeWeights, b0),
          at(erase, b0), at(add, b0), b, n, w, wh);
    }
  }
}
