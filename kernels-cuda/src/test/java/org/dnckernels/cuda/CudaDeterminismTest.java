package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;

/** {@link DeterminismChecks} on the GPU; skipped, with the probe's reason, where there is none. */
class CudaDeterminismTest extends DeterminismChecks {
  private static DncKernels cuda;

  @Override
  protected DncKernels backend() {
    BackendInfo info = CudaUnavailableTest.cuda();
    assumeTrue(info.available(), () -> "no CUDA device: " + info.reason());
    synchronized (CudaDeterminismTest.class) {
      if (cuda == null) {
        cuda = DncKernels.load("cuda");
      }
      return cuda;
    }
  }
}
