package org.dnckernels.testing;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@code precedenceBackward}, {@code linkUpdateBackward}, {@code forwardBackwardBackward} and the
 * fused {@code linkUpdateAndWeightingsBackward}: finite differences of {@link DoubleTemporalLinkage} with
 * {@link GradientCheck}'s default bar, accumulation and the in-place rule, degenerate weights, the exactly zero
 * diagonal of ∂ℓ/∂L_{t−1}, the fused backward against the two kernels in turn, and the reference.
 *
 * <p>Finite differences keep away from the forward's kinks: write weights and precedence are scaled to row sums
 * ≤ 0.9, so that {@code 1 − w_i − w_j ≥ 0.1} and {@code 1 − Σw ≥ 0.1} (the clamps at 0 are inactive) and
 * {@code (1 − Σw) p_i + w_i ≤ 0.99} (the clamp at 1 is inactive). The degenerate weights (rows summing to 1,
 * one-hot, zero) are tested for finite gradients.
 *
 * <p><b>The finite-difference bar.</b> The reference (double sums, each result rounded once) is held to
 * {@link GradientCheck}'s default bar. Another backend is held to that bar plus its own rounding bound, the
 * bound against the reference below: the default bar's absolute part, {@code RTOL·FLOOR·max = 1e-8·max}, is
 * below one float rounding of the tensor's largest element ({@code u·max ≈ 6e-8·max}), so an element that is a
 * cancelling sum of terms as large as the largest gradient cannot meet it when the sum is accumulated in float
 * (SIMD's ∂ℓ/∂w of the fused backward, B=2 N=17 R=1 Wh=2: 8.3e-8 off an element of 3.2e-3 whose bar was
 * 4.8e-8, largest gradient 1.6). The math itself is checked at the default bar on the reference; a float
 * backend's finite differences catch a wrong term larger than its rounding, and its cross-check holds it to the
 * same rounding bound element by element.
 *
 * <p><b>Bounds against the reference</b> (u = 2^-24, c = {@link Tolerances#SAFETY}; a float32 backend that
 * accumulates a sum of K products in float, in any order, is within (K + 1)·u·Σ|terms| of it, and the
 * reference is within u of the exact value; every bound adds {@link Tolerances#TINY}):
 *
 * <ul>
 *   <li>precedence: {@code gradW[i] = G_i − Σ_j G_j p_j}: {@code c·u·((N + 2)·Σ_j|G_j p_j| + |G_i|)};
 *       {@code G ← (1 − Σw) G}: {@code c·u·((N + 2)·Σ|w| + 2)·|G_i|}.
 *   <li>link update, with Γ_ij = |G_ij|: {@code gradLink[i,j] = (1 − w_i − w_j) G_ij}:
 *       {@code c·u·3·(1 + w_i + w_j)·Γ_ij}, the diagonal exactly 0; {@code gradW[i]}, 2(N − 1) products:
 *       {@code c·u·(2N + 2)·(Σ_{j≠i} Γ_ij (p_j + L_ij) + Σ_{j≠i} Γ_ji L_ji)}; {@code gradP[j]}, N − 1 products:
 *       {@code c·u·(N + 1)·Σ_{i≠j} Γ_ij w_i}.
 *   <li>forward/backward: {@code gradLink[h,i,j] += Σ_r (gf_ri x_rj + gb_rj x_ri)}, 2R products:
 *       {@code c·u·(2R + 2)·(|G_ij| + Σ_r (|gf_ri x_rj| + |gb_rj x_ri|))}; {@code gradX[r,j]}, 2·Wh·N products:
 *       {@code c·u·(2·Wh·N + 2)·Σ_h Σ_i (|L_hij gf_rhi| + |L_hji gb_rhi|)}.
 *   <li>fused: the link update's terms with Γ_ij = |G_ij| + Σ_r (|gf_ri x_rj| + |gb_rj x_ri|) (the magnitude of
 *       the gradient after the forward/backward part) and 2R + 2 more roundings each (that part's own), and
 *       gradX as in forward/backward on L_t, plus {@code Σ_h Σ_i (δL_hij |gf_rhi| + δL_hji |gb_rhi|)} for the
 *       rebuilt L_t's own error δL ({@link Tolerances#linkUpdate}).
 *   <li>fused against forwardBackwardBackward then linkUpdateBackward on one backend: both are within the fused
 *       bound of the exact result, so they are within twice that of each other. On the reference the two are
 *       the same bits (it rebuilds L_t with the forward's arithmetic and rounds in the same places).
 * </ul>
 */
public abstract class TemporalLinkageGradientConformance extends ConformanceBase {
  private static final String FD = "org.dnckernels.testing.TemporalLinkageGradientConformance#differenceCases";
  private static final String CROSS = "org.dnckernels.testing.TemporalLinkageGradientConformance#crossCases";
  private static final double C = Tolerances.SAFETY, U = Tolerances.UNIT_ROUNDOFF, TINY = Tolerances.TINY;
  private static final boolean REPORT = Boolean.getBoolean(Compare.REPORT_PROPERTY);

  /** Finite-difference cases: N and R with tails, B and Wh cycling, eight seeds (N ≤ 33: N⁴ work per case). */
  static List<ShapeCase> differenceCases() {
    return List.of(
        new ShapeCase(1, 1, 1, 1, 1, 5001),
        new ShapeCase(2, 3, 1, 2, 1, 5002),
        new ShapeCase(1, 7, 1, 3, 2, 5003),
        new ShapeCase(2, 17, 1, 1, 2, 5004),
        new ShapeCase(1, 33, 1, 2, 1, 5005),
        new ShapeCase(3, 7, 1, 2, 2, 5006),
        new ShapeCase(1, 17, 1, 4, 1, 5007),
        new ShapeCase(1, 33, 1, 1, 2, 5008));
  }

  /**
   * Cross-check cases: the forward's link cases but one of the two with N = 1000 (the suite's time goes on
   * them), then batches up to 9 (which a split backend runs by batch entries or by segments of rows) with tails
   * and up to three write heads.
   */
  static List<ShapeCase> crossCases() {
    List<ShapeCase> out = new ArrayList<>(ShapeCase.link().stream().filter(c -> c.seed() != 2903).toList());
    int[] sizes = {1, 5, 17, 33, 64, 65};
    int[] batches = {4, 5, 7, 9};
    for (int i = 0; i < 8; i++) {
      out.add(new ShapeCase(batches[i % 4], sizes[(i * 5 + 1) % sizes.length], 1, 1 + i % 5, 1 + i % 3,
          6000 + 53L * i));
    }
    return out;
  }

  /** {@link #crossCases} up to N = 257, for the comparison of a backend with itself. */
  static List<ShapeCase> composedCases() {
    return crossCases().stream().filter(c -> c.slots() <= 257).toList();
  }

  /** {@link ShapeCase#general} up to N = 257: finite differences of precedence cost (B·Wh·N)². */
  static List<ShapeCase> precedenceCases() {
    return ShapeCase.general().stream().filter(c -> c.slots() <= 257).toList();
  }

  /** The inputs of one link case; weightings scaled to row sums ≤ 0.9 when {@code smooth}. */
  private record LinkData(float[] link, float[] precedence, float[] write, float[] reads, float[] gradLink,
      float[] gradForward, float[] gradBackward) {
    static LinkData of(ShapeCase c, String kernel, boolean smooth) {
      int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
      RandomTensors rnd = c.random(kernel);
      float[] link = rnd.link(b, wh, n), p = rnd.subWeightings(b * wh, n), w = rnd.subWeightings(b * wh, n);
      float[] x = rnd.subWeightings(b * r, n);
      if (smooth) {
        scale(p, 0.9f);
        scale(w, 0.9f);
      }
      return new LinkData(link, p, w, x, rnd.gaussian(b * wh * n * n, 1), rnd.gaussian(b * r * wh * n, 1),
          rnd.gaussian(b * r * wh * n, 1));
    }
  }

  private static void scale(float[] x, float s) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= s;
    }
  }

  // =========================================================================================================
  // finite differences

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.TemporalLinkageGradientConformance#precedenceCases")
  void precedenceBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("precedenceBackward");
    float[] p = rnd.subWeightings(b * wh, n), w = rnd.subWeightings(b * wh, n), g = rnd.gaussian(b * wh * n, 1);
    scale(p, 0.9f);
    scale(w, 0.9f);
    Tensor gradP = upload(g, b, wh, n), gradW = filled(kernels, 0f, b, wh, n);
    kernels.precedenceBackward(upload(p, b, wh, n), upload(w, b, wh, n), gradP, gradW);
    GradientCheck.Loss loss = in -> GradientCheck.project(g, DoubleTemporalLinkage.precedence(in[0], in[1], b, wh, n));
    double[][] in = GradientCheck.widen(p, w);
    double[][] bound = precedenceBounds(p, w, g, b * wh, n);
    assertDifferences("∂/∂p_{t−1} " + c, gradP.toArray(), GradientCheck.numeric(loss, in, 0), bound[0]);
    assertDifferences("∂/∂w " + c, gradW.toArray(), GradientCheck.numeric(loss, in, 1), bound[1]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(FD)
  void linkUpdateBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    LinkData d = LinkData.of(c, "linkUpdateBackward", true);
    Tensor gradLink = upload(d.gradLink(), b, wh, n, n);
    Tensor gradP = filled(kernels, 0f, b, wh, n), gradW = filled(kernels, 0f, b, wh, n);
    kernels.linkUpdateBackward(upload(d.link(), b, wh, n, n), upload(d.precedence(), b, wh, n),
        upload(d.write(), b, wh, n), gradLink, gradP, gradW);
    GradientCheck.Loss loss = in -> GradientCheck.project(d.gradLink(),
        DoubleTemporalLinkage.linkUpdate(in[0], in[1], in[2], b, wh, n));
    double[][] in = GradientCheck.widen(d.link(), d.precedence(), d.write());
    double[][] bound = linkUpdateBounds(d, b, wh, n, abs(d.gradLink()), 0);
    assertDifferences("∂/∂L_{t−1} " + c, gradLink.toArray(), GradientCheck.numeric(loss, in, 0), bound[0]);
    assertDifferences("∂/∂p_{t−1} " + c, gradP.toArray(), GradientCheck.numeric(loss, in, 1), bound[1]);
    assertDifferences("∂/∂w " + c, gradW.toArray(), GradientCheck.numeric(loss, in, 2), bound[2]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(FD)
  void forwardBackwardBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    LinkData d = LinkData.of(c, "forwardBackwardBackward", true);
    Tensor gradLink = filled(kernels, 0f, b, wh, n, n), gradX = filled(kernels, 0f, b, r, n);
    kernels.forwardBackwardBackward(upload(d.link(), b, wh, n, n), upload(d.reads(), b, r, n),
        upload(d.gradForward(), b, r, wh, n), upload(d.gradBackward(), b, r, wh, n), gradLink, gradX);
    GradientCheck.Loss loss = in -> {
      double[][] fb = DoubleTemporalLinkage.forwardBackward(in[0], in[1], b, wh, n, r);
      return GradientCheck.project(d.gradForward(), fb[0]) + GradientCheck.project(d.gradBackward(), fb[1]);
    };
    double[][] in = GradientCheck.widen(d.link(), d.reads());
    double[] outer = outerMagnitude(d, b, wh, n, r);
    for (int k = 0; k < outer.length; k++) {
      outer[k] *= C * U * (2.0 * r + 2);
    }
    assertDifferences("∂/∂L " + c, gradLink.toArray(), GradientCheck.numeric(loss, in, 0), outer);
    assertDifferences("∂/∂x " + c, gradX.toArray(), GradientCheck.numeric(loss, in, 1),
        readBounds(d, abs(d.link()), null, b, wh, n, r));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(FD)
  void fusedBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    LinkData d = LinkData.of(c, "linkUpdateAndWeightingsBackward", true);
    float[][] g = fused(d, c, null);
    GradientCheck.Loss loss = in -> {
      double[] updated = DoubleTemporalLinkage.linkUpdate(in[0], in[1], in[2], b, wh, n);
      double[][] fb = DoubleTemporalLinkage.forwardBackward(updated, in[3], b, wh, n, r);
      return GradientCheck.project(d.gradLink(), updated) + GradientCheck.project(d.gradForward(), fb[0])
          + GradientCheck.project(d.gradBackward(), fb[1]);
    };
    double[][] in = GradientCheck.widen(d.link(), d.precedence(), d.write(), d.reads());
    double[][] bound = fusedBounds(d, c);
    assertDifferences("∂/∂L_{t−1} " + c, g[0], GradientCheck.numeric(loss, in, 0), bound[0]);
    assertDifferences("∂/∂p_{t−1} " + c, g[1], GradientCheck.numeric(loss, in, 1), bound[1]);
    assertDifferences("∂/∂w " + c, g[2], GradientCheck.numeric(loss, in, 2), bound[2]);
    assertDifferences("∂/∂x " + c, g[3], GradientCheck.numeric(loss, in, 3), bound[3]);
  }

  /**
   * The reference against finite differences with {@link GradientCheck}'s default bar; another backend with
   * that bar plus its own rounding, {@code rounding} (the bound against the reference, see the class javadoc).
   */
  private void assertDifferences(String what, float[] analytic, double[] numeric, double[] rounding) {
    boolean reference = kernels.getClass() == reference().getClass();
    if (REPORT) {
      double max = 0, worstBar = 0, worstTotal = 0;
      for (double v : numeric) {
        max = Math.max(max, Math.abs(v));
      }
      for (int i = 0; i < analytic.length; i++) {
        double bar = GradientCheck.RTOL * (Math.abs(numeric[i]) + GradientCheck.FLOOR * max);
        double err = Math.abs(analytic[i] - numeric[i]);
        worstBar = Math.max(worstBar, bar > 0 ? err / bar : err > 0 ? Double.POSITIVE_INFINITY : 0);
        worstTotal = Math.max(worstTotal, err / (bar + (reference ? 0 : rounding[i]) + TINY));
      }
      System.out.printf("finite differences: %.3g of the default bar, %.3g of the bar used, %s%n", worstBar,
          worstTotal, what);
    }
    if (reference) {
      GradientCheck.assertClose(what, analytic, numeric);
      return;
    }
    double max = 0;
    for (double v : numeric) {
      max = Math.max(max, Math.abs(v));
    }
    for (int i = 0; i < analytic.length; i++) {
      double bound = GradientCheck.RTOL * (Math.abs(numeric[i]) + GradientCheck.FLOOR * max) + rounding[i];
      double err = Math.abs(analytic[i] - numeric[i]);
      if (!(err <= bound)) {
        org.junit.jupiter.api.Assertions.fail(what + ": element " + i + ": analytic " + analytic[i] + " vs numeric "
            + numeric[i] + " (error " + err + ", bound " + bound + " of which rounding " + rounding[i]
            + ", largest gradient " + max + ")");
      }
    }
  }

  // =========================================================================================================
  // calls on the backend under test

  /** The fused backward: {gradLink on exit, gradP, gradW, gradX}; gradP, gradW, gradX start from prefill (null: 0). */
  private float[][] fused(LinkData d, ShapeCase c, float[][] prefill) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    float[][] pre = prefill != null ? prefill : prefills(c, null, false);
    Tensor gradLink = upload(d.gradLink(), b, wh, n, n);
    Tensor gradP = upload(pre[0], b, wh, n), gradW = upload(pre[1], b, wh, n), gradX = upload(pre[2], b, r, n);
    kernels.linkUpdateAndWeightingsBackward(upload(d.link(), b, wh, n, n), upload(d.precedence(), b, wh, n),
        upload(d.write(), b, wh, n), upload(d.reads(), b, r, n), upload(d.gradForward(), b, r, wh, n),
        upload(d.gradBackward(), b, r, wh, n), gradLink, gradP, gradW, gradX);
    return new float[][] {gradLink.toArray(), gradP.toArray(), gradW.toArray(), gradX.toArray()};
  }

  /** forwardBackwardBackward on L_t (from the backend's linkUpdate), then linkUpdateBackward: as {@link #fused}. */
  private float[][] composed(LinkData d, ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    Tensor prevLink = upload(d.link(), b, wh, n, n), p = upload(d.precedence(), b, wh, n);
    Tensor w = upload(d.write(), b, wh, n), updated = upload(d.link(), b, wh, n, n);
    kernels.linkUpdate(updated, p, w);
    Tensor gradLink = upload(d.gradLink(), b, wh, n, n);
    Tensor gradP = filled(kernels, 0f, b, wh, n), gradW = filled(kernels, 0f, b, wh, n);
    Tensor gradX = filled(kernels, 0f, b, r, n);
    kernels.forwardBackwardBackward(updated, upload(d.reads(), b, r, n), upload(d.gradForward(), b, r, wh, n),
        upload(d.gradBackward(), b, r, wh, n), gradLink, gradX);
    kernels.linkUpdateBackward(prevLink, p, w, gradLink, gradP, gradW);
    return new float[][] {gradLink.toArray(), gradP.toArray(), gradW.toArray(), gradX.toArray()};
  }

  /** Random prefills of gradP, gradW [B,Wh,N] and gradX [B,R,N], or zeros. */
  private static float[][] prefills(ShapeCase c, String salt, boolean random) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    if (!random) {
      return new float[][] {new float[b * wh * n], new float[b * wh * n], new float[b * r * n]};
    }
    RandomTensors rnd = c.random(salt);
    return new float[][] {rnd.gaussian(b * wh * n, 1), rnd.gaussian(b * wh * n, 1), rnd.gaussian(b * r * n, 1)};
  }

  // =========================================================================================================
  // accumulation and the in-place rule

  static List<ShapeCase> accumulateCases() {
    return List.of(new ShapeCase(2, 17, 1, 3, 2, 7001), new ShapeCase(3, 33, 1, 2, 1, 7002),
        new ShapeCase(1, 5, 1, 1, 3, 7003));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.TemporalLinkageGradientConformance#accumulateCases")
  void gradientsAccumulateAndInPlaceGradientsAreReplaced(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    LinkData d = LinkData.of(c, "accumulate", false);
    float[][] pre = prefills(c, "accumulate prefill", true);
    float[] preLink = c.random("accumulate link prefill").gaussian(b * wh * n * n, 1);

    // precedence: gradW accumulates; gradPrecedence is replaced whatever gradW held
    float[] g = c.random("accumulate precedence").gaussian(b * wh * n, 1);
    float[][] fresh = precedence(d, c, g, new float[b * wh * n]);
    float[][] acc = precedence(d, c, g, pre[1]);
    Compare.exact("precedence: in-place gradient " + c, fresh[0], acc[0], b, wh, n);
    assertSum("precedence: gradWriteWeights " + c, pre[1], fresh[1], acc[1]);

    // link update: gradP, gradW accumulate; gradLink is replaced
    float[][] freshL = linkUpdate(d, c, new float[b * wh * n], new float[b * wh * n]);
    float[][] accL = linkUpdate(d, c, pre[0], pre[1]);
    Compare.exact("linkUpdate: in-place gradient " + c, freshL[0], accL[0], b, wh, n, n);
    assertSum("linkUpdate: gradPrevPrecedence " + c, pre[0], freshL[1], accL[1]);
    assertSum("linkUpdate: gradWriteWeights " + c, pre[1], freshL[2], accL[2]);

    // forward/backward: gradLink and gradX accumulate
    float[][] freshF = forwardBackward(d, c, new float[b * wh * n * n], new float[b * r * n]);
    float[][] accF = forwardBackward(d, c, preLink, pre[2]);
    assertSum("forwardBackward: gradLink " + c, preLink, freshF[0], accF[0]);
    assertSum("forwardBackward: gradPrevReadWeights " + c, pre[2], freshF[1], accF[1]);

    // fused: gradP, gradW, gradX accumulate; gradLink is replaced
    float[][] freshU = fused(d, c, null);
    float[][] accU = fused(d, c, pre);
    Compare.exact("fused: in-place gradient " + c, freshU[0], accU[0], b, wh, n, n);
    assertSum("fused: gradPrevPrecedence " + c, pre[0], freshU[1], accU[1]);
    assertSum("fused: gradWriteWeights " + c, pre[1], freshU[2], accU[2]);
    assertSum("fused: gradPrevReadWeights " + c, pre[2], freshU[3], accU[3]);
  }

  /** {gradPrecedence on exit, gradW} of precedenceBackward with gradW prefilled by {@code gradW}. */
  private float[][] precedence(LinkData d, ShapeCase c, float[] g, float[] gradW) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    Tensor gp = upload(g, b, wh, n), gw = upload(gradW, b, wh, n);
    kernels.precedenceBackward(upload(d.precedence(), b, wh, n), upload(d.write(), b, wh, n), gp, gw);
    return new float[][] {gp.toArray(), gw.toArray()};
  }

  private float[][] linkUpdate(LinkData d, ShapeCase c, float[] gradP, float[] gradW) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    Tensor gl = upload(d.gradLink(), b, wh, n, n), gp = upload(gradP, b, wh, n), gw = upload(gradW, b, wh, n);
    kernels.linkUpdateBackward(upload(d.link(), b, wh, n, n), upload(d.precedence(), b, wh, n),
        upload(d.write(), b, wh, n), gl, gp, gw);
    return new float[][] {gl.toArray(), gp.toArray(), gw.toArray()};
  }

  private float[][] forwardBackward(LinkData d, ShapeCase c, float[] gradLink, float[] gradX) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    Tensor gl = upload(gradLink, b, wh, n, n), gx = upload(gradX, b, r, n);
    kernels.forwardBackwardBackward(upload(d.link(), b, wh, n, n), upload(d.reads(), b, r, n),
        upload(d.gradForward(), b, r, wh, n), upload(d.gradBackward(), b, r, wh, n), gl, gx);
    return new float[][] {gl.toArray(), gx.toArray()};
  }

  /**
   * {@code actual = prefill + fresh}, where fresh is the gradient from a zero prefill: up to the rounding of
   * that one addition, {@code c·u·(|prefill| + |fresh|)} (a backend adds its result to the gradient once).
   */
  private static void assertSum(String what, float[] prefill, float[] fresh, float[] actual) {
    float[] expected = new float[prefill.length];
    double[] bound = new double[prefill.length];
    for (int i = 0; i < prefill.length; i++) {
      expected[i] = prefill[i] + fresh[i];
      bound[i] = C * U * (Math.abs(prefill[i]) + Math.abs(fresh[i])) + TINY;
    }
    Compare.close(what + " must be prefill + gradient", expected, actual, bound, prefill.length);
  }

  // =========================================================================================================
  // edge cases

  static List<ShapeCase> edgeCases() {
    return List.of(new ShapeCase(1, 1, 1, 1, 1, 8001), new ShapeCase(2, 3, 1, 2, 2, 8002),
        new ShapeCase(3, 17, 1, 3, 1, 8003), new ShapeCase(1, 33, 1, 1, 2, 8004), new ShapeCase(2, 65, 1, 2, 1, 8005));
  }

  /**
   * Write weights, precedence and read weights whose rows sum to exactly 1, are one-hot (a 1 and zeros: the keep
   * factor 1 − w_i − w_j is 0 for the written slot), or are zero; gradients of ±1e3 with a nonzero diagonal. Every
   * gradient is finite, and the diagonal of ∂ℓ/∂L_{t−1} is exactly 0.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.TemporalLinkageGradientConformance#edgeCases")
  void degenerateWeightsGiveFiniteGradientsAndAZeroDiagonal(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    RandomTensors rnd = c.random("edge");
    for (int kind = 0; kind < 3; kind++) {
      float[] w = degenerate(rnd, kind, b * wh, n), p = degenerate(rnd, (kind + 1) % 3, b * wh, n);
      float[] x = degenerate(rnd, (kind + 2) % 3, b * r, n);
      float[] gl = rnd.gaussian(b * wh * n * n, 1e3);
      for (int m = 0; m < b * wh; m++) {
        for (int i = 0; i < n; i++) {
          gl[(m * n + i) * n + i] = 1e3f + i; // nonzero on entry: must be dropped
        }
      }
      LinkData d = new LinkData(rnd.link(b, wh, n), p, w, x, gl, rnd.gaussian(b * r * wh * n, 1e3),
          rnd.gaussian(b * r * wh * n, 1e3));
      String what = " (weights " + new String[] {"summing to 1", "one-hot", "zero"}[kind] + ") " + c;
      float[][] pr = precedence(d, c, rnd.gaussian(b * wh * n, 1e3), new float[b * wh * n]);
      Compare.finite("precedence gradPrecedence" + what, pr[0], b, wh, n);
      Compare.finite("precedence gradWriteWeights" + what, pr[1], b, wh, n);
      float[][] lu = linkUpdate(d, c, new float[b * wh * n], new float[b * wh * n]);
      Compare.finite("linkUpdate gradLink" + what, lu[0], b, wh, n, n);
      assertZeroDiagonal(lu[0], b * wh, n, "linkUpdate gradLink" + what);
      Compare.finite("linkUpdate gradPrevPrecedence" + what, lu[1], b, wh, n);
      Compare.finite("linkUpdate gradWriteWeights" + what, lu[2], b, wh, n);
      float[][] fb = forwardBackward(d, c, new float[b * wh * n * n], new float[b * r * n]);
      Compare.finite("forwardBackward gradLink" + what, fb[0], b, wh, n, n);
      Compare.finite("forwardBackward gradPrevReadWeights" + what, fb[1], b, r, n);
      float[][] fu = fused(d, c, null);
      Compare.finite("fused gradLink" + what, fu[0], b, wh, n, n);
      assertZeroDiagonal(fu[0], b * wh, n, "fused gradLink" + what);
      Compare.finite("fused gradPrevPrecedence" + what, fu[1], b, wh, n);
      Compare.finite("fused gradWriteWeights" + what, fu[2], b, wh, n);
      Compare.finite("fused gradPrevReadWeights" + what, fu[3], b, r, n);
    }
  }

  /** Rows of weights: kind 0 sums to exactly 1 (dyadic values), 1 one-hot, 2 zero. */
  private static float[] degenerate(RandomTensors rnd, int kind, int rows, int n) {
    float[] out = new float[rows * n];
    for (int row = 0; row < rows; row++) {
      if (kind == 1) {
        out[row * n + rnd.nextInt(n)] = 1;
      } else if (kind == 0) {
        // halves: 1/2, 1/4, ..., the last slot takes the rest, so the float sum is exactly 1
        float left = 1;
        for (int i = 0; i < n - 1; i++) {
          out[row * n + i] = left / 2;
          left -= left / 2;
        }
        out[row * n + n - 1] = left;
      }
    }
    return out;
  }

  /**
   * The diagonal of ∂ℓ/∂L_t is ignored: a huge one on entry gives the same bits in every gradient as a zero one,
   * and the diagonal of ∂ℓ/∂L_{t−1} is exactly 0.
   */
  @Test
  void incomingLinkGradientDiagonalIsIgnored() {
    for (ShapeCase c : List.of(new ShapeCase(2, 16, 1, 2, 2, 8101), new ShapeCase(1, 67, 1, 3, 1, 8102))) {
      int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
      LinkData zero = LinkData.of(c, "diagonal", false);
      float[] gl = zero.gradLink().clone();
      for (int m = 0; m < b * wh; m++) {
        for (int i = 0; i < n; i++) {
          zero.gradLink()[(m * n + i) * n + i] = 0f;
          gl[(m * n + i) * n + i] = i % 2 == 0 ? 1e30f : -7f;
        }
      }
      LinkData huge = new LinkData(zero.link(), zero.precedence(), zero.write(), zero.reads(), gl,
          zero.gradForward(), zero.gradBackward());
      float[] pw = new float[b * wh * n];
      float[][] expected = linkUpdate(zero, c, pw, pw), actual = linkUpdate(huge, c, pw, pw);
      int[][] shapes = {s(b, wh, n, n), s(b, wh, n), s(b, wh, n), s(b, r, n)};
      for (int k = 0; k < 3; k++) {
        Compare.exact("linkUpdate, gradient " + k + " " + c, expected[k], actual[k], shapes[k]);
      }
      assertZeroDiagonal(actual[0], b * wh, n, "linkUpdate " + c);
      expected = fused(zero, c, null);
      actual = fused(huge, c, null);
      for (int k = 0; k < 4; k++) {
        Compare.exact("fused, gradient " + k + " " + c, expected[k], actual[k], shapes[k]);
      }
      assertZeroDiagonal(actual[0], b * wh, n, "fused " + c);
    }
  }

  // =========================================================================================================
  // the fused backward is the two backwards in turn

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.dnckernels.testing.TemporalLinkageGradientConformance#composedCases")
  void fusedBackwardEqualsForwardBackwardBackwardThenLinkUpdateBackward(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    LinkData d = LinkData.of(c, "fused vs composed", false);
    float[][] fused = fused(d, c, null), composed = composed(d, c);
    String[] names = {"gradLink", "gradPrevPrecedence", "gradWriteWeights", "gradPrevReadWeights"};
    int[][] shapes = {s(b, wh, n, n), s(b, wh, n), s(b, wh, n), s(b, r, n)};
    boolean reference = kernels.getClass() == reference().getClass();
    double[][] bounds = fusedBounds(d, c);
    for (int k = 0; k < 4; k++) {
      if (reference) {
        Compare.exact("fused vs composed, reference: " + names[k] + " " + c, composed[k], fused[k], shapes[k]);
      } else {
        double[] twice = bounds[k].clone();
        for (int i = 0; i < twice.length; i++) {
          twice[i] *= 2;
        }
        Compare.close("fused vs composed: " + names[k] + " " + c, composed[k], fused[k], twice, shapes[k]);
      }
    }
    assertZeroDiagonal(fused[0], b * wh, n, "fused " + c);
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(GENERAL)
  void precedenceBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("precedenceBackward cross");
    float[] p = rnd.subWeightings(b * wh, n), w = rnd.subWeightings(b * wh, n), g = rnd.gaussian(b * wh * n, 1);
    int[] shape = s(b, wh, n);
    Results res = crossRun("precedenceBackward " + c, new int[][] {shape, shape, shape, shape},
        new float[][] {p, w, g, new float[b * wh * n]}, (k, t) -> k.precedenceBackward(t[0], t[1], t[2], t[3]), 2, 3);
    double[][] bound = precedenceBounds(p, w, g, b * wh, n);
    Compare.close("precedenceBackward gradPrecedence " + c, res.expected()[2], res.actual()[2], bound[0], shape);
    Compare.close("precedenceBackward gradWriteWeights " + c, res.expected()[3], res.actual()[3], bound[1], shape);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS)
  void linkUpdateBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    LinkData d = LinkData.of(c, "linkUpdateBackward cross", false);
    int[] lShape = s(b, wh, n, n), pShape = s(b, wh, n);
    Results res = crossRun("linkUpdateBackward " + c, new int[][] {lShape, pShape, pShape, lShape, pShape, pShape},
        new float[][] {d.link(), d.precedence(), d.write(), d.gradLink(), new float[b * wh * n],
            new float[b * wh * n]}, (k, t) -> k.linkUpdateBackward(t[0], t[1], t[2], t[3], t[4], t[5]), 3, 4, 5);
    double[] mag = new double[d.gradLink().length];
    for (int k = 0; k < mag.length; k++) {
      mag[k] = Math.abs(d.gradLink()[k]);
    }
    double[][] bound = linkUpdateBounds(d, b, wh, n, mag, 0);
    Compare.close("linkUpdateBackward gradLink " + c, res.expected()[3], res.actual()[3], bound[0], lShape);
    assertZeroDiagonal(res.actual()[3], b * wh, n, "linkUpdateBackward gradLink " + c);
    Compare.close("linkUpdateBackward gradPrevPrecedence " + c, res.expected()[4], res.actual()[4], bound[1], pShape);
    Compare.close("linkUpdateBackward gradWriteWeights " + c, res.expected()[5], res.actual()[5], bound[2], pShape);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS)
  void forwardBackwardBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    LinkData d = LinkData.of(c, "forwardBackwardBackward cross", false);
    // gradLink starts from the random G: the accumulated case
    int[] lShape = s(b, wh, n, n), xShape = s(b, r, n), fShape = s(b, r, wh, n);
    Results res = crossRun("forwardBackwardBackward " + c, new int[][] {lShape, xShape, fShape, fShape, lShape,
        xShape}, new float[][] {d.link(), d.reads(), d.gradForward(), d.gradBackward(), d.gradLink(),
        new float[b * r * n]}, (k, t) -> k.forwardBackwardBackward(t[0], t[1], t[2], t[3], t[4], t[5]), 4, 5);
    double[] outer = outerMagnitude(d, b, wh, n, r);
    double[] boundL = new double[outer.length];
    for (int k = 0; k < boundL.length; k++) {
      boundL[k] = C * U * (2.0 * r + 2) * (outer[k] + Math.abs(d.gradLink()[k])) + TINY;
    }
    double[] boundX = readBounds(d, abs(d.link()), null, b, wh, n, r);
    Compare.close("forwardBackwardBackward gradLink " + c, res.expected()[4], res.actual()[4], boundL, lShape);
    Compare.close("forwardBackwardBackward gradPrevReadWeights " + c, res.expected()[5], res.actual()[5], boundX,
        xShape);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS)
  void fusedBackwardMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    LinkData d = LinkData.of(c, "fused cross", false);
    int[] lShape = s(b, wh, n, n), pShape = s(b, wh, n), xShape = s(b, r, n), fShape = s(b, r, wh, n);
    Results res = crossRun("linkUpdateAndWeightingsBackward " + c,
        new int[][] {lShape, pShape, pShape, xShape, fShape, fShape, lShape, pShape, pShape, xShape},
        new float[][] {d.link(), d.precedence(), d.write(), d.reads(), d.gradForward(), d.gradBackward(),
            d.gradLink(), new float[b * wh * n], new float[b * wh * n], new float[b * r * n]},
        (k, t) -> k.linkUpdateAndWeightingsBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9]),
        6, 7, 8, 9);
    double[][] bound = fusedBounds(d, c);
    String[] names = {"gradLink", "gradPrevPrecedence", "gradWriteWeights", "gradPrevReadWeights"};
    int[][] shapes = {lShape, pShape, pShape, xShape};
    for (int k = 0; k < 4; k++) {
      Compare.close("fused " + names[k] + " " + c, res.expected()[6 + k], res.actual()[6 + k], bound[k], shapes[k]);
    }
    assertZeroDiagonal(res.actual()[6], b * wh, n, "fused gradLink " + c);
  }

  // =========================================================================================================
  // bounds (see the class javadoc)

  private static double[] abs(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = Math.abs(x[i]);
    }
    return out;
  }

  /** {gradPrecedence, gradW} bounds of precedenceBackward. */
  private static double[][] precedenceBounds(float[] p, float[] w, float[] g, int rows, int n) {
    double[] boundG = new double[g.length], boundW = new double[g.length];
    for (int m = 0; m < rows; m++) {
      double mag = 0, written = 0;
      for (int i = 0; i < n; i++) {
        mag += Math.abs((double) g[m * n + i] * p[m * n + i]);
        written += Math.abs(w[m * n + i]);
      }
      for (int i = 0; i < n; i++) {
        double gi = Math.abs(g[m * n + i]);
        boundW[m * n + i] = C * U * ((n + 2.0) * mag + gi) + TINY;
        boundG[m * n + i] = C * U * ((n + 2.0) * written + 2) * gi + TINY;
      }
    }
    return new double[][] {boundG, boundW};
  }

  /** Σ_r (|gf_ri x_rj| + |gb_rj x_ri|) per link element [B,Wh,N,N]. */
  private static double[] outerMagnitude(LinkData d, int b, int wh, int n, int r) {
    double[] out = new double[b * wh * n * n];
    for (int bi = 0; bi < b; bi++) {
      for (int h = 0; h < wh; h++) {
        int l = (bi * wh + h) * n * n;
        for (int k = 0; k < r; k++) {
          int x = (bi * r + k) * n, f = ((bi * r + k) * wh + h) * n;
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
              out[l + i * n + j] += Math.abs((double) d.gradForward()[f + i] * d.reads()[x + j])
                  + Math.abs((double) d.gradBackward()[f + j] * d.reads()[x + i]);
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * {gradLink, gradP, gradW} bounds of the link update's backward for gradient magnitudes Γ = {@code mag}, with
   * {@code extra} roundings already in Γ's gradient.
   */
  private static double[][] linkUpdateBounds(LinkData d, int b, int wh, int n, double[] mag, int extra) {
    float[] l = d.link(), p = d.precedence(), w = d.write();
    double[] boundL = new double[b * wh * n * n], magP = new double[b * wh * n], magW = new double[b * wh * n];
    for (int m = 0; m < b * wh; m++) {
      for (int i = 0; i < n; i++) {
        double wi = Math.abs(w[m * n + i]);
        for (int j = 0; j < n; j++) {
          if (i == j) {
            continue; // exactly 0
          }
          int k = (m * n + i) * n + j;
          double wj = Math.abs(w[m * n + j]), lij = Math.abs(l[k]);
          boundL[k] = C * U * (3.0 + extra) * (1 + wi + wj) * mag[k] + TINY;
          magW[m * n + i] += mag[k] * (Math.abs(p[m * n + j]) + lij);
          magW[m * n + j] += mag[k] * lij;
          magP[m * n + j] += mag[k] * wi;
        }
      }
    }
    double[] boundP = new double[magP.length], boundW = new double[magW.length];
    for (int k = 0; k < magP.length; k++) {
      boundP[k] = C * U * (n + 1.0 + extra) * magP[k] + TINY;
      boundW[k] = C * U * (2.0 * n + 2 + extra) * magW[k] + TINY;
    }
    return new double[][] {boundL, boundP, boundW};
  }

  /**
   * gradX bounds [B,R,N] for link magnitudes {@code link} (|L| or |L_t|) and, for a rebuilt L_t, its own error
   * bound {@code linkBound} (null for an input link).
   */
  private static double[] readBounds(LinkData d, double[] link, double[] linkBound, int b, int wh, int n, int r) {
    double[] bound = new double[b * r * n];
    for (int bi = 0; bi < b; bi++) {
      for (int k = 0; k < r; k++) {
        double[] mag = new double[n], inherited = new double[n];
        for (int h = 0; h < wh; h++) {
          int l = (bi * wh + h) * n * n, f = ((bi * r + k) * wh + h) * n;
          for (int i = 0; i < n; i++) {
            double gf = Math.abs(d.gradForward()[f + i]), gb = Math.abs(d.gradBackward()[f + i]);
            for (int j = 0; j < n; j++) {
              // element (i,j) feeds gradX[j] through gf_i and gradX[i] through gb_j
              double gbj = Math.abs(d.gradBackward()[f + j]);
              mag[j] += link[l + i * n + j] * gf;
              mag[i] += link[l + i * n + j] * gbj;
              if (linkBound != null) {
                inherited[j] += linkBound[l + i * n + j] * gf;
                inherited[i] += linkBound[l + i * n + j] * gbj;
              }
            }
          }
        }
        for (int j = 0; j < n; j++) {
          bound[(bi * r + k) * n + j] = C * U * (2.0 * wh * n + 2) * mag[j] + inherited[j] + TINY;
        }
      }
    }
    return bound;
  }

  /** {gradLink, gradP, gradW, gradX} bounds of the fused backward (accumulated gradients from zero). */
  private static double[][] fusedBounds(LinkData d, ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads(), r = c.readHeads();
    double[] mag = outerMagnitude(d, b, wh, n, r);
    for (int k = 0; k < mag.length; k++) {
      mag[k] += Math.abs(d.gradLink()[k]);
    }
    double[][] link = linkUpdateBounds(d, b, wh, n, mag, 2 * r + 2);
    double[] updated = abs(toFloat(DoubleTemporalLinkage.linkUpdate(GradientCheck.widen(d.link()),
        GradientCheck.widen(d.precedence()), GradientCheck.widen(d.write()), b, wh, n)));
    double[] linkBound = Tolerances.linkUpdate(d.link(), d.precedence(), d.write(), b * wh, n);
    double[] x = readBounds(d, updated, linkBound, b, wh, n, r);
    return new double[][] {link[0], link[1], link[2], x};
  }

  private static float[] toFloat(double[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) x[i];
    }
    return out;
  }
}
