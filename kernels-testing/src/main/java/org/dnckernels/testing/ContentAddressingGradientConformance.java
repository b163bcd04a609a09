package org.dnckernels.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@code contentWeightsBackward}: finite differences in double, accumulation, edge cases, the
 * reference.
 *
 * <p><b>Finite differences.</b> The backward takes the forward's weights; the check passes the double forward's
 * weights rounded once to float ({@link DoubleContentAddressing}), so that it measures the backward alone: a
 * backend's own forward error grows with β (see {@link Tolerances#contentWeights}) and is its cross-check's
 * business. The reference (double, rounded once) is held to {@link GradientCheck}'s default bar. A float32
 * backend is held to that bar plus its rounding bound below: the default bar's floor, RTOL·FLOOR = 1e-8 of the
 * largest gradient, is below one float ulp of it, while an element of gradKeys or gradMemory is a difference
 * of terms up to that size (Σ_i a M_i against κ k, Σ_h a k_h against ρ M_i). The two cancel wherever a key is
 * nearly parallel to a row; with W = 1 always, to the ε terms, so there the float rounding of D and of the terms
 * is amplified by their ratio to the result (about 1e2 in these cases) and no float32 arithmetic meets the
 * default bar. The extra term is the cross-check's bound, so the check still fails on any wrong term that
 * moves a gradient by more than a float backend's rounding.
 *
 * <p><b>Cross-check bounds</b> (u = 2^-24, c = {@link Tolerances#SAFETY}). With dz = w (g − Σ w g), a[h,i] = β
 * dz[h,i] / (‖k_h‖ ‖M_i‖ + ε) and c[h,i] = a[h,i] D[h,i], the backward is gradStrengths = Σ_i dz D, gradKeys_h =
 * Σ_i a M_i − (k_h/‖k_h‖) Σ_i c ‖M_i‖, gradMemory_i = Σ_h a k_h − (M_i/‖M_i‖) Σ_h c ‖k_h‖. A float32 backend
 * computes the cosine D from float reductions of length W: |ΔD| ≤ (2W + 8)·u (the forward's bound, since
 * Σ|k_j M_j| ≤ ‖k‖‖M‖ and |D| ≤ 1); its norms carry W·u relative, so a and c carry (W + 3)·u relative, and c
 * also |a|·|ΔD|. dz depends only on inputs (w, g), so β enters only through a, which is in the bound.
 * <ul>
 *   <li>gradStrengths [B,H]: {@code c·u·(2W + 10)·Σ_i |dz_i|}.
 *   <li>gradKeys [B,H,W]: a float sum over N rows on top of those: {@code c·u·(N + 4W + 16)·Σ_i |a_i| (|M_ij| +
 *       ‖M_i‖ |k_j| / ‖k‖)}.
 *   <li>gradMemory [B,N,W]: a float sum over H heads: {@code c·u·(4W + H + 16)·Σ_h |a_h| (|k_hj| + ‖k_h‖ |M_ij| /
 *       ‖M_i‖)}.
 * </ul>
 * Each plus {@link Tolerances#TINY}. A one-hot w (β = 1e30) gives dz = 0 and so a gradient of exactly 0 on every
 * backend.
 */
public abstract class ContentAddressingGradientConformance extends ConformanceBase {
  private static final String FINITE_DIFFERENCES =
      "org.dnckernels.testing.ContentAddressingGradientConformance#finiteDifferenceCases";
  private static final String CROSS_CHECK = "org.dnckernels.testing.ContentAddressingGradientConformance#crossCases";
  private static final double U = Tolerances.UNIT_ROUNDOFF, C = Tolerances.SAFETY;
  private static final double EPSILON = DncKernels.EPSILON;

  /** N and W of the finite-difference checks: vector tails, small enough for 2·B·N·W forwards each. */
  private static final int[] FD_SIZES = {1, 3, 7, 17, 33};

  /** Every FD size as N and as W, B and H cycling, three seeds (15 cases). */
  static List<ShapeCase> finiteDifferenceCases() {
    List<ShapeCase> out = new ArrayList<>();
    for (int seed = 0; seed < 3; seed++) {
      for (int i = 0; i < FD_SIZES.length; i++) {
        int n = FD_SIZES[i], w = FD_SIZES[(2 * i + seed + 1) % FD_SIZES.length];
        out.add(new ShapeCase(1 + (i + seed) % 3, n, w, 1 + (i + 2 * seed) % 3, 1, 5000 + 17L * i + seed));
      }
    }
    return out;
  }

  /** The forward's cross-check shapes, many heads, and batches of 5 to 9 (split over threads with tails). */
  static List<ShapeCase> crossCases() {
    List<ShapeCase> out = new ArrayList<>(ShapeCase.general());
    out.addAll(ShapeCase.manyHeads());
    out.add(new ShapeCase(5, 17, 33, 2, 1, 5101));
    out.add(new ShapeCase(7, 33, 17, 4, 1, 5102));
    out.add(new ShapeCase(9, 65, 15, 3, 1, 5103));
    out.add(new ShapeCase(8, 3, 100, 1, 1, 5104));
    return out;
  }

  /** Inputs of one backward call, as host arrays. */
  private record Inputs(float[] memory, float[] keys, float[] strengths, float[] weights, float[] gradWeights) {}

  /** The three gradients of one call: memory [B,N,W], keys [B,H,W], strengths [B,H]. */
  private record Grads(float[] memory, float[] keys, float[] strengths) {}

  private Grads backward(DncKernels on, ShapeCase c, Inputs in, Grads prefill) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    Tensor gm = upload(on, prefill.memory(), b, n, w), gk = upload(on, prefill.keys(), b, h, w);
    Tensor gb = upload(on, prefill.strengths(), b, h);
    on.contentWeightsBackward(upload(on, in.memory(), b, n, w), upload(on, in.keys(), b, h, w),
        upload(on, in.strengths(), b, h), upload(on, in.weights(), b, h, n), upload(on, in.gradWeights(), b, h, n),
        gm, gk, gb);
    return new Grads(gm.toArray(), gk.toArray(), gb.toArray());
  }

  private static Grads zeros(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    return new Grads(new float[b * n * w], new float[b * h * w], new float[b * h]);
  }

  /**
   * Random inputs with the forward's weights (double, rounded once). With W = 1 a cosine is ±1 but for its ε
   * terms, which are then the whole gradient of M and k: at ordinary magnitudes they are ε/|x|² ≈ 1e-6 of the
   * loss's scale, below what central differences in double resolve at the default bar. There the non-zero
   * elements are redrawn with magnitudes in [0.005, 0.05), which makes those terms 1e-2 of it while the
   * curvature's scale, the element itself, stays far above the step (1e-6).
   */
  private static Inputs random(ShapeCase c, String what) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    RandomTensors rnd = c.random(what);
    float[] memory = rnd.memory(b, n, w), keys = rnd.keys(b * h, w), strengths = rnd.strengths(b * h);
    if (w == 1) {
      nearEpsilon(memory);
      nearEpsilon(keys);
    }
    float[] weights = toFloat(DoubleContentAddressing.contentWeights(GradientCheck.widen(memory),
        GradientCheck.widen(keys), GradientCheck.widen(strengths), b, n, w, h));
    return new Inputs(memory, keys, strengths, weights, rnd.gaussian(b * h * n, 1));
  }

  /** Non-zero elements → sign · 0.005 · (1 + 9·uniform-ish), deterministic in the element's value. */
  private static void nearEpsilon(float[] x) {
    for (int i = 0; i < x.length; i++) {
      if (x[i] != 0) {
        double frac = Math.abs(x[i] * 7.31) % 1;
        x[i] = (float) Math.copySign(0.005 * (1 + 9 * frac), x[i]);
      }
    }
  }

  // =========================================================================================================
  // finite differences

  @ParameterizedTest(name = "{0}")
  @MethodSource(FINITE_DIFFERENCES)
  void contentWeightsBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    Inputs in = random(c, "contentWeightsBackward");
    Grads grads = backward(kernels, c, in, zeros(c));
    double[][] x = GradientCheck.widen(in.memory(), in.keys(), in.strengths());
    double[] base = DoubleContentAddressing.contentWeights(x[0], x[1], x[2], b, n, w, h);
    GradientCheck.Loss loss = v -> centered(in.gradWeights(),
        DoubleContentAddressing.contentWeights(v[0], v[1], v[2], b, n, w, h), base);
    String what = "contentWeightsBackward " + c;
    // the reference rounds once: the default bar alone; a float32 backend also gets its documented rounding
    Bounds rounding = kernels.getClass() == reference().getClass() ? null
        : bounds(in.memory(), in.keys(), in.strengths(), in.weights(), in.gradWeights(), b, n, w, h);
    checkWithRounding(what + " gradMemory", grads.memory(), GradientCheck.numeric(loss, x, 0),
        rounding == null ? null : rounding.memory());
    checkWithRounding(what + " gradKeys", grads.keys(), GradientCheck.numeric(loss, x, 1),
        rounding == null ? null : rounding.keys());
    checkWithRounding(what + " gradStrengths", grads.strengths(), GradientCheck.numeric(loss, x, 2),
        rounding == null ? null : rounding.strengths());
  }

  /**
   * {@link GradientCheck#assertClose} at the default bar when {@code rounding} is null; otherwise that bar plus
   * the per-element rounding bound of a float32 backend (the class javadoc's).
   */
  static void checkWithRounding(String what, float[] analytic, double[] numeric, double[] rounding) {
    if (rounding == null) {
      check(what, analytic, numeric);
      return;
    }
    double max = 0;
    for (double v : numeric) {
      max = Math.max(max, Math.abs(v));
    }
    double worst = 0;
    int at = -1;
    for (int i = 0; i < numeric.length; i++) {
      double bound = GradientCheck.RTOL * (Math.abs(numeric[i]) + GradientCheck.FLOOR * max) + rounding[i];
      double ratio = Float.isFinite(analytic[i]) ? Math.abs(analytic[i] - numeric[i]) / bound
          : Double.POSITIVE_INFINITY;
      if (ratio > worst) {
        worst = ratio;
        at = i;
      }
    }
    if (Boolean.getBoolean(Compare.REPORT_PROPERTY)) {
      System.out.printf("gradient headroom: %.3g of the bar plus rounding, %s%n", worst, what);
    }
    if (worst > 1) {
      org.junit.jupiter.api.Assertions.fail(what + ": element " + at + ": analytic " + analytic[at] + " vs numeric "
          + numeric[at] + " (error " + Math.abs(analytic[at] - numeric[at]) + ", bar " + GradientCheck.RTOL
          * (Math.abs(numeric[at]) + GradientCheck.FLOOR * max) + " plus rounding " + rounding[at]
          + ", largest gradient " + max + ")");
    }
  }

  /**
   * Σ g·(y − base): the loss Σ g·y less its value at the unperturbed inputs, output by output. The same gradient;
   * outputs a perturbation does not reach cancel exactly, so a central difference's rounding noise comes only
   * from the outputs it moves (not from, say, a strength of 1001 elsewhere in the interface).
   */
  static double centered(float[] g, double[] y, double[] base) {
    double s = 0;
    for (int i = 0; i < g.length; i++) {
      s += g[i] * (y[i] - base[i]);
    }
    return s;
  }

  /** {@link GradientCheck#assertClose} at the default bar, printing the headroom under the report property. */
  static void check(String what, float[] analytic, double[] numeric) {
    if (Boolean.getBoolean(Compare.REPORT_PROPERTY)) {
      System.out.printf("gradient headroom: %.3g of the bar, %s%n", worstRatio(analytic, numeric), what);
    }
    GradientCheck.assertClose(what, analytic, numeric);
  }

  /** max |analytic − numeric| / (RTOL (|numeric| + FLOOR max|numeric|)). */
  static double worstRatio(float[] analytic, double[] numeric) {
    double max = 0, worst = 0;
    for (double v : numeric) {
      max = Math.max(max, Math.abs(v));
    }
    for (int i = 0; i < numeric.length; i++) {
      double bound = GradientCheck.RTOL * (Math.abs(numeric[i]) + GradientCheck.FLOOR * max);
      double err = Math.abs(analytic[i] - numeric[i]);
      worst = Math.max(worst, bound > 0 ? err / bound : err > 0 ? Double.POSITIVE_INFINITY : 0);
    }
    return worst;
  }

  // =========================================================================================================
  // accumulate

  @ParameterizedTest(name = "{0}")
  @MethodSource(FINITE_DIFFERENCES)
  void contentWeightsBackwardAddsToItsGradients(ShapeCase c) {
    Inputs in = random(c, "contentAccumulate");
    RandomTensors rnd = c.random("contentAccumulatePrefill");
    Grads zero = zeros(c);
    Grads prefill = new Grads(rnd.gaussian(zero.memory().length, 1), rnd.gaussian(zero.keys().length, 1),
        rnd.gaussian(zero.strengths().length, 1));
    Grads alone = backward(kernels, c, in, zero), added = backward(kernels, c, in, prefill);
    String what = "contentWeightsBackward " + c + " accumulates";
    assertAdded(what + " gradMemory", prefill.memory(), alone.memory(), added.memory());
    assertAdded(what + " gradKeys", prefill.keys(), alone.keys(), added.keys());
    assertAdded(what + " gradStrengths", prefill.strengths(), alone.strengths(), added.strengths());
  }

  /** {@code added = prefill + alone}, up to the rounding of that one addition. */
  static void assertAdded(String what, float[] prefill, float[] alone, float[] added) {
    float[] expected = new float[prefill.length];
    double[] bound = new double[prefill.length];
    for (int k = 0; k < expected.length; k++) {
      expected[k] = prefill[k] + alone[k];
      bound[k] = C * U * (Math.abs(prefill[k]) + Math.abs(alone[k])) + Tolerances.TINY;
    }
    Compare.close(what, expected, added, bound, expected.length);
  }

  // =========================================================================================================
  // edge cases

  /**
   * Zero rows, zero keys, equal rows, memory of magnitude 1e15 next to ordinary rows, and β of 0, 1, 10 and
   * 1e30, with the backend's own forward weights: every gradient finite.
   */
  @Test
  void contentWeightsBackwardOfDegenerateInputsIsFinite() {
    int b = 4, n = 19, w = 21, h = 3;
    RandomTensors rnd = new RandomTensors(5200);
    float[] memory = new float[b * n * w];
    for (int row = 0; row < b * n; row++) {
      int bb = row / n;
      for (int j = 0; j < w; j++) {
        double u = 2 * rnd.uniform() - 1;
        memory[row * w + j] = switch (bb) {
          case 0 -> 0f; // every row zero
          case 1 -> (float) (row % 3 == 0 ? 0 : row % 3 == 1 ? u * 1e15 : u); // zero, huge and ordinary rows
          case 2 -> (float) Math.sin(j + 1); // every row equal
          default -> (float) (row % 2 == 0 ? 1e15 * Math.sin(j + 1) : Math.sin(j + 1)); // equal up to scale
        };
      }
    }
    float[] keys = rnd.gaussian(b * h * w, 1);
    for (int bb = 0; bb < b; bb++) {
      Arrays.fill(keys, (bb * h + 1) * w, (bb * h + 2) * w, 0f); // head 1: a zero key
      for (int j = 0; j < w; j++) {
        keys[(bb * h + 2) * w + j] *= 1e15f; // head 2: a huge key
      }
    }
    for (float beta : new float[] {0f, 1f, 10f, 1e30f}) {
      float[] strengths = new float[b * h];
      Arrays.fill(strengths, beta);
      Tensor weights = filled(kernels, Float.NaN, b, h, n);
      kernels.contentWeights(upload(memory, b, n, w), upload(keys, b, h, w), upload(strengths, b, h), weights);
      ShapeCase c = new ShapeCase(b, n, w, h, 1, 0);
      Inputs in = new Inputs(memory, keys, strengths, weights.toArray(), rnd.gaussian(b * h * n, 1));
      Grads grads = backward(kernels, c, in, zeros(c));
      String what = "contentWeightsBackward of degenerate inputs, β = " + beta;
      Compare.finite(what + " gradMemory", grads.memory(), b, n, w);
      Compare.finite(what + " gradKeys", grads.keys(), b, h, w);
      Compare.finite(what + " gradStrengths", grads.strengths(), b, h);
    }
  }

  /** β = 1e30 on distinct rows: the forward's weights are one-hot, dz = 0, every gradient is exactly its prefill. */
  @Test
  void contentWeightsBackwardOfAOneHotIsExactlyZero() {
    int b = 2, n = 17, w = 33, h = 2;
    RandomTensors rnd = new RandomTensors(5201);
    float[] memory = rnd.gaussian(b * n * w, 1), keys = rnd.gaussian(b * h * w, 1);
    float[] strengths = new float[b * h];
    Arrays.fill(strengths, 1e30f);
    Tensor weights = filled(kernels, Float.NaN, b, h, n);
    kernels.contentWeights(upload(memory, b, n, w), upload(keys, b, h, w), upload(strengths, b, h), weights);
    float[] wt = weights.toArray();
    for (int row = 0; row < b * h; row++) {
      int hot = argMax(wt, row * n, n);
      for (int i = 0; i < n; i++) {
        org.junit.jupiter.api.Assertions.assertEquals(i == hot ? 1f : 0f, wt[row * n + i], "one-hot weights");
      }
    }
    ShapeCase c = new ShapeCase(b, n, w, h, 1, 0);
    Grads prefill = new Grads(rnd.gaussian(b * n * w, 1), rnd.gaussian(b * h * w, 1), rnd.gaussian(b * h, 1));
    Grads grads = backward(kernels, c, new Inputs(memory, keys, strengths, wt, rnd.gaussian(b * h * n, 1)), prefill);
    Compare.exact("gradMemory of a one-hot", prefill.memory(), grads.memory(), b, n, w);
    Compare.exact("gradKeys of a one-hot", prefill.keys(), grads.keys(), b, h, w);
    Compare.exact("gradStrengths of a one-hot", prefill.strengths(), grads.strengths(), b, h);
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS_CHECK)
  void contentWeightsBackwardMatchesReference(ShapeCase c) {
    assumeNotReference();
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    RandomTensors rnd = c.random("contentWeightsBackwardReference");
    float[] memory = rnd.memory(b, n, w), keys = rnd.keys(b * h, w), strengths = rnd.strengths(b * h);
    // the reference's forward weights, as a step would pass them
    Tensor weights = filled(reference(), Float.NaN, b, h, n);
    reference().contentWeights(upload(reference(), memory, b, n, w), upload(reference(), keys, b, h, w),
        upload(reference(), strengths, b, h), weights);
    float[] wt = weights.toArray(), g = rnd.gaussian(b * h * n, 1);
    int[][] shapes = {s(b, n, w), s(b, h, w), s(b, h), s(b, h, n), s(b, h, n), s(b, n, w), s(b, h, w), s(b, h)};
    float[][] data = {memory, keys, strengths, wt, g, new float[b * n * w], new float[b * h * w], new float[b * h]};
    String what = "contentWeightsBackward " + c;
    Results r = crossRun(what, shapes, data,
        (k, t) -> k.contentWeightsBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]), 5, 6, 7);
    Bounds bounds = bounds(memory, keys, strengths, wt, g, b, n, w, h);
    Compare.close(what + " gradMemory", r.expected()[5], r.actual()[5], bounds.memory(), b, n, w);
    Compare.close(what + " gradKeys", r.expected()[6], r.actual()[6], bounds.keys(), b, h, w);
    Compare.close(what + " gradStrengths", r.expected()[7], r.actual()[7], bounds.strengths(), b, h);
  }

  private record Bounds(double[] memory, double[] keys, double[] strengths) {}

  /** The class javadoc's bounds, from the inputs (norms, dz and a recomputed in double). */
  private static Bounds bounds(float[] memory, float[] keys, float[] strengths, float[] weights, float[] grad, int b,
      int n, int w, int h) {
    double[] bm = new double[b * n * w], bk = new double[b * h * w], bs = new double[b * h];
    double[] rowNorm = new double[n], a = new double[h * n], keyNorm = new double[h];
    for (int bb = 0; bb < b; bb++) {
      for (int i = 0; i < n; i++) {
        rowNorm[i] = norm(memory, (bb * n + i) * w, w);
      }
      for (int hh = 0; hh < h; hh++) {
        int bh = bb * h + hh;
        keyNorm[hh] = norm(keys, bh * w, w);
        double weighted = 0, dzSum = 0;
        for (int i = 0; i < n; i++) {
          weighted += (double) weights[bh * n + i] * grad[bh * n + i];
        }
        for (int i = 0; i < n; i++) {
          double dz = weights[bh * n + i] * (grad[bh * n + i] - weighted);
          dzSum += Math.abs(dz);
          a[hh * n + i] = Math.abs(strengths[bh] * dz / (keyNorm[hh] * rowNorm[i] + EPSILON));
        }
        bs[bh] = C * U * (2.0 * w + 10) * dzSum + Tolerances.TINY;
        for (int j = 0; j < w; j++) {
          double mag = 0;
          double kj = Math.abs(keys[bh * w + j]) / keyNorm[hh];
          for (int i = 0; i < n; i++) {
            mag += a[hh * n + i] * (Math.abs(memory[(bb * n + i) * w + j]) + rowNorm[i] * kj);
          }
          bk[bh * w + j] = C * U * (n + 4.0 * w + 16) * mag + Tolerances.TINY;
        }
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < w; j++) {
          int x = (bb * n + i) * w + j;
          double mj = Math.abs(memory[x]) / rowNorm[i], mag = 0;
          for (int hh = 0; hh < h; hh++) {
            mag += a[hh * n + i] * (Math.abs(keys[(bb * h + hh) * w + j]) + keyNorm[hh] * mj);
          }
          bm[x] = C * U * (4.0 * w + h + 16) * mag + Tolerances.TINY;
        }
      }
    }
    return new Bounds(bm, bk, bs);
  }

  private static double norm(float[] x, int base, int length) {
    double s = 0;
    for (int j = 0; j < length; j++) {
      s += (double) x[base + j] * x[base + j];
    }
    return Math.sqrt(s + EPSILON);
  }

  static float[] toFloat(double[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) x[i];
    }
    return out;
  }
}
