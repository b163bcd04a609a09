package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.READ_MEMORY;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Reading memory on the device: one {@code read_memory} launch, a block per (batch entry, read head). */
final class CudaMemoryRead implements KernelMath.MemoryRead {
  private final CudaContext context;

  CudaMemoryRead(CudaContext context) {
    this.context = context;
  }

  @Override
  public void read(Tensor memory, Tensor readWeights, Tensor out, int b0, int b1) {
    int b = b1 - b0, n = memory.dim(1), w = memory.dim(2), r = readWeights.dim(1);
    try (CudaStream s = context.stream.enter()) {
      s.launch(READ_MEMORY, b * r, 0, at(memory, b0), at(readWeights, b0), at(out, b0), n, w, r);
    }
  }
}
