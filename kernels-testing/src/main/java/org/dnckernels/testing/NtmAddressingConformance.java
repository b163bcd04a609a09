package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of the NTM addressing kernels {@code ntmInterpolate}, {@code ntmShift} and
 * {@code ntmSharpen}: shifted one-hots, sharpening of identity, zero rows and tiny weights, and the
 * reference.
 */
public abstract class NtmAddressingConformance extends ConformanceBase {
  // =========================================================================================================
  // properties

  @ParameterizedTest(name = "N={0}")
  @MethodSource("org.dnckernels.testing.NtmAddressingConformance#shiftSizes")
  void ntmShiftMovesAOneHotAndWrapsAround(int n) {
    int maxK = (n - 1) / 2;
    for (int k : new int[] {0, Math.min(1, maxK), maxK}) {
      int width = 2 * k + 1;
      for (int from : new int[] {0, n / 2, n - 1}) {
        for (int d = -k; d <= k; d++) {
          float[] w = new float[n];
          w[from] = 1;
          float[] sh = new float[width];
          sh[d + k] = 1;
          Tensor out = filled(kernels, Float.NaN, 1, 1, n);
          kernels.ntmShift(upload(w, 1, 1, n), upload(sh, 1, 1, width), out);
          float[] expected = new float[n];
          expected[Math.floorMod(from + d, n)] = 1;
          Compare.exact("one-hot at " + from + " shifted by " + d + " (k=" + k + ")", expected, out.toArray(), 1, 1, n);
        }
      }
    }
  }

  static List<Integer> shiftSizes() {
    return List.of(1, 3, 16, 17);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void ntmSharpenWithGammaOneIsTheIdentity(ShapeCase c) {
    int b = c.batch(), h = c.readHeads(), n = c.slots();
    float[] w = c.random("sharpenIdentity").weightings(b * h, n);
    float[] gamma = new float[b * h];
    Arrays.fill(gamma, 1f);
    Tensor out = filled(kernels, Float.NaN, b, h, n);
    kernels.ntmSharpen(upload(w, b, h, n), upload(gamma, b, h), out);
    double[] bound = Tolerances.ntmSharpen(w, gamma, w, b * h, n);
    for (int i = 0; i < bound.length; i++) {
      bound[i] += Tolerances.rowSum(n) * w[i]; // the row sums to 1 only up to its rounding
    }
    Compare.close("sharpen with gamma 1", w, out.toArray(), bound, b, h, n);
  }

  @Test
  void ntmSharpenOfAZeroRowIsUniformAndTinyWeightsDoNotUnderflow() {
    int n = 17;
    float[] w = new float[4 * n];
    // rows 0, 1: all zero; rows 2, 3: tiny weights that a plain Σ w^γ would flush to 0
    for (int i = 0; i < n; i++) {
      w[2 * n + i] = 1e-30f * (1 + i % 3);
      w[3 * n + i] = i == 4 ? 6e-38f : 2e-38f; // normal floats: a device that flushes subnormals still passes
    }
    float[] gamma = {1, 20, 20, 3};
    Tensor out = filled(kernels, Float.NaN, 2, 2, n);
    kernels.ntmSharpen(upload(w, 2, 2, n), upload(gamma, 2, 2), out);
    float[] o = out.toArray();
    Compare.finite("sharpen", o, 2, 2, n);
    for (int i = 0; i < 2 * n; i++) {
      assertEquals(1.0 / n, o[i], Tolerances.ulps(2) / n, "a zero row sharpens to 1/N");
    }
    assertRowSums(Arrays.copyOfRange(o, 2 * n, 4 * n), 2, n, 1, 1, "sharpened tiny weights");
    double third = Math.pow(1.0 / 3, 20), twoThirds = Math.pow(2.0 / 3, 20);
    double sum = 5 + 6 * twoThirds + 6 * third; // slots with i%3==2: 1, ==1: 2/3, ==0: 1/3 → counts 5, 6, 6
    assertEquals(1 / sum, o[2 * n + 2], Tolerances.ulps(2 * n + 60) / sum, "largest tiny weight");
    assertEquals(1 / (1 + 16 * Math.pow(1.0 / 3, 3)), o[3 * n + 4], Tolerances.ulps(2 * n + 20), "near-subnormal");
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void ntmInterpolateMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), h = c.readHeads();
    RandomTensors rnd = c.random("ntmInterpolate");
    float[] cw = rnd.weightings(b * h, n), prev = rnd.weightings(b * h, n);
    Results r = crossRun("ntmInterpolate " + c, new int[][] {s(b, h, n), s(b, h, n), s(b, h), s(b, h, n)},
        new float[][] {cw, prev, rnd.gates(b * h), null}, (k, t) -> k.ntmInterpolate(t[0], t[1], t[2], t[3]), 3);
    Compare.close("ntmInterpolate " + c, r.expected()[3], r.actual()[3], Tolerances.ntmInterpolate(cw, prev), b, h, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void ntmShiftMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), h = c.readHeads();
    RandomTensors rnd = c.random("ntmShift");
    int maxK = (n - 1) / 2;
    int k = c.seed() % 3 == 0 ? maxK : Math.min(maxK, 1 + rnd.nextInt(3));
    int width = 2 * k + 1;
    float[] w = rnd.weightings(b * h, n), shift = rnd.shifts(b * h, width);
    Results r = crossRun("ntmShift " + c + " k=" + k, new int[][] {s(b, h, n), s(b, h, width), s(b, h, n)},
        new float[][] {w, shift, null}, (kk, t) -> kk.ntmShift(t[0], t[1], t[2]), 2);
    Compare.close("ntmShift " + c + " k=" + k, r.expected()[2], r.actual()[2],
        Tolerances.ntmShift(w, shift, b * h, n, width), b, h, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void ntmSharpenMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), h = c.readHeads();
    RandomTensors rnd = c.random("ntmSharpen");
    float[] w = rnd.ntmWeights(b * h, n), gamma = rnd.gammas(b * h);
    Results r = crossRun("ntmSharpen " + c, new int[][] {s(b, h, n), s(b, h), s(b, h, n)},
        new float[][] {w, gamma, null}, (k, t) -> k.ntmSharpen(t[0], t[1], t[2]), 2);
    Compare.close("ntmSharpen " + c, r.expected()[2], r.actual()[2],
        Tolerances.ntmSharpen(w, gamma, r.expected()[2], b * h, n), b, h, n);
  }
}
