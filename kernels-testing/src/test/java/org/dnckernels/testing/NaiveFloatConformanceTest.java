package org.dnckernels.testing;

import org.dnckernels.DncKernels;

/**
 * The suite on {@link NaiveFloatKernels}: runs the cross-checks here (they skip on the scalar backend), shows
 * that the tolerances admit a worst-case float32 backend, and that the suite never wraps a backend's memory.
 */
class NaiveFloatConformanceTest extends KernelConformanceSuite {
  private static final DncKernels NAIVE = new NaiveFloatKernels();

  @Override
  protected DncKernels backend() {
    return NAIVE;
  }
}
