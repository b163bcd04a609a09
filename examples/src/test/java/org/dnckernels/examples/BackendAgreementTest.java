package org.dnckernels.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.DncKernels;
import org.junit.jupiter.api.Test;

/**
 * Scalar and SIMD train alike: the same seed gives the same losses for the first iterations, within
 * {@value #RTOL} relative. The two backends differ only by the rounding of the memory's float sums (their
 * cross-check bounds in docs/precision.md: a few ulps, about 1e-7 relative, per kernel and step), which moves the
 * first loss (summed in double) by less than that. Adam then steps each parameter by about lr·m/√v: where the two
 * gradients differ in their last bits the steps differ by as little; where rounding decides a gradient's sign the
 * steps may differ by 2·lr, but such a gradient is itself at rounding level, so the loss moves by 2·lr times a
 * rounding-sized slope. The next few losses therefore stay within about 1e-6 relative; 1e-5 leaves a factor of
 * ten. Measured: 2e-10 over the first eight iterations (at other sizes). A wrong kernel moves them by O(1). Skipped where the
 * Vector API module is absent.
 */
class BackendAgreementTest {
  static final double RTOL = 1e-5;
  static final int ITERATIONS = 5;

  @Test
  void scalarAndSimdLossesAgreeForTheFirstIterations() {
    boolean simd = DncKernels.backends().stream().anyMatch(b -> b.name().equals("simd") && b.available());
    assumeTrue(simd, "SIMD backend unavailable here (no jdk.incubator.vector?)");
    CopyTask.Options scalar = TrainingTest.smallTask("scalar", ITERATIONS);
    CopyTask.Options vector = TrainingTest.smallTask("simd", ITERATIONS);
    CopyTask.Result a = run(scalar), b = run(vector);
    for (int i = 0; i < ITERATIONS; i++) {
      double x = a.losses().get(i), y = b.losses().get(i);
      assertTrue(Math.abs(x - y) <= RTOL * Math.abs(x),
          "iteration " + (i + 1) + ": scalar loss " + x + ", simd " + y);
    }
  }

  private static CopyTask.Result run(CopyTask.Options o) {
    try (DncKernels k = DncKernels.load(o.backend()); DncModel model = new DncModel(k, o.sizes(), TrainingTest.maxSteps(o), 0, o.seed())) {
      return CopyTask.train(model, o, null);
    }
  }
}
