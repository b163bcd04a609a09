package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.CONTENT_WEIGHTS;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Content addressing on the device: one {@code content_weights} launch, a block per (batch entry, head). */
final class CudaContentAddressing implements KernelMath.ContentAddressing {
  private final CudaContext context;

  CudaContentAddressing(CudaContext context) {
    this.context = context;
  }

  @Override
  public void contentWeights(Tensor memory, Tensor keys, Tensor strengths, Tensor out, int b0, int b1) {
    int b = b1 - b0, n = memory.dim(1), w = memory.dim(2), h = keys.dim(1);
    try (CudaStream s = context.stream.enter()) {
      s.launch(CONTENT_WEIGHTS, b * h, 0, at(memory, b0), at(keys, b0), at(strengths, b0), at(out, b0), n, w, h);
    }
  }
}
