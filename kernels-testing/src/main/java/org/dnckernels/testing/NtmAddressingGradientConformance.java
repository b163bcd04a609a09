package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.DncKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@code ntmInterpolateBackward}, {@code ntmShiftBackward} and {@code ntmSharpenBackward}: finite
 * differences of {@link DoubleNtmAddressing} (loss Σ g·out, every differentiable input), accumulation into
 * prefilled gradients, degenerate rows, and the reference.
 *
 * <p>Finite differences of sharpening use weights in [0.05, 1): the step is 1e-6 per unit, so the relative step on
 * a weight is at most 2e-5 and the truncation error of x^γ (about (γ h / w)²/6 relative) stays below 1e-7 for
 * γ ≤ 30; zero weights (where (−h)^γ is not real) are left to the edge cases, which check them exactly.
 *
 * <p><b>Cross-check bounds</b>, element-wise against the reference (which is within half an ulp of the exact
 * result of its float inputs), u = 2^-24, c = {@link Tolerances#SAFETY}. Both backends add their gradient a to a
 * prefilled p, each rounding once more, which costs {@code c·u·|p + a|}; {@code Σ|·|} is over the terms of the
 * reduction:
 * <ul>
 *   <li>interpolate: {@code gradContent} one product, {@code c·u·(|γ g| + |p + a|)}; {@code gradPrevious} 1 − γ and
 *       a product, {@code c·u·(2|(1 − γ) g| + |p + a|)}; {@code gradGate} a reduction of N products of a difference,
 *       {@code c·u·((N + 2)·Σ_i |g_i| (|c_i| + |w_i|) + |p + a|)}.
 *   <li>shift: {@code gradWeights[j]} a sum of 2k + 1 products, {@code c·u·((2k + 2)·Σ_d |g_{j+d} s_d| + |p + a|)};
 *       {@code gradShift[d]} a reduction of N products, {@code c·u·((N + 2)·Σ_i |g_i w_{i−d}| + |p + a|)}.
 *   <li>sharpen, per row, with the exact v, P = v^γ, S = ΣP, y = P/S, ḡ, L = ln v and d = g − ḡ of the float
 *       inputs: P_i carries {@code ρ_i = u·(2γ(1 + |L_i|) + 3)} relative (x = w/m rounds, ln x is within about an
 *       ulp, γ·ln x rounds, exp adds two; as in {@link Tolerances#ntmSharpen}); S then carries
 *       {@code σ = N·u + Σ y_i ρ_i}; ḡ (a dot of length N over S) is off by
 *       {@code Δḡ = Σ y_i |g_i| (N·u + ρ_i) + (σ + u)|ḡ|}, d_i by {@code Δd_i = Δḡ + u(|ḡ| + |d_i|)}, and
 *       Q = v^(γ−1) carries {@code ρ'_i = u·(2(γ − 1)(1 + |L_i|) + 3)}. With k = γ/(m S):
 *       {@code gradWeights_i} is within {@code c·(k Q_i Δd_i + k |d_i| Q_i (ρ'_i + σ + 3u)) + c·u·|p + a|};
 *       {@code gradGamma} (a reduction of N terms P d L over S) within
 *       {@code c·(Σ_i P_i (N·u |d_i L_i| + |L_i| Δd_i + |d_i| (|L_i| (ρ_i + 3u) + 2u)) / S + (σ + u)|a|)
 *       + c·u·|p + a|}.
 * </ul>
 * Plus {@link Tolerances#TINY} each. Exact properties hold exactly on every backend: a zero row, N = 1 and a
 * one-hot row at γ &gt; 1 give a zero gradient, a zero weight at γ &gt; 1 gets 0, one-hot weights shifted by a
 * one-hot s give g moved back, gates 0 and 1 pass g through.
 */
public abstract class NtmAddressingGradientConformance extends ConformanceBase {
  private static final double U = Tolerances.UNIT_ROUNDOFF;
  private static final double C = Tolerances.SAFETY;

  /** Finite-difference cases: N and W with vector tails, B and H 1 to 3, three seeds of each size. */
  static List<ShapeCase> differenceCases() {
    int[] sizes = {1, 3, 7, 17, 33};
    List<ShapeCase> out = new ArrayList<>();
    for (int seed = 0; seed < 3; seed++) {
      for (int i = 0; i < sizes.length; i++) {
        out.add(new ShapeCase(1 + (i + seed) % 3, sizes[i], 1, 1 + (i + 2 * seed) % 3, 1, 5000 + 17L * i + seed));
      }
    }
    return out;
  }

  /** Cross-check cases: the sizes with tails as N, B up to 9 (uneven slices when split over threads), H up to 5. */
  static List<ShapeCase> crossCases() {
    List<ShapeCase> out = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < ShapeCase.SIZES.length; i++) {
        out.add(new ShapeCase(1 + (i * 5 + pass * 4) % 9, ShapeCase.SIZES[i], 1, 1 + (i + 3 * pass) % 5, 1,
            6000 + 23L * i + pass));
      }
    }
    return out;
  }

  // =========================================================================================================
  // finite differences

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.NtmAddressingGradientConformance#differenceCases")
  void ntmInterpolateBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), h = c.readHeads(), n = c.slots();
    RandomTensors rnd = c.random("ntmInterpolateBackward");
    // not weightings: with N = 1 both rows would be 1 and the gate's gradient 0, below the differences' noise
    float[] content = rnd.uniform(b * h * n, 0, 1), previous = rnd.uniform(b * h * n, 0, 1), gate = rnd.gates(b * h);
    float[] g = rnd.gaussian(b * h * n, 1);
    float[][] r = interpolateBackward(kernels, content, previous, gate, g, new float[b * h * n],
        new float[b * h * n], new float[b * h], b, h, n);
    GradientCheck.Loss loss =
        x -> GradientCheck.project(g, DoubleNtmAddressing.ntmInterpolate(x[0], x[1], x[2], b, h, n));
    double[][] x = GradientCheck.widen(content, previous, gate);
    double[][] bound = interpolateBounds(content, previous, gate, g, r, b * h, n);
    check("gradContent " + c, r[4], GradientCheck.numeric(loss, x, 0), bound[0]);
    check("gradPrevious " + c, r[5], GradientCheck.numeric(loss, x, 1), bound[1]);
    check("gradGate " + c, r[6], GradientCheck.numeric(loss, x, 2), bound[2]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.NtmAddressingGradientConformance#differenceCases")
  void ntmShiftBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), h = c.readHeads(), n = c.slots();
    RandomTensors rnd = c.random("ntmShiftBackward");
    // every width from 1 to N
    for (int k = 0; 2 * k + 1 <= n; k++) {
      int width = 2 * k + 1;
      float[] w = rnd.weightings(b * h, n), shift = rnd.shifts(b * h, width), g = rnd.gaussian(b * h * n, 1);
      float[][] r = shiftBackward(kernels, w, shift, g, new float[b * h * n], new float[b * h * width], b, h, n,
          width);
      GradientCheck.Loss loss =
          x -> GradientCheck.project(g, DoubleNtmAddressing.ntmShift(x[0], x[1], b, h, n, width));
      double[][] x = GradientCheck.widen(w, shift);
      double[][] bound = shiftBounds(w, shift, g, r, b * h, n, width);
      check("gradWeights " + c + " k=" + k, r[3], GradientCheck.numeric(loss, x, 0), bound[0]);
      check("gradShift " + c + " k=" + k, r[4], GradientCheck.numeric(loss, x, 1), bound[1]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.NtmAddressingGradientConformance#differenceCases")
  void ntmSharpenBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), h = c.readHeads(), n = c.slots();
    RandomTensors rnd = c.random("ntmSharpenBackward");
    float[] w = rnd.uniform(b * h * n, 0.05, 1), gamma = rnd.gammas(b * h), g = rnd.gaussian(b * h * n, 1);
    float[][] r = sharpenBackward(kernels, w, gamma, g, new float[b * h * n], new float[b * h], b, h, n);
    GradientCheck.Loss loss = x -> GradientCheck.project(g, DoubleNtmAddressing.ntmSharpen(x[0], x[1], b, h, n));
    double[][] x = GradientCheck.widen(w, gamma);
    double[][] bound = sharpenBounds(w, gamma, g, r[3], r[4], b * h, n);
    check("gradWeights " + c, r[3], GradientCheck.numeric(loss, x, 0), bound[0]);
    check("gradGamma " + c, r[4], GradientCheck.numeric(loss, x, 1), bound[1]);
  }

  /**
   * {@link GradientCheck#assertClose} at the default bar on the reference. On another backend the bar adds that
   * backend's cross-check bound {@code float}: the reference is within the bar of the differences, the backend
   * within {@code float} of the reference. The two differ where a reduction cancels: a float sum of terms
   * Σ|t| ≫ |result| carries u·Σ|t|, which can exceed RTOL·FLOOR·max (1e-8 of the tensor's largest gradient,
   * a sixth of an ulp there) although every operation rounded correctly.
   */
  private void check(String what, float[] analytic, double[] numeric, double[] backendBound) {
    double max = 0, worst = 0;
    boolean reference = kernels.getClass() == reference().getClass();
    for (double v : numeric) {
      max = Math.max(max, Math.abs(v));
    }
    int at = -1;
    for (int i = 0; i < numeric.length; i++) {
      double bar = GradientCheck.RTOL * (Math.abs(numeric[i]) + GradientCheck.FLOOR * max)
          + (reference ? 0 : backendBound[i]);
      double err = Math.abs(analytic[i] - numeric[i]);
      double ratio = bar > 0 ? err / bar : err > 0 ? Double.POSITIVE_INFINITY : 0;
      if (ratio > worst || !Float.isFinite(analytic[i])) {
        worst = Float.isFinite(analytic[i]) ? ratio : Double.POSITIVE_INFINITY;
        at = i;
      }
    }
    if (Boolean.getBoolean(Compare.REPORT_PROPERTY)) {
      System.out.printf("gradient headroom: %.3g of the bar, %s%n", worst, what);
    }
    if (reference) {
      GradientCheck.assertClose(what, analytic, numeric);
    } else if (worst > 1) {
      fail(what + ": element " + at + ": analytic " + analytic[at] + " vs numeric " + numeric[at] + " ("
          + worst + " of the bar, which adds " + backendBound[at] + " to GradientCheck's)");
    }
  }

  // =========================================================================================================
  // accumulation

  /**
   * Prefilled gradients end as prefill + the gradient from zero, up to the rounding of that sum (and of the
   * gradient, for a backend that fuses the two): {@code c·u·(|p| + |a|)}.
   */
  @Test
  void gradientsAccumulate() {
    int b = 3, h = 2, n = 17, width = 5, m = b * h * n;
    RandomTensors rnd = new RandomTensors(7001);
    float[] content = rnd.weightings(b * h, n), previous = rnd.weightings(b * h, n), gate = rnd.gates(b * h);
    float[] w = rnd.ntmWeights(b * h, n), shift = rnd.shifts(b * h, width), gamma = rnd.gammas(b * h);
    float[] g = rnd.gaussian(m, 1);
    float[] pre = rnd.gaussian(m, 1), pre2 = rnd.gaussian(m, 1), preRow = rnd.gaussian(b * h, 1);
    float[] preShift = rnd.gaussian(b * h * width, 1);

    float[][] zero = interpolateBackward(kernels, content, previous, gate, g, new float[m], new float[m],
        new float[b * h], b, h, n);
    float[][] acc = interpolateBackward(kernels, content, previous, gate, g, pre, pre2, preRow, b, h, n);
    assertAccumulated("ntmInterpolateBackward gradContent", pre, zero[4], acc[4]);
    assertAccumulated("ntmInterpolateBackward gradPrevious", pre2, zero[5], acc[5]);
    assertAccumulated("ntmInterpolateBackward gradGate", preRow, zero[6], acc[6]);

    zero = shiftBackward(kernels, w, shift, g, new float[m], new float[b * h * width], b, h, n, width);
    acc = shiftBackward(kernels, w, shift, g, pre, preShift, b, h, n, width);
    assertAccumulated("ntmShiftBackward gradWeights", pre, zero[3], acc[3]);
    assertAccumulated("ntmShiftBackward gradShift", preShift, zero[4], acc[4]);

    zero = sharpenBackward(kernels, w, gamma, g, new float[m], new float[b * h], b, h, n);
    acc = sharpenBackward(kernels, w, gamma, g, pre, preRow, b, h, n);
    assertAccumulated("ntmSharpenBackward gradWeights", pre, zero[3], acc[3]);
    assertAccumulated("ntmSharpenBackward gradGamma", preRow, zero[4], acc[4]);
  }

  private static void assertAccumulated(String what, float[] prefill, float[] gradient, float[] actual) {
    float[] expected = new float[prefill.length];
    double[] bound = new double[prefill.length];
    for (int k = 0; k < expected.length; k++) {
      expected[k] = prefill[k] + gradient[k];
      bound[k] = C * U * (Math.abs(prefill[k]) + Math.abs(gradient[k]));
    }
    Compare.close(what + ": prefill + gradient", expected, actual, bound, expected.length);
  }

  // =========================================================================================================
  // edge cases

  @Test
  void ntmSharpenBackwardOfDegenerateRowsIsFiniteAndExactWhereKnown() {
    int n = 17;
    // rows: all zero (γ 2.5), some zeros at γ 1, some zeros at γ 2.5, large γ on a spread row, one-hot at γ 1
    // and at γ 3, all equal at γ 50
    float[] gamma = {2.5f, 1f, 2.5f, 50f, 1f, 3f, 50f};
    int rows = gamma.length;
    RandomTensors rnd = new RandomTensors(7101);
    float[] w = new float[rows * n];
    float[] spread = rnd.uniform(n, 0.01, 1);
    for (int i = 0; i < n; i++) {
      w[n + i] = i % 3 == 0 ? 0f : spread[i];
      w[2 * n + i] = i % 4 == 1 ? 0f : spread[i];
      w[3 * n + i] = spread[i];
      w[6 * n + i] = 0.25f;
    }
    w[4 * n + 5] = 0.7f;
    w[5 * n + 16] = 1f;
    float[] g = rnd.gaussian(rows * n, 1);
    float[][] r = sharpenBackward(kernels, w, gamma, g, new float[rows * n], new float[rows], 1, rows, n);
    float[] gw = r[3], gg = r[4];
    Compare.finite("sharpen gradWeights", gw, 1, rows, n);
    Compare.finite("sharpen gradGamma", gg, 1, rows);
    for (int i = 0; i < n; i++) {
      assertEquals(0f, gw[i], "zero row: gradWeights[" + i + "]");
      if (i % 4 == 1) {
        assertEquals(0f, gw[2 * n + i], "zero weight at γ > 1: gradWeights[" + i + "]");
      }
      assertEquals(0f, gw[5 * n + i], "one-hot at γ > 1: gradWeights[" + i + "]");
    }
    assertEquals(0f, gg[0], "zero row: gradGamma");
    assertEquals(0f, gw[4 * n + 5], "one-hot at γ = 1: the hot slot");
    assertEquals(0f, gg[4], "one-hot at γ = 1: gradGamma (ln 1 = 0, the rest weigh 0)");
    assertEquals(0f, gg[5], "one-hot at γ > 1: gradGamma");

    // N = 1: the output is 1 whatever w and γ; a zero row too
    float[] single = {0.3f, 0f, 1f, 2e-30f};
    float[] singleGamma = {1f, 2f, 50f, 3f};
    float[][] s = sharpenBackward(kernels, single, singleGamma, rnd.gaussian(4, 1), new float[4], new float[4], 2, 2, 1);
    Compare.exact("N = 1: gradWeights", new float[4], s[3], 2, 2, 1);
    Compare.exact("N = 1: gradGamma", new float[4], s[4], 2, 2);
  }

  @Test
  void ntmShiftBackwardOfOneHotsMovesTheGradientBackForEveryWidth() {
    RandomTensors rnd = new RandomTensors(7201);
    for (int n : new int[] {1, 2, 3, 5, 8, 17, 33}) {
      for (int k = 0; 2 * k + 1 <= n; k++) {
        int width = 2 * k + 1;
        for (int from : new int[] {0, n / 2, n - 1}) {
          int d = rnd.nextInt(width) - k;
          float[] w = new float[n], shift = new float[width];
          w[from] = 1;
          shift[d + k] = 1;
          float[] g = rnd.gaussian(n, 1);
          float[][] r = shiftBackward(kernels, w, shift, g, new float[n], new float[width], 1, 1, n, width);
          // out[i] = w[i − d] here: ∂/∂w[j] = g[j + d], ∂/∂s[e] = g[from + e]
          float[] expectW = new float[n], expectS = new float[width];
          for (int j = 0; j < n; j++) {
            expectW[j] = g[Math.floorMod(j + d, n)];
          }
          for (int e = -k; e <= k; e++) {
            expectS[e + k] = g[Math.floorMod(from + e, n)];
          }
          String what = "N=" + n + " k=" + k + " one-hot at " + from + " shifted by " + d;
          Compare.exact(what + ": gradWeights", expectW, r[3], 1, 1, n);
          Compare.exact(what + ": gradShift", expectS, r[4], 1, 1, width);
        }
        // a random row at every width: finite
        float[][] r = shiftBackward(kernels, rnd.weightings(1, n), rnd.shifts(1, width), rnd.gaussian(n, 1),
            new float[n], new float[width], 1, 1, n, width);
        Compare.finite("N=" + n + " k=" + k + " gradWeights", r[3], 1, 1, n);
        Compare.finite("N=" + n + " k=" + k + " gradShift", r[4], 1, 1, width);
      }
    }
  }

  @Test
  void ntmInterpolateBackwardWithClosedAndOpenGates() {
    int n = 17;
    RandomTensors rnd = new RandomTensors(7301);
    float[] content = rnd.weightings(2, n), previous = rnd.weightings(2, n), g = rnd.gaussian(2 * n, 1);
    float[][] r = interpolateBackward(kernels, content, previous, f(0, 1), g, new float[2 * n], new float[2 * n],
        new float[2], 1, 2, n);
    float[] passC = new float[2 * n], passP = new float[2 * n];
    System.arraycopy(g, n, passC, n, n);
    System.arraycopy(g, 0, passP, 0, n);
    Compare.exact("gate 0 and 1: gradContent", passC, r[4], 1, 2, n);
    Compare.exact("gate 0 and 1: gradPrevious", passP, r[5], 1, 2, n);
    Compare.finite("gate 0 and 1: gradGate", r[6], 1, 2);

    float[][] one = interpolateBackward(kernels, f(0.25f), f(0.75f), f(0.5f), f(2f), f(0), f(0), f(0), 1, 1, 1);
    Compare.exact("N = 1", f(1f), one[4], 1);
    Compare.exact("N = 1", f(1f), one[5], 1);
    Compare.exact("N = 1", f(-1f), one[6], 1);
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.NtmAddressingGradientConformance#crossCases")
  void ntmInterpolateBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), h = c.readHeads(), n = c.slots(), m = b * h * n;
    RandomTensors rnd = c.random("ntmInterpolateBackwardCross");
    float[] content = rnd.weightings(b * h, n), previous = rnd.weightings(b * h, n), gate = rnd.gates(b * h);
    float[] g = rnd.gaussian(m, 1), preC = rnd.gaussian(m, 1), preP = rnd.gaussian(m, 1);
    float[] preG = rnd.gaussian(b * h, 1);
    Results r = crossRun("ntmInterpolateBackward " + c,
        new int[][] {s(b, h, n), s(b, h, n), s(b, h), s(b, h, n), s(b, h, n), s(b, h, n), s(b, h)},
        new float[][] {content, previous, gate, g, preC, preP, preG},
        (k, t) -> k.ntmInterpolateBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6]), 4, 5, 6);
    double[][] bound = interpolateBounds(content, previous, gate, g, r.expected(), b * h, n);
    Compare.close("ntmInterpolateBackward gradContent " + c, r.expected()[4], r.actual()[4], bound[0], b, h, n);
    Compare.close("ntmInterpolateBackward gradPrevious " + c, r.expected()[5], r.actual()[5], bound[1], b, h, n);
    Compare.close("ntmInterpolateBackward gradGate " + c, r.expected()[6], r.actual()[6], bound[2], b, h);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.NtmAddressingGradientConformance#crossCases")
  void ntmShiftBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), h = c.readHeads(), n = c.slots(), rows = b * h;
    RandomTensors rnd = c.random("ntmShiftBackwardCross");
    int maxK = (n - 1) / 2;
    int k = c.seed() % 3 == 0 ? maxK : Math.min(maxK, rnd.nextInt(4));
    int width = 2 * k + 1;
    float[] w = rnd.weightings(rows, n), shift = rnd.shifts(rows, width), g = rnd.gaussian(rows * n, 1);
    float[] preW = rnd.gaussian(rows * n, 1), preS = rnd.gaussian(rows * width, 1);
    Results r = crossRun("ntmShiftBackward " + c + " k=" + k,
        new int[][] {s(b, h, n), s(b, h, width), s(b, h, n), s(b, h, n), s(b, h, width)},
        new float[][] {w, shift, g, preW, preS}, (kk, t) -> kk.ntmShiftBackward(t[0], t[1], t[2], t[3], t[4]), 3, 4);
    double[][] bound = shiftBounds(w, shift, g, r.expected(), rows, n, width);
    String what = "ntmShiftBackward " + c + " k=" + k;
    Compare.close(what + " gradWeights", r.expected()[3], r.actual()[3], bound[0], b, h, n);
    Compare.close(what + " gradShift", r.expected()[4], r.actual()[4], bound[1], b, h, width);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.NtmAddressingGradientConformance#crossCases")
  void ntmSharpenBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), h = c.readHeads(), n = c.slots(), rows = b * h;
    RandomTensors rnd = c.random("ntmSharpenBackwardCross");
    float[] w = rnd.ntmWeights(rows, n), gamma = rnd.gammas(rows), g = rnd.gaussian(rows * n, 1);
    float[] preW = rnd.gaussian(rows * n, 1), preG = rnd.gaussian(rows, 1);
    Results r = crossRun("ntmSharpenBackward " + c, new int[][] {s(b, h, n), s(b, h), s(b, h, n), s(b, h, n), s(b, h)},
        new float[][] {w, gamma, g, preW, preG}, (k, t) -> k.ntmSharpenBackward(t[0], t[1], t[2], t[3], t[4]), 3, 4);
    double[][] bound = sharpenBounds(w, gamma, g, r.expected()[3], r.expected()[4], rows, n);
    Compare.close("ntmSharpenBackward gradWeights " + c, r.expected()[3], r.actual()[3], bound[0], b, h, n);
    Compare.close("ntmSharpenBackward gradGamma " + c, r.expected()[4], r.actual()[4], bound[1], b, h);
  }

  /** The class javadoc's interpolate bounds around the results {@code r} (gradients at 4, 5, 6). */
  private static double[][] interpolateBounds(float[] content, float[] previous, float[] gate, float[] g,
      float[][] r, int rows, int n) {
    double[] boundC = new double[rows * n], boundP = new double[rows * n], boundG = new double[rows];
    for (int row = 0; row < rows; row++) {
      double gt = gate[row], mag = 0;
      for (int i = 0; i < n; i++) {
        int k = row * n + i;
        boundC[k] = C * U * (Math.abs(gt * g[k]) + Math.abs(r[4][k])) + Tolerances.TINY;
        boundP[k] = C * U * (2 * Math.abs((1 - gt) * g[k]) + Math.abs(r[5][k])) + Tolerances.TINY;
        mag += Math.abs(g[k]) * (Math.abs(content[k]) + Math.abs(previous[k]));
      }
      boundG[row] = C * U * ((n + 2.0) * mag + Math.abs(r[6][row])) + Tolerances.TINY;
    }
    return new double[][] {boundC, boundP, boundG};
  }

  /** The class javadoc's shift bounds around the results {@code r} (gradients at 3, 4). */
  private static double[][] shiftBounds(float[] w, float[] shift, float[] g, float[][] r, int rows, int n,
      int width) {
    int k = width / 2;
    double[] boundW = new double[rows * n], boundS = new double[rows * width];
    for (int row = 0; row < rows; row++) {
      for (int j = 0; j < n; j++) {
        double mag = 0;
        for (int d = -k; d <= k; d++) {
          mag += Math.abs(g[row * n + Math.floorMod(j + d, n)] * shift[row * width + d + k]);
        }
        int x = row * n + j;
        boundW[x] = C * U * ((width + 1.0) * mag + Math.abs(r[3][x])) + Tolerances.TINY;
      }
      for (int d = -k; d <= k; d++) {
        double mag = 0;
        for (int i = 0; i < n; i++) {
          mag += Math.abs(g[row * n + i] * w[row * n + Math.floorMod(i - d, n)]);
        }
        int x = row * width + d + k;
        boundS[x] = C * U * ((n + 2.0) * mag + Math.abs(r[4][x])) + Tolerances.TINY;
      }
    }
    return new double[][] {boundW, boundS};
  }

  /** The class javadoc's sharpen bounds: {gradWeights [rows·N], gradGamma [rows]}. */
  private static double[][] sharpenBounds(float[] w, float[] gamma, float[] g, float[] expectedW, float[] expectedG,
      int rows, int n) {
    double[] boundW = new double[rows * n], boundG = new double[rows];
    double[] p = new double[n], log = new double[n], rho = new double[n];
    for (int row = 0; row < rows; row++) {
      int base = row * n;
      double max = 0;
      for (int i = 0; i < n; i++) {
        max = Math.max(max, w[base + i]);
      }
      if (!(max > 0)) {
        // no gradient: the reference left the prefill exactly
        for (int i = 0; i < n; i++) {
          boundW[base + i] = 0;
        }
        boundG[row] = 0;
        continue;
      }
      double gm = gamma[row], sum = 0;
      for (int i = 0; i < n; i++) {
        double v = w[base + i] / max;
        p[i] = Math.pow(v, gm);
        log[i] = v > 0 ? Math.log(v) : 0;
        rho[i] = U * (2 * gm * (1 + Math.abs(log[i])) + 3);
        sum += p[i];
      }
      double mean = 0, sigma = n * U, meanMag = 0;
      for (int i = 0; i < n; i++) {
        double y = p[i] / sum;
        mean += y * g[base + i];
        sigma += y * rho[i];
        meanMag += y * Math.abs(g[base + i]) * (n * U + rho[i]);
      }
      double dMean = meanMag + (sigma + U) * Math.abs(mean);
      double scale = gm / (max * sum), gammaErr = 0, gammaValue = 0;
      for (int i = 0; i < n; i++) {
        double v = w[base + i] / max;
        double d = g[base + i] - mean, dd = dMean + U * (Math.abs(mean) + Math.abs(d));
        double q = Math.pow(v, gm - 1), rhoQ = U * (2 * (gm - 1) * (1 + Math.abs(log[i])) + 3);
        double err = scale * q * dd + scale * Math.abs(d) * q * (rhoQ + sigma + 3 * U);
        int x = base + i;
        boundW[x] = C * err + C * U * Math.abs(expectedW[x]) + Tolerances.TINY;
        double l = Math.abs(log[i]);
        gammaErr += p[i] * (n * U * Math.abs(d) * l + l * dd + Math.abs(d) * (l * (rho[i] + 3 * U) + 2 * U));
        gammaValue += p[i] * d * log[i];
      }
      double gradGamma = gammaValue / sum;
      boundG[row] = C * (gammaErr / sum + (sigma + U) * Math.abs(gradGamma)) + C * U * Math.abs(expectedG[row])
          + Tolerances.TINY;
    }
    return new double[][] {boundW, boundG};
  }

  // =========================================================================================================
  // calls

  /** ntmInterpolateBackward on {@code on}: every tensor's final contents, the gradients at 4, 5, 6. */
  private float[][] interpolateBackward(DncKernels on, float[] content, float[] previous, float[] gate, float[] g,
      float[] gradContent, float[] gradPrevious, float[] gradGate, int b, int h, int n) {
    return run(on, new int[][] {s(b, h, n), s(b, h, n), s(b, h), s(b, h, n), s(b, h, n), s(b, h, n), s(b, h)},
        new float[][] {content, previous, gate, g, gradContent, gradPrevious, gradGate},
        (k, t) -> k.ntmInterpolateBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6]));
  }

  /** ntmShiftBackward on {@code on}: every tensor's final contents, the gradients at 3, 4. */
  private float[][] shiftBackward(DncKernels on, float[] w, float[] shift, float[] g, float[] gradWeights,
      float[] gradShift, int b, int h, int n, int width) {
    return run(on, new int[][] {s(b, h, n), s(b, h, width), s(b, h, n), s(b, h, n), s(b, h, width)},
        new float[][] {w, shift, g, gradWeights, gradShift},
        (k, t) -> k.ntmShiftBackward(t[0], t[1], t[2], t[3], t[4]));
  }

  /** ntmSharpenBackward on {@code on}: every tensor's final contents, the gradients at 3, 4. */
  private float[][] sharpenBackward(DncKernels on, float[] w, float[] gamma, float[] g, float[] gradWeights,
      float[] gradGamma, int b, int h, int n) {
    return run(on, new int[][] {s(b, h, n), s(b, h), s(b, h, n), s(b, h, n), s(b, h)},
        new float[][] {w, gamma, g, gradWeights, gradGamma},
        (k, t) -> k.ntmSharpenBackward(t[0], t[1], t[2], t[3], t[4]));
  }
}
