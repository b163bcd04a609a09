package org.dnckernels.testing;

import org.dnckernels.DncKernels;

/**
 * The backend the conformance suites run on, and the suites' hooks. A backend's test class extends this interface
 * once, with {@link #backend()} (and any hook it changes) as default methods, and every family suite takes it:
 * {@code @Nested class Allocation extends AllocationConformance implements Backend {}} (see
 * {@link ConformanceBase}).
 */
public interface ConformanceBackend {
  /**
   * The backend under test. Called before every test; it may return a shared instance (the suites never close
   * it).
   */
  DncKernels backend();

  /** The reference the cross-checks compare with: the scalar backend. */
  default DncKernels reference() {
    return ConformanceBase.ReferenceHolder.SCALAR;
  }

  /**
   * Memory steps of the long-run bounds test ({@link MemoryStepConformance}); a backend that is slow per step (an
   * emulator) may run fewer.
   */
  default int longRunSteps() {
    return 3000;
  }
}
