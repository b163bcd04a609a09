package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.DncKernels;
import org.dnckernels.testing.KernelConformanceSuite;

/**
 * The conformance suite on the CPU emulator with only 400 bytes of shared memory for the allocation sort: every
 * N above 16 takes the global-memory path (chunks of 32 pairs, wide strides in global memory), which a real GPU
 * only takes above ~8192 slots. Skipped unless the emulator library is given.
 */
class CudaEmulatedChunkedSortTest extends KernelConformanceSuite {
  private static DncKernels emulated;

  @Override
  protected DncKernels backend() {
    assumeTrue(EmulatedGpu.available(), EmulatedGpu::unavailableReason);
    synchronized (CudaEmulatedChunkedSortTest.class) {
      if (emulated == null) {
        emulated = new CudaKernels(new EmulatedGpu(400));
      }
      return emulated;
    }
  }

  /** The emulator takes about 45 ms a step: 300 steps here (3000, the suite's default, passed on it too). */
  @Override
  protected int longRunSteps() {
    return 300;
  }
}
