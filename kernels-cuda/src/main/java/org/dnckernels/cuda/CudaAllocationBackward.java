package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.ALLOCATION_BACKWARD;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The allocation backward on the device: one {@code allocation_backward} launch, a block per batch entry, which
 * recomputes the forward with the forward kernel's own sort (in shared memory or, for large N, in the sort's global
 * scratch, as {@link AllocationPlan} decides) and walks the heads in reverse. Each head's usage copy and order,
 * the running gradients and the recomputed weights live in the stream's scratch: the link partial buffers, which
 * no other launch of this call uses.
 */
final class CudaAllocationBackward implements KernelMath.AllocationBackward {
  private final CudaContext context;

  CudaAllocationBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut,
      Tensor gradUsage, Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1) {
    int b = b1 - b0, n = usage.dim(1), wh = writeGates.dim(1);
    try (CudaStream s = context.stream.enter()) {
      AllocationPlan plan = AllocationPlan.of(b, n, context.gpu.maxDynamicSharedMemory(ALLOCATION_BACKWARD));
      long[] sort = CudaContext.sortScratch(s, plan);
      long rowSlots = (long) b * n;
      // doubles: u^(h) [B,Wh,N], then du, g, S [B,3,N]; ints and floats: φ_h [B,Wh,N], then a [B,N]
      long doubles = s.scratch(CudaStream.Scratch.FORWARD_PARTIALS, 8L * rowSlots * (wh + 3));
      long words = s.scratch(CudaStream.Scratch.BACKWARD_PARTIALS, 4L * rowSlots * (wh + 1));
      s.launch(ALLOCATION_BACKWARD, b, plan.sharedBytes(), at(usage, b0), at(writeGates, b0),
          at(allocationGates, b0), at(gradOut, b0), at(gradUsage, b0), at(gradWriteGates, b0),
          at(gradAllocationGates, b0), n, wh, plan.padded(), plan.chunk(), sort[0], sort[1], sort[2], doubles,
          words, doubles + 8L * rowSlots * wh, words + 4L * rowSlots * wh);
    }
  }
}
