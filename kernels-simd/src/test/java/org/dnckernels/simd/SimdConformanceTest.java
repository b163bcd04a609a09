package org.dnckernels.simd;

import org.dnckernels.DncKernels;
import org.dnckernels.testing.KernelConformanceSuite;

/**
 * The conformance suite on the backend {@code auto} picks: SIMD where the Vector API is usable (the default
 * and 128-bit executions), scalar without it (then the cross-checks skip, and {@link ExpectedBackendTest} checks
 * that scalar was the expected choice).
 */
class SimdConformanceTest extends KernelConformanceSuite {
  private static final class Holder {
    static final DncKernels AUTO = DncKernels.load();
  }

  @Override
  protected DncKernels backend() {
    return Holder.AUTO;
  }
}
