package org.dnckernels.testing;

import org.dnckernels.DncKernels;
import org.dnckernels.scalar.ScalarKernels;

/** The conformance suite on the scalar reference (its cross-checks skip: it is the reference). */
class ScalarConformanceTest extends KernelConformanceSuite {
  private static final DncKernels SCALAR = DncKernels.load("scalar");

  @Override
  protected DncKernels backend() {
    return SCALAR;
  }

  @org.junit.jupiter.api.Test
  void theScalarBackendIsTheScalarClass() {
    org.junit.jupiter.api.Assertions.assertInstanceOf(ScalarKernels.class, kernels());
  }
}
