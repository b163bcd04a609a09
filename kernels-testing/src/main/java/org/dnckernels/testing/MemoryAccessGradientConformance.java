package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance of {@code eraseAndAddBackward}, {@code readBackward}, {@code readModeMixBackward} and
 * {@code writeWeightsBackward}: finite differences in double ({@link DoubleMemoryAccess}), accumulation and the
 * in-place rule, degenerate inputs, exact properties, and the scalar reference.
 *
 * <p><b>Finite differences.</b> Every differentiable input against {@link GradientCheck} central differences of
 * {@code ℓ = Σ g·out} with the default bar. The four forwards are affine in each single input element (erase/add
 * too: one w[h,i], e[h,j] or a[h,j] appears once in each product and sum), so a central difference has no
 * truncation error, only rounding. The loss is taken relative to its value at the unperturbed inputs
 * ({@code Σ g·(out − out₀)}): outputs a step does not touch cancel exactly, where a plain {@code Σ g·out} over
 * thousands of terms would add its own rounding (about 2⁻⁵³|ℓ|/h, up to 1e-7 here) to every difference. The
 * read-mode weightings are scaled by 0.9 there, to keep the forward's clamp at 1 out of reach.
 *
 * <p><b>The bar of a float backend.</b> The reference rounds each gradient once from double, so it is within u
 * of exact and is held to the plain bar ({@link GradientCheck#RTOL}, {@link GradientCheck#FLOOR}). A backend that
 * rounds products and sums in float cannot meet that bar where a sum cancels: a gradient whose terms are of
 * the tensor's largest size but that sums to below 1e-3 of it (a row of w·G with random signs) carries an error
 * of about u·Σ|terms| ≈ 6e-8·max, above the floor's 1e-8·max. Such a backend gets its bound against the
 * reference (below) added to the bar: the reference meets the bar, and the contract lets the backend be that far
 * from the reference. Off the cancelling elements the plain bar decides, since the bound is 1e-6 of Σ|terms|.
 *
 * <p><b>Against the reference.</b> The reference sums in double and rounds each result once; the accumulated
 * gradients start at zero, so adding them is exact. A float backend that rounds each product (with or without
 * FMA) and sums L terms in float lanes is within {@code L·u·Σ|terms|} of it (u = 2⁻²⁴, as in
 * {@link Tolerances}); each bound below is that, times c = {@link Tolerances#SAFETY}, plus
 * {@link Tolerances#TINY}:
 *
 * <ul>
 *   <li>erase/add, gradMemory = G·R: each factor {@code 1 − w e} is within u of exact (its two roundings are
 *       relative to w e and to the factor, which sum to 1), so a product of Wh of them, all in [0,1], is within
 *       (2Wh − 1)·u; the last multiply adds u: {@code c·u·(2Wh + 1)·|G|}. Relative to |G|, not to |G R|: a
 *       factor near 0 loses its relative accuracy in the subtraction.
 *   <li>gradAdd[h,j], a reduction over N: {@code c·u·(N + 2)·Σ_i |w G|}.
 *   <li>gradErase[h,j]: each term {@code w M R_¬h G} carries three roundings and R_¬h's 2(Wh − 1)·u, then a
 *       reduction over N: {@code c·u·(N + 2Wh + 2)·Σ_i |w M G|} (R_¬h ≤ 1).
 *   <li>gradWriteWeights[h,i]: terms {@code G (a − e M R_¬h)} of up to 2Wh + 3 roundings, a reduction over W:
 *       {@code c·u·(W + 2Wh + 4)·Σ_j |G| (|a| + |e M|)}.
 *   <li>read, gradMemory[i,j], a sum over R heads: {@code c·u·(R + 1)·Σ_h |w g|}; gradReadWeights[h,i], a
 *       reduction over W: {@code c·u·(W + 1)·Σ_j |M g|}.
 *   <li>read-mode mix, each mode's gradient a reduction over N: {@code c·u·(N + 1)·Σ_i |g x|}; each weighting's
 *       gradient one product: {@code c·u·|π g|}.
 *   <li>write weights, gradAllocation and gradContent: up to three products (the gate product, 1 − g^a, g):
 *       {@code c·u·3·|coefficient·g|}; gradWriteGates, five roundings per term and a reduction over N:
 *       {@code c·u·(N + 5)·Σ_i |g| (|a| + |c|)}; gradAllocationGates: {@code c·u·(N + 4)·|g^w|·Σ_i |g| (|a| + |c|)}.
 * </ul>
 *
 * Exact properties hold exactly on every backend: a slot no head writes passes G through unchanged, a full erase
 * (w = e = 1, one head) gives exactly 0, a zero gradOut leaves every accumulated gradient as it was.
 */
public abstract class MemoryAccessGradientConformance extends ConformanceBase {
  static final String FINITE_DIFFERENCE_CASES =
      "org.dnckernels.testing.MemoryAccessGradientConformance#finiteDifferenceCases";
  static final String CROSS_CASES = "org.dnckernels.testing.MemoryAccessGradientConformance#crossCases";
  static final String ACCUMULATE_CASES = "org.dnckernels.testing.MemoryAccessGradientConformance#accumulateCases";

  private static final double U = Tolerances.UNIT_ROUNDOFF;
  private static final double C = Tolerances.SAFETY;
  private static final double TINY = Tolerances.TINY;

  private static final Call ERASE_AND_ADD =
      (k, t) -> k.eraseAndAddBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
  private static final Call READ = (k, t) -> k.readBackward(t[0], t[1], t[2], t[3], t[4]);
  private static final Call READ_MODE_MIX =
      (k, t) -> k.readModeMixBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]);
  private static final Call WRITE_WEIGHTS =
      (k, t) -> k.writeWeightsBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]);

  /** Sizes with vector tails (1, 3, 7, 17, 33 for N and W), Wh = 1..3, R = 1..4, B = 1..3; seven seeds. */
  static List<ShapeCase> finiteDifferenceCases() {
    return List.of(
        new ShapeCase(1, 1, 1, 1, 1, 5001),
        new ShapeCase(2, 3, 7, 2, 2, 5002),
        new ShapeCase(1, 7, 17, 3, 3, 5003),
        new ShapeCase(2, 17, 3, 1, 1, 5004),
        new ShapeCase(1, 33, 33, 2, 2, 5005),
        new ShapeCase(3, 7, 1, 4, 3, 5006),
        new ShapeCase(1, 17, 33, 1, 2, 5007));
  }

  /** {@link ShapeCase#general()} and batches of 4 to 9 (split over threads) with up to three write heads. */
  static List<ShapeCase> crossCases() {
    List<ShapeCase> out = new ArrayList<>(ShapeCase.general());
    out.add(new ShapeCase(9, 17, 33, 2, 3, 5101));
    out.add(new ShapeCase(5, 65, 7, 4, 2, 5102));
    out.add(new ShapeCase(7, 3, 100, 1, 1, 5103));
    out.add(new ShapeCase(4, 33, 16, 3, 3, 5104));
    out.add(new ShapeCase(8, 1, 1, 2, 1, 5105));
    out.add(new ShapeCase(6, 100, 65, 1, 2, 5106));
    out.add(new ShapeCase(9, 31, 257, 4, 3, 5107));
    return out;
  }

  /** Batches of 2 and 3 (split over threads where the backend splits), tails, one to three write heads. */
  static List<ShapeCase> accumulateCases() {
    return List.of(new ShapeCase(2, 17, 33, 2, 1, 5201), new ShapeCase(3, 33, 7, 3, 2, 5202),
        new ShapeCase(2, 7, 17, 1, 3, 5203));
  }

  // =========================================================================================================
  // erase and add

  private static int[][] eraseAndAddShapes(int b, int n, int w, int wh) {
    return new int[][] {s(b, n, w), s(b, wh, n), s(b, wh, w), s(b, wh, w), s(b, n, w), s(b, wh, n), s(b, wh, w),
        s(b, wh, w)};
  }

  private static float[][] eraseAndAddData(float[] memory, float[] ww, float[] erase, float[] add, float[] g,
      float[] gradWriteWeights, float[] gradErase, float[] gradAdd) {
    return new float[][] {memory, ww, erase, add, g.clone(), gradWriteWeights.clone(), gradErase.clone(),
        gradAdd.clone()};
  }

  /** The backward on the backend (zero accumulators) against central differences of the double forward. */
  private float[][] checkEraseAndAdd(String what, float[] memory, float[] ww, float[] erase, float[] add, float[] g,
      int b, int n, int w, int wh) {
    float[][] out = run(kernels, eraseAndAddShapes(b, n, w, wh),
        eraseAndAddData(memory, ww, erase, add, g, new float[b * wh * n], new float[b * wh * w],
            new float[b * wh * w]), ERASE_AND_ADD);
    double[][] x = GradientCheck.widen(memory, ww, erase, add);
    GradientCheck.Loss loss = loss(g, v -> DoubleMemoryAccess.eraseAndAdd(v[0], v[1], v[2], v[3], b, n, w, wh), x);
    double[][] slack = isReference() ? new double[4][] : eraseAndAddBounds(memory, ww, erase, add, g, b, n, w, wh);
    assertGradient(what + ": gradMemory (∂ℓ/∂M_{t−1} on exit)", out[4], GradientCheck.numeric(loss, x, 0), slack[0]);
    assertGradient(what + ": gradWriteWeights", out[5], GradientCheck.numeric(loss, x, 1), slack[1]);
    assertGradient(what + ": gradErase", out[6], GradientCheck.numeric(loss, x, 2), slack[2]);
    assertGradient(what + ": gradAdd", out[7], GradientCheck.numeric(loss, x, 3), slack[3]);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(FINITE_DIFFERENCE_CASES)
  void eraseAndAddMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), wh = c.writeHeads();
    RandomTensors rnd = c.random("eraseAndAddBackward");
    checkEraseAndAdd("eraseAndAddBackward " + c, rnd.memory(b, n, w), rnd.subWeightings(b * wh, n),
        rnd.gates(b * wh * w), rnd.gaussian(b * wh * w, 1), rnd.gaussian(b * n * w, 1), b, n, w, wh);
  }

  /**
   * A full erase (w = 1 and e = 1 for head 0 on one slot) makes that head's factor exactly 0: R_¬h of the other
   * heads is then 0 there, and head 0's R_¬0 is the product of the others, which a quotient R / factor would
   * turn into 0/0. Finite, and equal to the finite differences, for Wh = 1..3.
   */
  @ParameterizedTest(name = "Wh={0}")
  @ValueSource(ints = {1, 2, 3})
  void fullEraseGivesTheProductOfTheOtherHeads(int wh) {
    int b = 2, n = 7, w = 17;
    RandomTensors rnd = new RandomTensors(5300 + wh);
    float[] memory = rnd.memory(b, n, w), ww = rnd.subWeightings(b * wh, n), erase = rnd.gates(b * wh * w);
    for (int bi = 0; bi < b; bi++) {
      // head 0 writes slot 2 alone, with weight 1, and erases everything
      Arrays.fill(ww, (bi * wh) * n, (bi * wh + 1) * n, 0f);
      ww[(bi * wh) * n + 2] = 1f;
      Arrays.fill(erase, (bi * wh) * w, (bi * wh + 1) * w, 1f);
      // the other heads write slot 2 too, partly
      for (int h = 1; h < wh; h++) {
        ww[(bi * wh + h) * n + 2] = 0.25f * h;
      }
    }
    float[][] out = checkEraseAndAdd("full erase, Wh=" + wh, memory, ww, erase, rnd.gaussian(b * wh * w, 1),
        rnd.gaussian(b * n * w, 1), b, n, w, wh);
    for (float[] grad : out) {
      Compare.finite("full erase, Wh=" + wh, grad);
    }
    if (wh == 1) {
      // the erased row forgets its old value: exactly nothing flows back to M_{t−1}
      for (int bi = 0; bi < b; bi++) {
        Compare.exact("full erase: gradMemory of the erased row", new float[w],
            Arrays.copyOfRange(out[4], (bi * n + 2) * w, (bi * n + 3) * w), 1, w);
      }
    }
  }

  /**
   * Add vectors of ±1e30 (the write gradient Σ_j G a is then about 1e31): finite; gradWriteWeights and gradAdd
   * equal the differences. gradMemory and gradErase do not depend on a, and a step of 1e-6 in M or e is lost in
   * an output of 1e30, so they are checked against the same call with ordinary add vectors, which must give the
   * same bits.
   */
  @Test
  void hugeAddVectorsGiveFiniteGradients() {
    int b = 2, n = 17, w = 33, wh = 2;
    RandomTensors rnd = new RandomTensors(5310);
    float[] memory = rnd.memory(b, n, w), ww = rnd.subWeightings(b * wh, n), erase = rnd.gates(b * wh * w),
        ordinary = rnd.gaussian(b * wh * w, 1), g = rnd.gaussian(b * n * w, 1);
    float[] add = new float[ordinary.length];
    for (int k = 0; k < add.length; k++) {
      add[k] = ordinary[k] < 0 ? -1e30f : 1e30f;
    }
    float[][] small = checkEraseAndAdd("ordinary add", memory, ww, erase, ordinary, g, b, n, w, wh);
    float[][] out = run(kernels, eraseAndAddShapes(b, n, w, wh), eraseAndAddData(memory, ww, erase, add, g,
        new float[b * wh * n], new float[b * wh * w], new float[b * wh * w]), ERASE_AND_ADD);
    for (float[] grad : out) {
      Compare.finite("huge add", grad);
    }
    double[][] x = GradientCheck.widen(memory, ww, erase, add);
    GradientCheck.Loss loss = loss(g, v -> DoubleMemoryAccess.eraseAndAdd(v[0], v[1], v[2], v[3], b, n, w, wh), x);
    double[][] slack = isReference() ? new double[4][] : eraseAndAddBounds(memory, ww, erase, add, g, b, n, w, wh);
    assertGradient("huge add: gradWriteWeights", out[5], GradientCheck.numeric(loss, x, 1), slack[1]);
    assertGradient("huge add: gradAdd", out[7], GradientCheck.numeric(loss, x, 3), slack[3]);
    Compare.exact("huge add: gradMemory does not depend on a", small[4], out[4], b, n, w);
    Compare.exact("huge add: gradErase does not depend on a", small[6], out[6], b, wh, w);
  }

  /**
   * Exact on every backend: a slot no head writes passes G through bit for bit (every factor is exactly 1) and
   * gets no gradient in gradAdd or gradErase; all-zero write weights give exactly zero gradAdd and gradErase.
   */
  @ParameterizedTest(name = "Wh={0}")
  @ValueSource(ints = {1, 2, 3})
  void unwrittenSlotsPassTheGradientThroughExactly(int wh) {
    int b = 3, n = 17, w = 33;
    RandomTensors rnd = new RandomTensors(5320 + wh);
    float[] memory = rnd.memory(b, n, w), ww = rnd.subWeightings(b * wh, n), g = rnd.gaussian(b * n * w, 1);
    // batch entry 1 writes nothing at all; slots 0 and 5 are written by no head anywhere
    Arrays.fill(ww, wh * n, 2 * wh * n, 0f);
    for (int bh = 0; bh < b * wh; bh++) {
      ww[bh * n] = 0f;
      ww[bh * n + 5] = 0f;
    }
    float[][] out = checkEraseAndAdd("unwritten slots, Wh=" + wh, memory, ww, rnd.gates(b * wh * w),
        rnd.gaussian(b * wh * w, 1), g, b, n, w, wh);
    for (int bi = 0; bi < b; bi++) {
      for (int i = 0; i < n; i++) {
        if (bi == 1 || i == 0 || i == 5) {
          int from = (bi * n + i) * w;
          Compare.exact("unwritten slot " + i + " of entry " + bi + ": gradMemory",
              Arrays.copyOfRange(g, from, from + w), Arrays.copyOfRange(out[4], from, from + w), 1, w);
        }
      }
    }
    float[] zero = new float[wh * w];
    Compare.exact("no writes: gradErase", zero, Arrays.copyOfRange(out[6], wh * w, 2 * wh * w), wh, w);
    Compare.exact("no writes: gradAdd", zero, Arrays.copyOfRange(out[7], wh * w, 2 * wh * w), wh, w);
  }

  /**
   * Accumulate: gradWriteWeights, gradErase and gradAdd pre-filled with random values end as prefill + the
   * gradient (within the rounding of that add, which a backend may fuse); gradMemory follows the in-place rule:
   * on exit it is ∂ℓ/∂M_{t−1} whatever the other gradients held.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource(ACCUMULATE_CASES)
  void eraseAndAddAccumulates(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), wh = c.writeHeads();
    RandomTensors rnd = c.random("eraseAndAddAccumulates");
    float[] memory = rnd.memory(b, n, w), ww = rnd.subWeightings(b * wh, n), erase = rnd.gates(b * wh * w),
        add = rnd.gaussian(b * wh * w, 1), g = rnd.gaussian(b * n * w, 1);
    float[] pw = rnd.gaussian(b * wh * n, 1), pe = rnd.gaussian(b * wh * w, 1), pa = rnd.gaussian(b * wh * w, 1);
    int[][] shapes = eraseAndAddShapes(b, n, w, wh);
    float[][] fresh = run(kernels, shapes, eraseAndAddData(memory, ww, erase, add, g, new float[pw.length],
        new float[pe.length], new float[pa.length]), ERASE_AND_ADD);
    float[][] onto = run(kernels, shapes, eraseAndAddData(memory, ww, erase, add, g, pw, pe, pa), ERASE_AND_ADD);
    String what = "eraseAndAddBackward " + c;
    Compare.exact(what + ": gradMemory is replaced, not accumulated", fresh[4], onto[4], b, n, w);
    assertAccumulated(what + ": gradWriteWeights", pw, fresh[5], onto[5], b, wh, n);
    assertAccumulated(what + ": gradErase", pe, fresh[6], onto[6], b, wh, w);
    assertAccumulated(what + ": gradAdd", pa, fresh[7], onto[7], b, wh, w);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS_CASES)
  void eraseAndAddMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), wh = c.writeHeads();
    RandomTensors rnd = c.random("eraseAndAddBackward");
    float[] memory = rnd.memory(b, n, w), ww = rnd.subWeightings(b * wh, n), erase = rnd.gates(b * wh * w),
        add = rnd.gaussian(b * wh * w, 1), g = rnd.gaussian(b * n * w, 1);
    String what = "eraseAndAddBackward " + c;
    Results r = crossRun(what, eraseAndAddShapes(b, n, w, wh), eraseAndAddData(memory, ww, erase, add, g,
        new float[b * wh * n], new float[b * wh * w], new float[b * wh * w]), ERASE_AND_ADD, 4, 5, 6, 7);
    double[][] bound = eraseAndAddBounds(memory, ww, erase, add, g, b, n, w, wh);
    Compare.close(what + ": gradMemory", r.expected()[4], r.actual()[4], bound[0], b, n, w);
    Compare.close(what + ": gradWriteWeights", r.expected()[5], r.actual()[5], bound[1], b, wh, n);
    Compare.close(what + ": gradErase", r.expected()[6], r.actual()[6], bound[2], b, wh, w);
    Compare.close(what + ": gradAdd", r.expected()[7], r.actual()[7], bound[3], b, wh, w);
  }

  /** The float backend's bounds against the reference: gradMemory, gradWriteWeights, gradErase, gradAdd. */
  static double[][] eraseAndAddBounds(float[] memory, float[] ww, float[] erase, float[] add, float[] g, int b, int n,
      int w, int wh) {
    double[] memoryBound = new double[b * n * w];
    for (int k = 0; k < memoryBound.length; k++) {
      memoryBound[k] = C * U * (2.0 * wh + 1) * Math.abs(g[k]) + TINY;
    }
    double[] wwBound = new double[b * wh * n], eraseBound = new double[b * wh * w], addBound = new double[b * wh * w];
    for (int bi = 0; bi < b; bi++) {
      for (int h = 0; h < wh; h++) {
        int bh = bi * wh + h;
        for (int i = 0; i < n; i++) {
          double mag = 0;
          for (int j = 0; j < w; j++) {
            int m = (bi * n + i) * w + j;
            mag += Math.abs(g[m]) * (Math.abs(add[bh * w + j]) + Math.abs((double) erase[bh * w + j] * memory[m]));
          }
          wwBound[bh * n + i] = C * U * (w + 2.0 * wh + 4) * mag + TINY;
        }
        for (int j = 0; j < w; j++) {
          double addMag = 0, eraseMag = 0;
          for (int i = 0; i < n; i++) {
            int m = (bi * n + i) * w + j;
            double wg = Math.abs((double) ww[bh * n + i] * g[m]);
            addMag += wg;
            eraseMag += wg * Math.abs(memory[m]);
          }
          addBound[bh * w + j] = C * U * (n + 2.0) * addMag + TINY;
          eraseBound[bh * w + j] = C * U * (n + 2.0 * wh + 2) * eraseMag + TINY;
        }
      }
    }
    return new double[][] {memoryBound, wwBound, eraseBound, addBound};
  }

  // =========================================================================================================
  // read

  private static int[][] readShapes(int b, int n, int w, int r) {
    return new int[][] {s(b, n, w), s(b, r, n), s(b, r, w), s(b, n, w), s(b, r, n)};
  }

  private float[][] checkRead(String what, float[] memory, float[] rw, float[] g, int b, int n, int w, int r) {
    float[][] out = run(kernels, readShapes(b, n, w, r),
        new float[][] {memory, rw, g, new float[b * n * w], new float[b * r * n]}, READ);
    double[][] x = GradientCheck.widen(memory, rw);
    GradientCheck.Loss loss = loss(g, v -> DoubleMemoryAccess.read(v[0], v[1], b, n, w, r), x);
    double[][] slack = isReference() ? new double[2][] : readBounds(memory, rw, g, b, n, w, r);
    assertGradient(what + ": gradMemory", out[3], GradientCheck.numeric(loss, x, 0), slack[0]);
    assertGradient(what + ": gradReadWeights", out[4], GradientCheck.numeric(loss, x, 1), slack[1]);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(FINITE_DIFFERENCE_CASES)
  void readMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), r = c.readHeads();
    RandomTensors rnd = c.random("readBackward");
    checkRead("readBackward " + c, rnd.memory(b, n, w), rnd.subWeightings(b * r, n), rnd.gaussian(b * r * w, 1),
        b, n, w, r);
  }

  /** Zero read weights and an all-zero memory: exactly zero gradients, and no NaN. */
  @Test
  void readOfNothingGivesZeroGradients() {
    int b = 2, n = 17, w = 33, r = 3;
    RandomTensors rnd = new RandomTensors(5330);
    float[][] out = checkRead("zero weights and memory", new float[b * n * w], new float[b * r * n],
        rnd.gaussian(b * r * w, 1), b, n, w, r);
    Compare.exact("zero read weights: gradMemory", new float[b * n * w], out[3], b, n, w);
    Compare.exact("zero memory: gradReadWeights", new float[b * r * n], out[4], b, r, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ACCUMULATE_CASES)
  void readAccumulates(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), r = c.readHeads();
    RandomTensors rnd = c.random("readAccumulates");
    float[] memory = rnd.memory(b, n, w), rw = rnd.subWeightings(b * r, n), g = rnd.gaussian(b * r * w, 1);
    float[] pm = rnd.gaussian(b * n * w, 1), pw = rnd.gaussian(b * r * n, 1);
    int[][] shapes = readShapes(b, n, w, r);
    float[][] fresh = run(kernels, shapes, new float[][] {memory, rw, g, new float[pm.length], new float[pw.length]},
        READ);
    float[][] onto = run(kernels, shapes, new float[][] {memory, rw, g, pm.clone(), pw.clone()}, READ);
    assertAccumulated("readBackward " + c + ": gradMemory", pm, fresh[3], onto[3], b, n, w);
    assertAccumulated("readBackward " + c + ": gradReadWeights", pw, fresh[4], onto[4], b, r, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS_CASES)
  void readMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), r = c.readHeads();
    RandomTensors rnd = c.random("readBackward");
    float[] memory = rnd.memory(b, n, w), rw = rnd.subWeightings(b * r, n), g = rnd.gaussian(b * r * w, 1);
    String what = "readBackward " + c;
    Results res = crossRun(what, readShapes(b, n, w, r),
        new float[][] {memory, rw, g, new float[b * n * w], new float[b * r * n]}, READ, 3, 4);
    double[][] bound = readBounds(memory, rw, g, b, n, w, r);
    Compare.close(what + ": gradMemory", res.expected()[3], res.actual()[3], bound[0], b, n, w);
    Compare.close(what + ": gradReadWeights", res.expected()[4], res.actual()[4], bound[1], b, r, n);
  }

  /** The float backend's bounds against the reference: gradMemory, gradReadWeights. */
  static double[][] readBounds(float[] memory, float[] rw, float[] g, int b, int n, int w, int r) {
    double[] memoryBound = new double[b * n * w], weightBound = new double[b * r * n];
    for (int bi = 0; bi < b; bi++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < w; j++) {
          double mag = 0;
          for (int h = 0; h < r; h++) {
            mag += Math.abs((double) rw[(bi * r + h) * n + i] * g[(bi * r + h) * w + j]);
          }
          memoryBound[(bi * n + i) * w + j] = C * U * (r + 1.0) * mag + TINY;
        }
        for (int h = 0; h < r; h++) {
          double mag = 0;
          for (int j = 0; j < w; j++) {
            mag += Math.abs((double) memory[(bi * n + i) * w + j] * g[(bi * r + h) * w + j]);
          }
          weightBound[(bi * r + h) * n + i] = C * U * (w + 1.0) * mag + TINY;
        }
      }
    }
    return new double[][] {memoryBound, weightBound};
  }

  // =========================================================================================================
  // read-mode mix

  private static int[][] readModeMixShapes(int b, int r, int wh, int n) {
    int m = 2 * wh + 1;
    return new int[][] {s(b, r, m), s(b, r, wh, n), s(b, r, n), s(b, r, wh, n), s(b, r, n), s(b, r, m),
        s(b, r, wh, n), s(b, r, n), s(b, r, wh, n)};
  }

  private static float[][] readModeMixData(float[] modes, float[] backward, float[] content, float[] forward,
      float[] g, float[] gradModes, float[] gradBackward, float[] gradContent, float[] gradForward) {
    return new float[][] {modes, backward, content, forward, g, gradModes.clone(), gradBackward.clone(),
        gradContent.clone(), gradForward.clone()};
  }

  private float[][] checkReadModeMix(String what, float[] modes, float[] backward, float[] content, float[] forward,
      float[] g, int b, int r, int wh, int n) {
    int m = 2 * wh + 1;
    float[][] out = run(kernels, readModeMixShapes(b, r, wh, n), readModeMixData(modes, backward, content, forward,
        g, new float[b * r * m], new float[b * r * wh * n], new float[b * r * n], new float[b * r * wh * n]),
        READ_MODE_MIX);
    double[][] x = GradientCheck.widen(modes, backward, content, forward);
    GradientCheck.Loss loss =
        loss(g, v -> DoubleMemoryAccess.readModeMix(v[0], v[1], v[2], v[3], b, r, wh, n), x);
    double[][] slack =
        isReference() ? new double[4][] : readModeMixBounds(modes, backward, content, forward, g, b, r, wh, n);
    assertGradient(what + ": gradModes", out[5], GradientCheck.numeric(loss, x, 0), slack[0]);
    assertGradient(what + ": gradBackward", out[6], GradientCheck.numeric(loss, x, 1), slack[1]);
    assertGradient(what + ": gradContent", out[7], GradientCheck.numeric(loss, x, 2), slack[2]);
    assertGradient(what + ": gradForward", out[8], GradientCheck.numeric(loss, x, 3), slack[3]);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(FINITE_DIFFERENCE_CASES)
  void readModeMixMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), r = c.readHeads(), wh = c.writeHeads();
    RandomTensors rnd = c.random("readModeMixBackward");
    // weightings scaled by 0.9: the mix stays below the forward's clamp at 1 under every step
    checkReadModeMix("readModeMixBackward " + c, rnd.readModes(b * r, 2 * wh + 1),
        scaled(rnd.subWeightings(b * r * wh, n), 0.9f), scaled(rnd.weightings(b * r, n), 0.9f),
        scaled(rnd.subWeightings(b * r * wh, n), 0.9f), rnd.gaussian(b * r * n, 1), b, r, wh, n);
  }

  /** One-hot modes, zero weightings and a zero gradOut row: finite, exact zeros where nothing flows. */
  @Test
  void readModeMixOfDegenerateInputsIsFinite() {
    int b = 2, r = 3, wh = 2, n = 17, m = 2 * wh + 1;
    RandomTensors rnd = new RandomTensors(5340);
    float[] modes = new float[b * r * m];
    for (int br = 0; br < b * r; br++) {
      modes[br * m + br % m] = 1f;
    }
    float[] g = rnd.gaussian(b * r * n, 1);
    Arrays.fill(g, 0, n, 0f);
    float[][] out = checkReadModeMix("degenerate modes", modes, new float[b * r * wh * n],
        scaled(rnd.weightings(b * r, n), 0.9f), new float[b * r * wh * n], g, b, r, wh, n);
    for (float[] grad : out) {
      Compare.finite("degenerate modes", grad);
    }
    // read head 0 of entry 0 has a zero gradient: nothing reaches its modes or weightings
    Compare.exact("zero gradOut row: gradModes", new float[m], Arrays.copyOfRange(out[5], 0, m), m);
    Compare.exact("zero gradOut row: gradBackward", new float[wh * n], Arrays.copyOfRange(out[6], 0, wh * n), wh, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ACCUMULATE_CASES)
  void readModeMixAccumulates(ShapeCase c) {
    int b = c.batch(), n = c.slots(), r = c.readHeads(), wh = c.writeHeads(), m = 2 * wh + 1;
    RandomTensors rnd = c.random("readModeMixAccumulates");
    float[] modes = rnd.readModes(b * r, m), backward = rnd.subWeightings(b * r * wh, n),
        content = rnd.weightings(b * r, n), forward = rnd.subWeightings(b * r * wh, n),
        g = rnd.gaussian(b * r * n, 1);
    float[] pm = rnd.gaussian(b * r * m, 1), pb = rnd.gaussian(b * r * wh * n, 1), pc = rnd.gaussian(b * r * n, 1),
        pf = rnd.gaussian(b * r * wh * n, 1);
    int[][] shapes = readModeMixShapes(b, r, wh, n);
    float[][] fresh = run(kernels, shapes, readModeMixData(modes, backward, content, forward, g,
        new float[pm.length], new float[pb.length], new float[pc.length], new float[pf.length]), READ_MODE_MIX);
    float[][] onto = run(kernels, shapes, readModeMixData(modes, backward, content, forward, g, pm, pb, pc, pf),
        READ_MODE_MIX);
    String what = "readModeMixBackward " + c;
    assertAccumulated(what + ": gradModes", pm, fresh[5], onto[5], b, r, m);
    assertAccumulated(what + ": gradBackward", pb, fresh[6], onto[6], b, r, wh, n);
    assertAccumulated(what + ": gradContent", pc, fresh[7], onto[7], b, r, n);
    assertAccumulated(what + ": gradForward", pf, fresh[8], onto[8], b, r, wh, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS_CASES)
  void readModeMixMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), r = c.readHeads(), wh = c.writeHeads(), m = 2 * wh + 1;
    RandomTensors rnd = c.random("readModeMixBackward");
    float[] modes = rnd.readModes(b * r, m), backward = rnd.subWeightings(b * r * wh, n),
        content = rnd.weightings(b * r, n), forward = rnd.subWeightings(b * r * wh, n),
        g = rnd.gaussian(b * r * n, 1);
    String what = "readModeMixBackward " + c;
    Results res = crossRun(what, readModeMixShapes(b, r, wh, n), readModeMixData(modes, backward, content, forward,
        g, new float[b * r * m], new float[b * r * wh * n], new float[b * r * n], new float[b * r * wh * n]),
        READ_MODE_MIX, 5, 6, 7, 8);
    double[][] bound = readModeMixBounds(modes, backward, content, forward, g, b, r, wh, n);
    Compare.close(what + ": gradModes", res.expected()[5], res.actual()[5], bound[0], b, r, m);
    Compare.close(what + ": gradBackward", res.expected()[6], res.actual()[6], bound[1], b, r, wh, n);
    Compare.close(what + ": gradContent", res.expected()[7], res.actual()[7], bound[2], b, r, n);
    Compare.close(what + ": gradForward", res.expected()[8], res.actual()[8], bound[3], b, r, wh, n);
  }

  /** The float backend's bounds against the reference: gradModes, gradBackward, gradContent, gradForward. */
  static double[][] readModeMixBounds(float[] modes, float[] backward, float[] content, float[] forward, float[] g,
      int b, int r, int wh, int n) {
    int m = 2 * wh + 1;
    double[] modeBound = new double[b * r * m], backwardBound = new double[b * r * wh * n],
        contentBound = new double[b * r * n], forwardBound = new double[b * r * wh * n];
    for (int br = 0; br < b * r; br++) {
      double contentMag = 0;
      for (int i = 0; i < n; i++) {
        double gi = Math.abs(g[br * n + i]);
        contentMag += gi * Math.abs(content[br * n + i]);
        contentBound[br * n + i] = C * U * Math.abs(modes[br * m + wh] * gi) + TINY;
      }
      modeBound[br * m + wh] = C * U * (n + 1.0) * contentMag + TINY;
      for (int h = 0; h < wh; h++) {
        double backwardMag = 0, forwardMag = 0;
        for (int i = 0; i < n; i++) {
          int x = (br * wh + h) * n + i;
          double gi = Math.abs(g[br * n + i]);
          backwardMag += gi * Math.abs(backward[x]);
          forwardMag += gi * Math.abs(forward[x]);
          backwardBound[x] = C * U * Math.abs(modes[br * m + h] * gi) + TINY;
          forwardBound[x] = C * U * Math.abs(modes[br * m + wh + 1 + h] * gi) + TINY;
        }
        modeBound[br * m + h] = C * U * (n + 1.0) * backwardMag + TINY;
        modeBound[br * m + wh + 1 + h] = C * U * (n + 1.0) * forwardMag + TINY;
      }
    }
    return new double[][] {modeBound, backwardBound, contentBound, forwardBound};
  }

  // =========================================================================================================
  // write weights

  private static int[][] writeWeightsShapes(int b, int wh, int n) {
    return new int[][] {s(b, wh, n), s(b, wh, n), s(b, wh), s(b, wh), s(b, wh, n), s(b, wh, n), s(b, wh, n),
        s(b, wh), s(b, wh)};
  }

  private static float[][] writeWeightsData(float[] allocation, float[] content, float[] gw, float[] ga, float[] g,
      float[] gradAllocation, float[] gradContent, float[] gradWriteGates, float[] gradAllocationGates) {
    return new float[][] {allocation, content, gw, ga, g, gradAllocation.clone(), gradContent.clone(),
        gradWriteGates.clone(), gradAllocationGates.clone()};
  }

  private float[][] checkWriteWeights(String what, float[] allocation, float[] content, float[] gw, float[] ga,
      float[] g, int b, int wh, int n) {
    float[][] out = run(kernels, writeWeightsShapes(b, wh, n), writeWeightsData(allocation, content, gw, ga, g,
        new float[b * wh * n], new float[b * wh * n], new float[b * wh], new float[b * wh]), WRITE_WEIGHTS);
    double[][] x = GradientCheck.widen(allocation, content, gw, ga);
    GradientCheck.Loss loss = loss(g, v -> DoubleMemoryAccess.writeWeights(v[0], v[1], v[2], v[3], b, wh, n), x);
    double[][] slack = isReference() ? new double[4][] : writeWeightsBounds(allocation, content, gw, ga, g, b, wh, n);
    assertGradient(what + ": gradAllocation", out[5], GradientCheck.numeric(loss, x, 0), slack[0]);
    assertGradient(what + ": gradContent", out[6], GradientCheck.numeric(loss, x, 1), slack[1]);
    assertGradient(what + ": gradWriteGates", out[7], GradientCheck.numeric(loss, x, 2), slack[2]);
    assertGradient(what + ": gradAllocationGates", out[8], GradientCheck.numeric(loss, x, 3), slack[3]);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(FINITE_DIFFERENCE_CASES)
  void writeWeightsMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("writeWeightsBackward");
    checkWriteWeights("writeWeightsBackward " + c, rnd.subWeightings(b * wh, n), rnd.weightings(b * wh, n),
        rnd.gates(b * wh), rnd.gates(b * wh), rnd.gaussian(b * wh * n, 1), b, wh, n);
  }

  /**
   * Gates exactly 0 and 1 in every combination, zero allocation and content rows: finite, and a closed write gate
   * passes nothing to the weightings or to the allocation gate (exact zeros).
   */
  @Test
  void writeWeightsAtClosedAndOpenGatesAreFinite() {
    int b = 2, wh = 2, n = 17;
    RandomTensors rnd = new RandomTensors(5350);
    float[] allocation = rnd.subWeightings(b * wh, n), content = rnd.weightings(b * wh, n);
    Arrays.fill(allocation, 0, n, 0f);
    Arrays.fill(content, 3 * n, 4 * n, 0f);
    float[] gw = {0, 1, 1, 0}, ga = {0, 0, 1, 1};
    float[][] out = checkWriteWeights("gates 0 and 1", allocation, content, gw, ga, rnd.gaussian(b * wh * n, 1), b,
        wh, n);
    for (float[] grad : out) {
      Compare.finite("gates 0 and 1", grad);
    }
    for (int bh : new int[] {0, 3}) {
      Compare.exact("closed write gate: gradAllocation", new float[n],
          Arrays.copyOfRange(out[5], bh * n, (bh + 1) * n), n);
      Compare.exact("closed write gate: gradContent", new float[n], Arrays.copyOfRange(out[6], bh * n, (bh + 1) * n),
          n);
      Compare.exact("closed write gate: gradAllocationGates", f(0), f(out[8][bh]), 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ACCUMULATE_CASES)
  void writeWeightsAccumulates(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("writeWeightsAccumulates");
    float[] allocation = rnd.subWeightings(b * wh, n), content = rnd.weightings(b * wh, n), gw = rnd.gates(b * wh),
        ga = rnd.gates(b * wh), g = rnd.gaussian(b * wh * n, 1);
    float[] pa = rnd.gaussian(b * wh * n, 1), pc = rnd.gaussian(b * wh * n, 1), pw = rnd.gaussian(b * wh, 1),
        pg = rnd.gaussian(b * wh, 1);
    int[][] shapes = writeWeightsShapes(b, wh, n);
    float[][] fresh = run(kernels, shapes, writeWeightsData(allocation, content, gw, ga, g, new float[pa.length],
        new float[pc.length], new float[pw.length], new float[pg.length]), WRITE_WEIGHTS);
    float[][] onto = run(kernels, shapes, writeWeightsData(allocation, content, gw, ga, g, pa, pc, pw, pg),
        WRITE_WEIGHTS);
    String what = "writeWeightsBackward " + c;
    assertAccumulated(what + ": gradAllocation", pa, fresh[5], onto[5], b, wh, n);
    assertAccumulated(what + ": gradContent", pc, fresh[6], onto[6], b, wh, n);
    assertAccumulated(what + ": gradWriteGates", pw, fresh[7], onto[7], b, wh);
    assertAccumulated(what + ": gradAllocationGates", pg, fresh[8], onto[8], b, wh);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS_CASES)
  void writeWeightsMatchesReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), wh = c.writeHeads();
    RandomTensors rnd = c.random("writeWeightsBackward");
    float[] allocation = rnd.subWeightings(b * wh, n), content = rnd.weightings(b * wh, n), gw = rnd.gates(b * wh),
        ga = rnd.gates(b * wh), g = rnd.gaussian(b * wh * n, 1);
    String what = "writeWeightsBackward " + c;
    Results res = crossRun(what, writeWeightsShapes(b, wh, n), writeWeightsData(allocation, content, gw, ga, g,
        new float[b * wh * n], new float[b * wh * n], new float[b * wh], new float[b * wh]), WRITE_WEIGHTS,
        5, 6, 7, 8);
    double[][] bound = writeWeightsBounds(allocation, content, gw, ga, g, b, wh, n);
    Compare.close(what + ": gradAllocation", res.expected()[5], res.actual()[5], bound[0], b, wh, n);
    Compare.close(what + ": gradContent", res.expected()[6], res.actual()[6], bound[1], b, wh, n);
    Compare.close(what + ": gradWriteGates", res.expected()[7], res.actual()[7], bound[2], b, wh);
    Compare.close(what + ": gradAllocationGates", res.expected()[8], res.actual()[8], bound[3], b, wh);
  }

  /** The float backend's bounds against the reference: gradAllocation, gradContent, gradWriteGates, gradAllocationGates. */
  static double[][] writeWeightsBounds(float[] allocation, float[] content, float[] gw, float[] ga, float[] g, int b,
      int wh, int n) {
    double[] allocationBound = new double[b * wh * n], contentBound = new double[b * wh * n],
        writeGateBound = new double[b * wh], allocationGateBound = new double[b * wh];
    for (int bh = 0; bh < b * wh; bh++) {
      double write = gw[bh], alloc = ga[bh];
      double mag = 0;
      for (int i = 0; i < n; i++) {
        int k = bh * n + i;
        double gi = Math.abs(g[k]);
        mag += gi * (Math.abs(allocation[k]) + Math.abs(content[k]));
        allocationBound[k] = C * U * 3 * Math.abs(write * alloc) * gi + TINY;
        contentBound[k] = C * U * 3 * Math.abs(write * (1 - alloc)) * gi + TINY;
      }
      writeGateBound[bh] = C * U * (n + 5.0) * mag + TINY;
      allocationGateBound[bh] = C * U * (n + 4.0) * Math.abs(write) * mag + TINY;
    }
    return new double[][] {allocationBound, contentBound, writeGateBound, allocationGateBound};
  }

  // =========================================================================================================
  // all four

  /** A zero gradOut leaves every accumulated gradient exactly as it was (and erase/add's gradMemory exactly 0). */
  @Test
  void zeroGradOutChangesNothing() {
    int b = 3, n = 17, w = 33, r = 2, wh = 2, m = 2 * wh + 1;
    RandomTensors rnd = new RandomTensors(5360);
    float[] pw = rnd.gaussian(b * wh * n, 1), pe = rnd.gaussian(b * wh * w, 1), pa = rnd.gaussian(b * wh * w, 1);
    float[][] write = run(kernels, eraseAndAddShapes(b, n, w, wh), eraseAndAddData(rnd.memory(b, n, w),
        rnd.subWeightings(b * wh, n), rnd.gates(b * wh * w), rnd.gaussian(b * wh * w, 1), new float[b * n * w], pw,
        pe, pa), ERASE_AND_ADD);
    Compare.exact("eraseAndAddBackward, zero G: gradMemory", new float[b * n * w], write[4], b, n, w);
    Compare.exact("eraseAndAddBackward, zero G: gradWriteWeights", pw, write[5], b, wh, n);
    Compare.exact("eraseAndAddBackward, zero G: gradErase", pe, write[6], b, wh, w);
    Compare.exact("eraseAndAddBackward, zero G: gradAdd", pa, write[7], b, wh, w);

    float[] pm = rnd.gaussian(b * n * w, 1), pr = rnd.gaussian(b * r * n, 1);
    float[][] read = run(kernels, readShapes(b, n, w, r), new float[][] {rnd.memory(b, n, w),
        rnd.subWeightings(b * r, n), new float[b * r * w], pm.clone(), pr.clone()}, READ);
    Compare.exact("readBackward, zero gradOut: gradMemory", pm, read[3], b, n, w);
    Compare.exact("readBackward, zero gradOut: gradReadWeights", pr, read[4], b, r, n);

    float[] qm = rnd.gaussian(b * r * m, 1), qb = rnd.gaussian(b * r * wh * n, 1), qc = rnd.gaussian(b * r * n, 1),
        qf = rnd.gaussian(b * r * wh * n, 1);
    float[][] mix = run(kernels, readModeMixShapes(b, r, wh, n), readModeMixData(rnd.readModes(b * r, m),
        rnd.subWeightings(b * r * wh, n), rnd.weightings(b * r, n), rnd.subWeightings(b * r * wh, n),
        new float[b * r * n], qm, qb, qc, qf), READ_MODE_MIX);
    Compare.exact("readModeMixBackward, zero gradOut: gradModes", qm, mix[5], b, r, m);
    Compare.exact("readModeMixBackward, zero gradOut: gradBackward", qb, mix[6], b, r, wh, n);
    Compare.exact("readModeMixBackward, zero gradOut: gradContent", qc, mix[7], b, r, n);
    Compare.exact("readModeMixBackward, zero gradOut: gradForward", qf, mix[8], b, r, wh, n);

    float[] ta = rnd.gaussian(b * wh * n, 1), tc = rnd.gaussian(b * wh * n, 1), tw = rnd.gaussian(b * wh, 1),
        tg = rnd.gaussian(b * wh, 1);
    float[][] ww = run(kernels, writeWeightsShapes(b, wh, n), writeWeightsData(rnd.subWeightings(b * wh, n),
        rnd.weightings(b * wh, n), rnd.gates(b * wh), rnd.gates(b * wh), new float[b * wh * n], ta, tc, tw, tg),
        WRITE_WEIGHTS);
    Compare.exact("writeWeightsBackward, zero gradOut: gradAllocation", ta, ww[5], b, wh, n);
    Compare.exact("writeWeightsBackward, zero gradOut: gradContent", tc, ww[6], b, wh, n);
    Compare.exact("writeWeightsBackward, zero gradOut: gradWriteGates", tw, ww[7], b, wh);
    Compare.exact("writeWeightsBackward, zero gradOut: gradAllocationGates", tg, ww[8], b, wh);
  }

  // =========================================================================================================
  // helpers

  /**
   * {@code Σ g·(forward(x) − forward(x₀))} with x₀ the inputs as they are now: the same gradient as Σ g·forward,
   * but the outputs a step leaves alone contribute exact zeros to the differences.
   */
  private static GradientCheck.Loss loss(float[] g, Function<double[][], double[]> forward, double[][] at) {
    double[] base = forward.apply(at);
    return x -> {
      double[] y = forward.apply(x);
      double sum = 0;
      for (int k = 0; k < y.length; k++) {
        sum += g[k] * (y[k] - base[k]);
      }
      return sum;
    };
  }

  /** Whether the backend under test is the reference itself (held to the plain bar of the differences). */
  private boolean isReference() {
    return kernels.getClass() == reference().getClass();
  }

  /**
   * {@link GradientCheck#assertClose} with the default bar; a float backend also gets {@code slack}, its bound
   * against the reference (see the class javadoc; null: none). With the report property, prints the share of the
   * plain bar used.
   */
  private static void assertGradient(String what, float[] analytic, double[] numeric, double[] slack) {
    double max = 0, worst = 0;
    for (double v : numeric) {
      max = Math.max(max, Math.abs(v));
    }
    int worstAt = -1;
    for (int k = 0; k < numeric.length; k++) {
      double bar = GradientCheck.RTOL * (Math.abs(numeric[k]) + GradientCheck.FLOOR * max);
      double err = Math.abs(analytic[k] - numeric[k]);
      double ratio = bar > 0 ? err / bar : (err > 0 ? Double.POSITIVE_INFINITY : 0);
      if (ratio > worst) {
        worst = ratio;
        worstAt = k;
      }
      if (slack != null && Float.isFinite(analytic[k]) && err > bar && err <= bar + slack[k]) {
        continue; // within the float backend's own rounding of the reference's gradient
      }
      if (slack != null && !(err <= bar)) {
        fail(what + ": element " + k + ": analytic " + analytic[k] + " vs numeric " + numeric[k] + " (error " + err
            + ", bar " + bar + " + the backend's rounding bound " + slack[k] + ", largest gradient " + max + ")");
      }
    }
    if (Boolean.getBoolean(Compare.REPORT_PROPERTY)) {
      System.out.printf("gradient check: %.3g of the bar%s, %s%n", worst, worstAt >= 0 && slack != null
          ? String.format(" (slack there %.3g of the bar)", slack[worstAt]
              / (GradientCheck.RTOL * (Math.abs(numeric[worstAt]) + GradientCheck.FLOOR * max))) : "", what);
    }
    if (slack == null) {
      GradientCheck.assertClose(what, analytic, numeric);
    }
  }

  /**
   * {@code onto = prefill + fresh} within one rounding of the add ({@code c·u·(|prefill| + |fresh|)}): a backend
   * may round the gradient first and add it, as the reference does, or fuse the last product into the add.
   */
  private static void assertAccumulated(String what, float[] prefill, float[] fresh, float[] onto, int... shape) {
    float[] expected = new float[prefill.length];
    double[] bound = new double[prefill.length];
    for (int k = 0; k < expected.length; k++) {
      expected[k] = prefill[k] + fresh[k];
      bound[k] = C * U * (Math.abs(prefill[k]) + Math.abs(fresh[k])) + TINY;
    }
    Compare.close(what + " (accumulated onto a prefill)", expected, onto, bound, shape);
  }

  private static float[] scaled(float[] x, float by) {
    float[] out = new float[x.length];
    for (int k = 0; k < x.length; k++) {
      out[k] = x[k] * by;
    }
    return out;
  }
}
