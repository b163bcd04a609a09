package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance of {@code usageBackward} and {@code allocationBackward}: central differences of the double forwards
 * ({@link DoubleAllocation}), accumulation and the in-place usage gradient, finite gradients on degenerate inputs,
 * and the scalar reference.
 *
 * <p><b>Finite differences</b> use {@link GradientCheck}'s default bar. The allocation is differentiable only
 * where its sort cannot change, so its check uses usages whose remapped values ũ are at least {@link #GAP} apart
 * for every head (the usage copies after the between-head updates included), 500 times the largest difference
 * step. At ties the backward is the gradient with the forward's order held constant (lower index first): that is
 * checked against central differences of the forward with every head's order fixed
 * ({@link DoubleAllocation#allocationInOrder}), on tied usages, zeros and ones.
 *
 * <p><b>Cross-check bounds</b> (u = 2⁻²⁴, c = {@link Tolerances#SAFETY}), for a backend whose factors are in
 * float32 and, for the allocation, whose recomputed forward (usage copies, ũ, order) is the forward's, in double
 * as the contract has it:
 * <ul>
 *   <li><b>usage</b>: every gradient is g times a product of factors in [0, 1] (1 − w^w: one rounding; 1 − f w^r:
 *       two; u + (1 − u) ŵ with ŵ from Wh heads: 2Wh + 3). A product of k factors in [0,1] with absolute errors
 *       δ_i is within Σ δ_i + k·u, so each of u, w^w and w^r's gradients is within
 *       {@code c·u·(3(Wh + R) + 6)·|g|}; a free gate's sums N such terms, adding N·u of their magnitude:
 *       {@code c·u·(N + 3(Wh + R) + 6)·Σ_i |g_i w^r_r[i]|}.
 *   <li><b>allocation</b>: for head h the suffix S_j is a recurrence of N − j steps of about 5 roundings on
 *       magnitudes T_j = Σ_{k>j} |g_k| Π_{j<i<k} ũ_i (T_{j−1} = |g_j| + ũ_j T_j), the prefix P_j a product of j
 *       rounded factors (2N·u), so {@code |Δdũ_j| ≤ (7N + 8)·u·P_j (|g_j| + T_j)}. That error reaches the heads
 *       before it through g_{h−1} by the same linear map, so the errors of Wh heads add: with D the magnitude
 *       propagated like du (D^(Wh+1) = 0, G_h = |gradOut_h| + s_h D^(h+1), D^(h) = D^(h+1) + P (G_h + T)),
 *       {@code gradUsage: c·u·Wh·(7N + 8)·D^(1) + TINY}, and a gate's sum of N terms
 *       {@code c·u·(N + 4 + Wh·(7N + 8))·g·Σ_i D^(h+1)[i] a_h[i] + TINY} (g the other gate). The last head's
 *       gates never reach the output: D^(Wh+1) = 0 makes their bound TINY, and they are checked to be exactly
 *       unchanged. Heads after the first are cross-checked on pairwise distinct usages only, as the forward is
 *       (precision.md, ties): with tied usages their order after the between-head update depends on the
 *       precision of the usage copy, and a different order changes the gradient by O(1).
 * </ul>
 */
public abstract class AllocationGradientConformance extends ConformanceBase {
  private static final double EPS = DncKernels.EPSILON;
  private static final double U = Tolerances.UNIT_ROUNDOFF;
  private static final double C = Tolerances.SAFETY;
  private static final double TINY = Tolerances.TINY;
  /** Smallest distance between two remapped usages of one head in the finite-difference data. */
  private static final double GAP = 5e-4;
  private static final String CASES = "org.dnckernels.testing.AllocationGradientConformance#";

  // =========================================================================================================
  // cases

  /** N = 1, 3, 7, 17, 33, three seeds each, with B, Wh and R of 1 to 3 cycling. */
  public static List<ShapeCase> finiteDifferenceCases() {
    int[] sizes = {1, 3, 7, 17, 33};
    List<ShapeCase> out = new ArrayList<>();
    for (int seed = 0; seed < 3; seed++) {
      for (int i = 0; i < sizes.length; i++) {
        int k = i + seed;
        out.add(new ShapeCase(1 + k % 3, sizes[i], 1, 1 + (k + 1) % 3, 1 + (i + 2 * seed) % 3,
            5000 + 53L * i + seed));
      }
    }
    return out;
  }

  /**
   * Sizes with vector tails (1 to 1000), B from 1 to 9 (what a split over threads cuts into uneven slices), Wh
   * of 1 to 3 and R of 1 to 5, two passes.
   */
  public static List<ShapeCase> crossCheckCases() {
    int[] sizes = {1, 3, 7, 15, 16, 17, 31, 33, 63, 65, 100, 257, 1000};
    List<ShapeCase> out = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < sizes.length; i++) {
        int k = i + 5 * pass;
        out.add(new ShapeCase(1 + (k * 4) % 9, sizes[i], 1, 1 + (k + pass) % 5, 1 + (k + i / 3) % 3,
            6000 + 59L * i + pass));
      }
    }
    return out;
  }

  // =========================================================================================================
  // finite differences

  @ParameterizedTest(name = "{0}")
  @MethodSource(CASES + "finiteDifferenceCases")
  void usageBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    RandomTensors rnd = c.random("usageBackwardFd");
    // inside the unit cube: a full write, a full free, a closed free gate or an unread head would make a whole
    // small tensor's gradient 0 or tiny next to the loss, below what differences in double resolve (zeros and
    // ones are the degenerate-input test's)
    float[][] x = {rnd.uniform(b * n, 0, 1), scaled(rnd.subWeightings(b * wh, n), 0.9f),
        rnd.uniform(b * r, 0.05, 1), scaled(rnd.weightings(b * r, n), 0.9f)};
    float[] g = rnd.gaussian(b * n, 1);
    float[][] grads = usageBackward(x, g, b, n, wh, r, null);

    GradientCheck.Loss loss = in -> GradientCheck.project(g, DoubleAllocation.usage(in[0], in[1], in[2], in[3], b,
        n, wh, r));
    double[][] wide = GradientCheck.widen(x);
    String[] names = {"gradPrevUsage", "gradPrevWriteWeights", "gradFreeGates", "gradPrevReadWeights"};
    for (int k = 0; k < names.length; k++) {
      check("usageBackward " + names[k] + " " + c, grads[k], GradientCheck.numeric(loss, wide, k));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CASES + "finiteDifferenceCases")
  void allocationBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("allocationBackwardFd");
    float[] gw = rnd.gates(b * wh), ga = rnd.gates(b * wh);
    float[] usage = separatedUsage(rnd, gw, ga, b, n, wh);
    float[] g = rnd.gaussian(b * wh * n, 1);
    float[][] grads = allocationBackward(usage, gw, ga, g, b, n, wh, null);

    GradientCheck.Loss loss = in -> GradientCheck.project(g, DoubleAllocation.allocation(in[0], in[1], in[2], b,
        n, wh));
    checkAllocation("allocationBackward " + c, grads, loss, GradientCheck.widen(usage, gw, ga));
  }

  /**
   * At ties, zeros and ones (the suite's usual usage data) the gradient is that of the forward with its order
   * held: lower index first. For Wh = 2 head 0's gate product is closed, so head 1 meets the same exact ties,
   * which every backend orders alike.
   */
  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {1, 6, 17, 33, 100})
  void allocationBackwardAtTiesIsTheGradientInTheForwardsOrder(int n) {
    int b = 3;
    for (int wh = 1; wh <= 2; wh++) {
      RandomTensors rnd = new RandomTensors(7000 + 10L * n + wh);
      float[] usage = rnd.usage(b * n);
      // batch 0: all tied; batch 1: empty and full slots alternating
      Arrays.fill(usage, 0, n, 0.375f);
      for (int i = 0; i < n; i++) {
        usage[n + i] = i % 2;
      }
      float[] gw = rnd.gates(b * wh), ga = rnd.gates(b * wh);
      if (wh == 2) {
        for (int bi = 0; bi < b; bi++) {
          ga[bi * wh] = 0;
        }
      }
      float[] g = rnd.gaussian(b * wh * n, 1);
      float[][] grads = allocationBackward(usage, gw, ga, g, b, n, wh, null);

      double[][] wide = GradientCheck.widen(usage, gw, ga);
      int heads = wh;
      int[] orders = DoubleAllocation.orders(wide[0], wide[1], wide[2], b, n, wh);
      GradientCheck.Loss loss = in -> GradientCheck.project(g, DoubleAllocation.allocationInOrder(in[0], in[1],
          in[2], b, n, heads, orders));
      checkAllocation("allocationBackward at ties, N = " + n + ", Wh = " + wh, grads, loss, wide);
    }
  }

  private static float[] scaled(float[] x, float by) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= by;
    }
    return x;
  }

  private void checkAllocation(String what, float[][] grads, GradientCheck.Loss loss, double[][] wide) {
    String[] names = {"gradUsage", "gradWriteGates", "gradAllocationGates"};
    for (int k = 0; k < names.length; k++) {
      check(what + " " + names[k], grads[k], GradientCheck.numeric(loss, wide, k));
    }
  }

  private static void check(String what, float[] analytic, double[] numeric) {
    if (Boolean.getBoolean(Compare.REPORT_PROPERTY)) {
      System.out.printf("gradient check: %.3g of the bar, %s%n", barUsed(analytic, numeric), what);
    }
    GradientCheck.assertClose(what, analytic, numeric);
  }

  /** The largest |analytic − numeric| / bar of {@link GradientCheck#compare}'s default bar. */
  private static double barUsed(float[] analytic, double[] numeric) {
    double max = 0, worst = 0;
    for (double v : numeric) {
      max = Math.max(max, Math.abs(v));
    }
    for (int i = 0; i < analytic.length; i++) {
      double bar = GradientCheck.RTOL * (Math.abs(numeric[i]) + GradientCheck.FLOOR * max);
      double err = Math.abs(analytic[i] - numeric[i]);
      worst = Math.max(worst, bar > 0 ? err / bar : err > 0 ? Double.POSITIVE_INFINITY : 0);
    }
    return worst;
  }

  /**
   * Pairwise distinct grid usages whose remapped values are at least {@link #GAP} apart for every head, the
   * usage copies between heads included (drawn again until they are; the grid alone spaces them 1/1024 apart).
   */
  private static float[] separatedUsage(RandomTensors rnd, float[] gw, float[] ga, int b, int n, int wh) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      float[] usage = rnd.distinctUsage(b, n);
      double[] heads = DoubleAllocation.headUsages(GradientCheck.widen(usage), GradientCheck.widen(gw),
          GradientCheck.widen(ga), b, n, wh);
      if (minGap(heads, b * wh, n) >= GAP) {
        return usage;
      }
    }
    throw new AssertionError("no usages " + GAP + " apart for B=" + b + " N=" + n + " Wh=" + wh);
  }

  private static double minGap(double[] usages, int rows, int n) {
    double gap = Double.POSITIVE_INFINITY;
    double[] row = new double[n];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < n; i++) {
        row[i] = EPS + (1 - EPS) * usages[r * n + i];
      }
      Arrays.sort(row);
      for (int i = 1; i < n; i++) {
        gap = Math.min(gap, row[i] - row[i - 1]);
      }
    }
    return gap;
  }

  // =========================================================================================================
  // accumulation and the in-place usage gradient

  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {1, 17, 33})
  void usageBackwardAccumulatesAndOverwritesInPlace(int n) {
    int b = 3, wh = 2, r = 3;
    RandomTensors rnd = new RandomTensors(7100 + n);
    float[][] x = {rnd.usage(b * n), rnd.subWeightings(b * wh, n), rnd.gates(b * r), rnd.subWeightings(b * r, n)};
    float[] g = rnd.gaussian(b * n, 1);
    float[][] prefill = {rnd.gaussian(b * n, 1), rnd.gaussian(b * wh * n, 1), rnd.gaussian(b * r, 1),
        rnd.gaussian(b * r * n, 1)};
    float[][] alone = usageBackward(x, g, b, n, wh, r, null);
    float[][] added = usageBackward(x, g, b, n, wh, r, prefill);
    String[] names = {"gradPrevUsage", "gradPrevWriteWeights", "gradFreeGates", "gradPrevReadWeights"};
    for (int k = 0; k < names.length; k++) {
      assertAccumulated("usageBackward " + names[k] + ", N = " + n, prefill[k], alone[k], added[k]);
    }

    // gradPrevUsage = gradOut: ∂ℓ/∂out in, ∂ℓ/∂u out, the other gradients as out of place
    Tensor inOut = upload(g, b, n);
    Tensor gww = filled(kernels, 0f, b, wh, n), gf = filled(kernels, 0f, b, r), gwr = filled(kernels, 0f, b, r, n);
    kernels.usageBackward(upload(x[0], b, n), upload(x[1], b, wh, n), upload(x[2], b, r), upload(x[3], b, r, n),
        inOut, inOut, gww, gf, gwr);
    Compare.exact("usageBackward in place: gradPrevUsage", alone[0], inOut.toArray(), b, n);
    Compare.exact("usageBackward in place: gradPrevWriteWeights", alone[1], gww.toArray(), b, wh, n);
    Compare.exact("usageBackward in place: gradFreeGates", alone[2], gf.toArray(), b, r);
    Compare.exact("usageBackward in place: gradPrevReadWeights", alone[3], gwr.toArray(), b, r, n);
  }

  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {1, 17, 33})
  void allocationBackwardAccumulates(int n) {
    int b = 3;
    for (int wh = 1; wh <= 3; wh++) {
      RandomTensors rnd = new RandomTensors(7200 + 10L * n + wh);
      float[] usage = rnd.usage(b * n), gw = rnd.gates(b * wh), ga = rnd.gates(b * wh);
      float[] g = rnd.gaussian(b * wh * n, 1);
      float[][] prefill = {rnd.gaussian(b * n, 1), rnd.gaussian(b * wh, 1), rnd.gaussian(b * wh, 1)};
      float[][] alone = allocationBackward(usage, gw, ga, g, b, n, wh, null);
      float[][] added = allocationBackward(usage, gw, ga, g, b, n, wh, prefill);
      String[] names = {"gradUsage", "gradWriteGates", "gradAllocationGates"};
      for (int k = 0; k < names.length; k++) {
        assertAccumulated("allocationBackward " + names[k] + ", N = " + n + ", Wh = " + wh, prefill[k], alone[k],
            added[k]);
      }
      // the last head's gates never reach the output: exactly nothing added
      for (int bi = 0; bi < b; bi++) {
        int last = bi * wh + wh - 1;
        assertEquals(prefill[1][last], added[1][last], 0f, "gradWriteGates of the last head, batch " + bi);
        assertEquals(prefill[2][last], added[2][last], 0f, "gradAllocationGates of the last head, batch " + bi);
      }
    }
  }

  /**
   * {@code added = prefill + alone} up to the rounding of that addition (and of the gradient's last product if a
   * backend fuses it into the addition): {@code c·u·(|prefill| + |alone|)}.
   */
  private static void assertAccumulated(String what, float[] prefill, float[] alone, float[] added) {
    double[] bound = new double[prefill.length];
    float[] expected = new float[prefill.length];
    for (int k = 0; k < bound.length; k++) {
      expected[k] = prefill[k] + alone[k];
      bound[k] = C * U * (Math.abs(prefill[k]) + Math.abs(alone[k]));
    }
    Compare.close(what + ": prefill + gradient", expected, added, bound, added.length);
  }

  // =========================================================================================================
  // degenerate inputs

  /**
   * Zeros and ones everywhere: batch 0 all 0, batch 1 all 1 (every retention factor 0, every write full),
   * batch 2 mixed: slot 0 freed (f_0 = 1, w^r_0 = 1: ψ = 0 exactly), slot 1 fully written by head 0
   * (1 − ŵ = 0 exactly), the rest usages of 0 and 1. Every gradient finite; where a factor is exactly 0 the
   * gradients through it are exactly 0.
   */
  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {2, 17, 33, 100})
  void usageBackwardIsFiniteAtZerosAndOnes(int n) {
    int b = 3, wh = 2, r = 2;
    RandomTensors rnd = new RandomTensors(7300 + n);
    float[] u = new float[b * n], ww = new float[b * wh * n], f = new float[b * r], wr = new float[b * r * n];
    Arrays.fill(u, n, 2 * n, 1f);
    Arrays.fill(ww, wh * n, 2 * wh * n, 1f);
    Arrays.fill(f, r, 2 * r, 1f);
    Arrays.fill(wr, r * n, 2 * r * n, 1f);
    for (int i = 0; i < n; i++) {
      u[2 * n + i] = i % 3 == 0 ? 1f : 0f;
    }
    u[2 * n] = 0f;
    f[2 * r] = 1f;
    wr[2 * r * n] = 1f;
    f[2 * r + 1] = 0.5f;
    wr[(2 * r + 1) * n] = 0.5f;
    ww[2 * wh * n + 1] = 1f;
    float[] g = rnd.gaussian(b * n, 1);
    float[][] grads = usageBackward(new float[][] {u, ww, f, wr}, g, b, n, wh, r, null);
    Compare.finite("gradPrevUsage", grads[0], b, n);
    Compare.finite("gradPrevWriteWeights", grads[1], b, wh, n);
    Compare.finite("gradFreeGates", grads[2], b, r);
    Compare.finite("gradPrevReadWeights", grads[3], b, r, n);
    for (int i = 0; i < n; i++) {
      // batch 1: ψ = 0 and 1 − ŵ = 0 everywhere
      assertEquals(0f, grads[0][n + i], 0f, "batch 1: gradPrevUsage at " + i);
      for (int h = 0; h < wh; h++) {
        assertEquals(0f, grads[1][(wh + h) * n + i], 0f, "batch 1: gradPrevWriteWeights at " + h + ", " + i);
      }
    }
    assertEquals(0f, grads[0][2 * n], 0f, "freed slot: gradPrevUsage");
    assertEquals(0f, grads[0][2 * n + 1], 0f, "fully written slot: gradPrevUsage");
    for (int h = 0; h < wh; h++) {
      assertEquals(0f, grads[1][2 * wh * n + h * n], 0f, "freed slot: gradPrevWriteWeights of head " + h);
    }
    assertEquals(0f, grads[1][(2 * wh + 1) * n + 1], 0f, "fully written slot: the other head's gradient");
    // the read head that did not free slot 0 sees its retention factor: f_0 w^r_0 = 1 makes it 0
    assertEquals(0f, grads[3][(2 * r + 1) * n], 0f, "freed slot: the other read head's gradient");
  }

  /**
   * Usages all 0 (ties, products ε^j down to underflow), all 1, all equal, and 0/1/tied mixes; gates 0, 1 and
   * random; one to three heads: every gradient finite.
   */
  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {1, 6, 17, 33, 257, 1000})
  void allocationBackwardIsFiniteOnDegenerateInputs(int n) {
    int b = 6;
    for (int wh = 1; wh <= 3; wh++) {
      RandomTensors rnd = new RandomTensors(7400 + 10L * n + wh);
      float[] usage = new float[b * n];
      Arrays.fill(usage, n, 2 * n, 1f);
      Arrays.fill(usage, 2 * n, 3 * n, 0.5f);
      System.arraycopy(rnd.usage(3 * n), 0, usage, 3 * n, 3 * n);
      for (int i = 0; i < n; i++) {
        usage[3 * n + i] = i % 2;
      }
      float[] gw = new float[b * wh], ga = new float[b * wh];
      for (int k = 0; k < b * wh; k++) {
        int bi = k / wh;
        // rows 0–2: open gates; 3: closed; 4: mixed; 5: random
        gw[k] = bi < 3 ? 1f : bi == 3 ? 0f : bi == 4 ? k % 2 : (float) rnd.uniform();
        ga[k] = bi < 3 ? 1f : bi == 3 ? 0f : bi == 4 ? 1f : (float) rnd.uniform();
      }
      float[] g = rnd.gaussian(b * wh * n, 1);
      float[][] grads = allocationBackward(usage, gw, ga, g, b, n, wh, null);
      String what = "allocationBackward, N = " + n + ", Wh = " + wh + ": ";
      Compare.finite(what + "gradUsage", grads[0], b, n);
      Compare.finite(what + "gradWriteGates", grads[1], b, wh);
      Compare.finite(what + "gradAllocationGates", grads[2], b, wh);
    }
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(CASES + "crossCheckCases")
  void usageBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    RandomTensors rnd = c.random("usageBackward");
    float[] u = rnd.usage(b * n), ww = rnd.subWeightings(b * wh, n), f = rnd.gates(b * r),
        wr = rnd.subWeightings(b * r, n), g = rnd.gaussian(b * n, 1);
    Results res = crossRun("usageBackward " + c,
        new int[][] {s(b, n), s(b, wh, n), s(b, r), s(b, r, n), s(b, n), s(b, n), s(b, wh, n), s(b, r), s(b, r, n)},
        new float[][] {u, ww, f, wr, g, new float[b * n], new float[b * wh * n], new float[b * r],
            new float[b * r * n]},
        (k, t) -> k.usageBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]), 5, 6, 7, 8);
    double perSlot = C * U * (3.0 * (wh + r) + 6);
    double[] slotBound = new double[b * n], writeBound = new double[b * wh * n], readBound = new double[b * r * n];
    double[] freeBound = new double[b * r];
    for (int bi = 0; bi < b; bi++) {
      for (int i = 0; i < n; i++) {
        double gi = Math.abs(g[bi * n + i]);
        slotBound[bi * n + i] = perSlot * gi + TINY;
        for (int h = 0; h < wh; h++) {
          writeBound[(bi * wh + h) * n + i] = perSlot * gi + TINY;
        }
        for (int k = 0; k < r; k++) {
          readBound[(bi * r + k) * n + i] = perSlot * gi + TINY;
          freeBound[bi * r + k] += gi * wr[(bi * r + k) * n + i];
        }
      }
    }
    for (int k = 0; k < freeBound.length; k++) {
      freeBound[k] = C * U * (n + 3.0 * (wh + r) + 6) * freeBound[k] + TINY;
    }
    float[][] e = res.expected(), a = res.actual();
    Compare.close("usageBackward gradPrevUsage " + c, e[5], a[5], slotBound, b, n);
    Compare.close("usageBackward gradPrevWriteWeights " + c, e[6], a[6], writeBound, b, wh, n);
    Compare.close("usageBackward gradFreeGates " + c, e[7], a[7], freeBound, b, r);
    Compare.close("usageBackward gradPrevReadWeights " + c, e[8], a[8], readBound, b, r, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CASES + "crossCheckCases")
  void allocationBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("allocationBackward");
    // ties only for one head (the class javadoc)
    float[] usage = wh == 1 ? rnd.usage(b * n) : rnd.distinctUsage(b, n);
    float[] gw = rnd.gates(b * wh), ga = rnd.gates(b * wh), g = rnd.gaussian(b * wh * n, 1);
    Results res = crossRun("allocationBackward " + c,
        new int[][] {s(b, n), s(b, wh), s(b, wh), s(b, wh, n), s(b, n), s(b, wh), s(b, wh)},
        new float[][] {usage, gw, ga, g, new float[b * n], new float[b * wh], new float[b * wh]},
        (k, t) -> k.allocationBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6]), 4, 5, 6);
    double[][] bounds = allocationBounds(usage, gw, ga, g, b, n, wh);
    float[][] e = res.expected(), a = res.actual();
    Compare.close("allocationBackward gradUsage " + c, e[4], a[4], bounds[0], b, n);
    Compare.close("allocationBackward gradWriteGates " + c, e[5], a[5], bounds[1], b, wh);
    Compare.close("allocationBackward gradAllocationGates " + c, e[6], a[6], bounds[2], b, wh);
    for (int bi = 0; bi < b; bi++) {
      int last = bi * wh + wh - 1;
      assertEquals(0f, a[5][last], 0f, "gradWriteGates of the last head, batch " + bi);
      assertEquals(0f, a[6][last], 0f, "gradAllocationGates of the last head, batch " + bi);
    }
  }

  /**
   * The class javadoc's bounds for gradUsage, gradWriteGates and gradAllocationGates: the magnitudes D, G, T
   * propagated over the reference's own forward (the double forward is the reference's, bit for bit).
   */
  private static double[][] allocationBounds(float[] usage, float[] gw, float[] ga, float[] g, int b, int n,
      int wh) {
    double[] u = GradientCheck.widen(usage), w = GradientCheck.widen(gw), a = GradientCheck.widen(ga);
    double[] weights = DoubleAllocation.allocation(u, w, a, b, n, wh);
    double[] heads = DoubleAllocation.headUsages(u, w, a, b, n, wh);
    int[] orders = DoubleAllocation.orders(u, w, a, b, n, wh);
    double k = 7.0 * n + 8;
    double[] usageBound = new double[b * n], writeBound = new double[b * wh], allocBound = new double[b * wh];
    double[] d = new double[n], grad = new double[n], suffix = new double[n];
    for (int bi = 0; bi < b; bi++) {
      Arrays.fill(d, 0);
      for (int h = wh - 1; h >= 0; h--) {
        int bh = bi * wh + h, row = bh * n;
        double gate = a[bh] * w[bh], gateMag = 0;
        for (int i = 0; i < n; i++) {
          grad[i] = Math.abs(g[row + i]) + gate * d[i];
          gateMag += d[i] * weights[row + i];
        }
        double gateCoefficient = C * U * (n + 4 + wh * k) * gateMag;
        writeBound[bh] = gateCoefficient * Math.abs(a[bh]) + TINY;
        allocBound[bh] = gateCoefficient * Math.abs(w[bh]) + TINY;
        double t = 0;
        for (int j = n - 1; j >= 0; j--) {
          int slot = orders[row + j];
          suffix[j] = t;
          t = grad[slot] + (EPS + (1 - EPS) * heads[row + slot]) * t;
        }
        double p = 1;
        for (int j = 0; j < n; j++) {
          int slot = orders[row + j];
          d[slot] += p * (grad[slot] + suffix[j]);
          p *= EPS + (1 - EPS) * heads[row + slot];
        }
      }
      for (int i = 0; i < n; i++) {
        usageBound[bi * n + i] = C * U * wh * k * d[i] + TINY;
      }
    }
    return new double[][] {usageBound, writeBound, allocBound};
  }

  // =========================================================================================================
  // calls

  /**
   * usageBackward on the backend under test: x = {u, w^w, f, w^r}; gradients start at {@code prefill} (null:
   * zeros). Returns {gradPrevUsage, gradPrevWriteWeights, gradFreeGates, gradPrevReadWeights}.
   */
  private float[][] usageBackward(float[][] x, float[] g, int b, int n, int wh, int r, float[][] prefill) {
    int[][] shapes = {s(b, n), s(b, wh, n), s(b, r), s(b, r, n)};
    Tensor[] grads = new Tensor[4];
    for (int k = 0; k < 4; k++) {
      grads[k] = prefill == null ? filled(kernels, 0f, shapes[k]) : upload(prefill[k], shapes[k]);
    }
    kernels.usageBackward(upload(x[0], shapes[0]), upload(x[1], shapes[1]), upload(x[2], shapes[2]),
        upload(x[3], shapes[3]), upload(g, b, n), grads[0], grads[1], grads[2], grads[3]);
    float[][] out = new float[4][];
    for (int k = 0; k < 4; k++) {
      out[k] = grads[k].toArray();
    }
    return out;
  }

  /** allocationBackward on the backend under test. Returns {gradUsage, gradWriteGates, gradAllocationGates}. */
  private float[][] allocationBackward(float[] usage, float[] gw, float[] ga, float[] g, int b, int n, int wh,
      float[][] prefill) {
    int[][] shapes = {s(b, n), s(b, wh), s(b, wh)};
    Tensor[] grads = new Tensor[3];
    for (int k = 0; k < 3; k++) {
      grads[k] = prefill == null ? filled(kernels, 0f, shapes[k]) : upload(prefill[k], shapes[k]);
    }
    Tensor u = upload(usage, b, n);
    kernels.allocationBackward(u, upload(gw, b, wh), upload(ga, b, wh), upload(g, b, wh, n), grads[0], grads[1],
        grads[2]);
    float[] after = u.toArray();
    if (!Arrays.equals(usage, after)) {
      fail("allocationBackward must not modify usage");
    }
    float[][] out = new float[3][];
    for (int k = 0; k < 3; k++) {
      out[k] = grads[k].toArray();
    }
    return out;
  }
}
