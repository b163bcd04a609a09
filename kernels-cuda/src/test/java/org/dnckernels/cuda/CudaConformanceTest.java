package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;
import org.dnckernels.testing.KernelConformanceSuite;

/** The conformance suite on the GPU; skipped, with the probe's reason, where there is none. */
class CudaConformanceTest extends KernelConformanceSuite {
  private static DncKernels cuda;

  @Override
  protected DncKernels backend() {
    BackendInfo info = CudaUnavailableTest.cuda();
    assumeTrue(info.available(), () -> "no CUDA device: " + info.reason());
    synchronized (CudaConformanceTest.class) {
      if (cuda == null) {
        cuda = DncKernels.load("cuda");
      }
      return cuda;
    }
  }
}
