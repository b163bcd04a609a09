package org.dnckernels.simd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.DncKernels;
import org.dnckernels.testing.KernelConformanceSuite;

/**
 * The conformance suite with every call split over three threads (the suite's batches are small, so the default
 * backend runs most of them inline): checks the slicing of every kernel and of the memory step. Link matrices
 * are cut into segments of 4 rows (the default is 256), so the split by segments and its partial backward sums
 * meet every shape of the suite, tails included.
 */
class SimdSplitConformanceTest extends KernelConformanceSuite {
  private static final class Holder {
    static final DncKernels SPLIT = new SimdKernels(3, 0, 4);
  }

  @Override
  protected DncKernels backend() {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
    return Holder.SPLIT;
  }
}
