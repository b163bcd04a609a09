package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.DncKernels;
import org.junit.jupiter.api.Test;

/**
 * Fails when {@code auto} picks another backend than the build expected ({@code -Ddnc.kernels.expected}, set by
 * each surefire execution): SIMD must never degrade to scalar silently (jvector's expected-provider test).
 */
class ExpectedBackendTest {
  static final String EXPECT = "dnc.kernels.expected";

  @Test
  void autoPicksTheExpectedBackend() {
    String expected = System.getProperty(EXPECT);
    assumeTrue(expected != null && !expected.isBlank(), EXPECT + " is not set (run through Maven)");
    try (DncKernels kernels = DncKernels.load()) {
      assertEquals(expected, kernels.name(),
          "auto chose " + kernels.name() + " (" + kernels.description() + "); backends: " + DncKernels.backends());
    }
  }
}
