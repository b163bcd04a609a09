package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.DncKernels;
import org.dnckernels.testing.KernelConformanceSuite;

/**
 * The conformance suite on the CPU emulator of the kernels (kernels-cuda/emulate.sh), with an H100's shared
 * memory: the kernels' own source and the host code of {@link CudaKernels}, without a GPU. Skipped unless the
 * emulator library is given.
 */
class CudaEmulatedConformanceTest extends KernelConformanceSuite {
  /** An H100's opt-in shared memory per block, less step_allocate's static shared memory. */
  static final int H100_SHARED = 232448 - 8720;

  private static DncKernels emulated;

  @Override
  protected DncKernels backend() {
    assumeTrue(EmulatedGpu.available(), EmulatedGpu::unavailableReason);
    synchronized (CudaEmulatedConformanceTest.class) {
      if (emulated == null) {
        emulated = new CudaKernels(new EmulatedGpu(H100_SHARED));
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
