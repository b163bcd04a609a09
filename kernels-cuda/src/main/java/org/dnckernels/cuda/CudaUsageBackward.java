package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.USAGE_BACKWARD;
import static org.dnckernels.cuda.Kernel.USAGE_BACKWARD_FREE_GATES;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the usage update on the device: {@code usage_backward_free_gates} (a block per (batch entry, read
 * head)), then the elementwise {@code usage_backward}. The second may overwrite {@code gradOut} (when
 * {@code gradPrevUsage} is that tensor, the kernel sees the same address), which the first has read by then.
 */
final class CudaUsageBackward implements KernelMath.UsageBackward {
  private final CudaContext context;

  CudaUsageBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void usageBackward(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights,
      Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights, Tensor gradFreeGates,
      Tensor gradPrevReadWeights, int b0, int b1) {
    int b = b1 - b0, n = prevUsage.dim(1), wh = prevWriteWeights.dim(1), r = prevReadWeights.dim(1);
    if (b1 <= b0) {
      return;  // an empty range launches nothing (a grid of 0 blocks is an error)
    }
    try (CudaStream s = context.stream.enter()) {
      s.launch(USAGE_BACKWARD_FREE_GATES, Math.toIntExact((long) b * r), 0, at(prevUsage, b0),
          at(prevWriteWeights, b0), at(freeGates, b0), at(prevReadWeights, b0), at(gradOut, b0),
          at(gradFreeGates, b0), n, wh, r);
      s.launch(USAGE_BACKWARD, context.spread(elements(prevUsage, b0, b1)), 0, at(prevUsage, b0),
          at(prevWriteWeights, b0), at(freeGates, b0), at(prevReadWeights, b0), at(gradOut, b0),
          at(gradPrevUsage, b0), at(gradPrevWriteWeights, b0), at(gradPrevReadWeights, b0), b, n, wh, r);
    }
  }
}
