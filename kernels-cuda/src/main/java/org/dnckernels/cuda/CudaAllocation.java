package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.ALLOCATION_WEIGHTS;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The allocation weightings on the device: one {@code allocation_weights} launch, a block per batch entry, sorting
 * in shared memory or, for large N, in the stream's global scratch (see {@link AllocationPlan}).
 */
final class CudaAllocation implements KernelMath.Allocation {
  private final CudaContext context;

  CudaAllocation(CudaContext context) {
    this.context = context;
  }

  @Override
  public void allocation(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
    int b = b1 - b0, n = usage.dim(1), wh = writeGates.dim(1);
    try (CudaStream s = context.stream.enter()) {
      AllocationPlan plan = AllocationPlan.of(b, n, context.gpu.maxDynamicSharedMemory(ALLOCATION_WEIGHTS));
      long[] sort = CudaContext.sortScratch(s, plan);
      s.launch(ALLOCATION_WEIGHTS, b, plan.sharedBytes(), at(usage, b0), at(writeGates, b0), at(allocationGates, b0),
          at(out, b0), n, wh, plan.padded(), plan.chunk(), sort[0], sort[1], sort[2]);
    }
  }
}
