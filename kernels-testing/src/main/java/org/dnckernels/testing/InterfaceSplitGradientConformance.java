package org.dnckernels.testing;

import static org.dnckernels.testing.ContentAddressingGradientConformance.assertAdded;
import static org.dnckernels.testing.ContentAddressingGradientConformance.centered;
import static org.dnckernels.testing.ContentAddressingGradientConformance.check;

import java.util.ArrayList;
import java.util.List;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@code interfaceSplitBackward}: finite differences in double, accumulation, edge cases, the
 * reference.
 *
 * <p><b>Cross-check bounds</b> (u = 2^-24, c = {@link Tolerances#SAFETY}), per element of gradRaw, with g the
 * gradient of the element's output:
 * <ul>
 *   <li>keys and the write vector: exact (their gradients pass through: one float addition on every backend).
 *   <li>strengths, oneplus′ = σ: as the forward's sigmoid, {@code c·u·(4σ + 1)·|g|}.
 *   <li>erase, free and the two gates, σ′ = z / (1 + z)², z = e^−|x|: an exp of about 1 ulp, then five
 *       roundings: {@code c·u·10·σ′·|g|}, plus {@code 2^-126·|g|} where a float exp flushes e^−|x| below float's
 *       normal range to 0.
 *   <li>read modes, π (g − Σ π g) over K = 3 modes: π carries the forward softmax's (K + 3)·u relative, the mean
 *       (K + 1)·u of Σ π|g| plus π's, the difference and product a few more:
 *       {@code c·u·(2K + 8)·π_m (|g_m| + Σ_m' π_m' |g_m'|)}.
 * </ul>
 * Each plus {@link Tolerances#TINY}. Saturated inputs (|x| = 1e30) give σ′ = 0 and a one-hot π, so exactly zero
 * gradients there.
 */
public abstract class InterfaceSplitGradientConformance extends ConformanceBase {
  private static final String FINITE_DIFFERENCES =
      "org.dnckernels.testing.InterfaceSplitGradientConformance#finiteDifferenceCases";
  private static final String CROSS_CHECK = "org.dnckernels.testing.InterfaceSplitGradientConformance#crossCases";
  private static final double U = Tolerances.UNIT_ROUNDOFF, C = Tolerances.SAFETY;

  private static final int[] FD_WORDS = {1, 3, 7, 17, 33};

  /** Every FD size as W, R = 1, 2, 4 and B = 1..3 cycling, three seeds (15 cases). */
  static List<ShapeCase> finiteDifferenceCases() {
    int[] heads = {1, 2, 4};
    List<ShapeCase> out = new ArrayList<>();
    for (int seed = 0; seed < 3; seed++) {
      for (int i = 0; i < FD_WORDS.length; i++) {
        out.add(new ShapeCase(1 + (i + seed) % 3, 1, FD_WORDS[i], heads[(i + 2 * seed) % 3], 1, 6000 + 19L * i + seed));
      }
    }
    return out;
  }

  /** The forward's cross-check shapes and batches of 5 to 9 (split over threads with tails). */
  static List<ShapeCase> crossCases() {
    List<ShapeCase> out = new ArrayList<>(ShapeCase.interfaceSplit());
    out.add(new ShapeCase(5, 1, 17, 2, 1, 6101));
    out.add(new ShapeCase(7, 1, 33, 4, 1, 6102));
    out.add(new ShapeCase(9, 1, 65, 3, 1, 6103));
    return out;
  }

  private static int size(ShapeCase c) {
    return c.shape().interfaceSize();
  }

  private static MemoryShape shape(ShapeCase c) {
    return new MemoryShape(c.batch(), 1, c.wordSize(), c.readHeads(), 1);
  }

  /** Random gradients of the ten interface tensors. */
  private static InterfaceData randomGrad(ShapeCase c, RandomTensors rnd) {
    int b = c.batch(), w = c.wordSize(), r = c.readHeads();
    return new InterfaceData(rnd.gaussian(b * r * w, 1), rnd.gaussian(b * r, 1), rnd.gaussian(b * w, 1),
        rnd.gaussian(b, 1), rnd.gaussian(b * w, 1), rnd.gaussian(b * w, 1), rnd.gaussian(b * r, 1),
        rnd.gaussian(b, 1), rnd.gaussian(b, 1), rnd.gaussian(b * r * 3, 1));
  }

  private static float[][] parts(InterfaceData d) {
    return new float[][] {d.readKeys(), d.readStrengths(), d.writeKeys(), d.writeStrengths(), d.eraseVectors(),
        d.writeVectors(), d.freeGates(), d.allocationGates(), d.writeGates(), d.readModes()};
  }

  private float[] backward(DncKernels on, ShapeCase c, float[] raw, InterfaceData grad, float[] prefill) {
    int b = c.batch();
    Tensor gradRaw = upload(on, prefill, b, size(c));
    InterfaceValues gradOut = own(grad.upload(on, shape(c)));
    on.interfaceSplitBackward(upload(on, raw, b, size(c)), gradOut, gradRaw);
    return gradRaw.toArray();
  }

  // =========================================================================================================
  // finite differences

  @ParameterizedTest(name = "{0}")
  @MethodSource(FINITE_DIFFERENCES)
  void interfaceSplitBackwardMatchesFiniteDifferences(ShapeCase c) {
    int b = c.batch(), w = c.wordSize(), r = c.readHeads();
    RandomTensors rnd = c.random("interfaceSplitBackward");
    float[] raw = rnd.rawInterface(b, r, w);
    InterfaceData grad = randomGrad(c, rnd);
    float[] analytic = backward(kernels, c, raw, grad, new float[raw.length]);
    float[][] g = parts(grad);
    double[][] x = {GradientCheck.widen(raw)};
    double[][] base = DoubleInterfaceSplit.interfaceSplit(x[0], b, w, r);
    GradientCheck.Loss loss = v -> {
      double[][] out = DoubleInterfaceSplit.interfaceSplit(v[0], b, w, r);
      double sum = 0;
      for (int k = 0; k < out.length; k++) {
        sum += centered(g[k], out[k], base[k]);
      }
      return sum;
    };
    check("interfaceSplitBackward " + c + " gradRaw", analytic, GradientCheck.numeric(loss, x, 0));
  }

  // =========================================================================================================
  // accumulate

  @ParameterizedTest(name = "{0}")
  @MethodSource(FINITE_DIFFERENCES)
  void interfaceSplitBackwardAddsToItsGradient(ShapeCase c) {
    RandomTensors rnd = c.random("interfaceSplitAccumulate");
    float[] raw = rnd.rawInterface(c.batch(), c.readHeads(), c.wordSize());
    InterfaceData grad = randomGrad(c, rnd);
    float[] prefill = rnd.gaussian(raw.length, 1);
    float[] alone = backward(kernels, c, raw, grad, new float[raw.length]);
    float[] added = backward(kernels, c, raw, grad, prefill);
    assertAdded("interfaceSplitBackward " + c + " accumulates", prefill, alone, added);
  }

  // =========================================================================================================
  // edge cases

  /**
   * Raw values of ±1e30 (saturated oneplus, sigmoids and softmaxes, ties of two modes included), mixed with
   * ordinary ones: every gradient finite, and exactly 0 wherever a sigmoid is saturated.
   */
  @Test
  void interfaceSplitBackwardOfSaturatedInputsIsFinite() {
    ShapeCase c = new ShapeCase(3, 1, 19, 3, 1, 0);
    int b = c.batch(), w = c.wordSize(), r = c.readHeads(), size = size(c);
    RandomTensors rnd = new RandomTensors(6200);
    float[] raw = new float[b * size];
    for (int k = 0; k < raw.length; k++) {
      raw[k] = switch (k / size) {
        case 0 -> k % 2 == 0 ? 1e30f : -1e30f;
        case 1 -> k % 3 == 0 ? -1e30f : 1e30f;
        default -> k % 2 == 0 ? (float) (3 * rnd.gaussian()) : k % 4 == 1 ? 1e30f : -1e30f;
      };
    }
    float[] grad = backward(kernels, c, raw, randomGrad(c, rnd), new float[raw.length]);
    Compare.finite("interfaceSplitBackward of ±1e30", grad, b, size);
    // the sigmoid segments: erase, free gates, the two gates
    int erase = r * w + r + w + 1, free = erase + 2 * w;
    for (int bb = 0; bb < b; bb++) {
      for (int k = 0; k < size; k++) {
        boolean sigmoid = (k >= erase && k < erase + w) || (k >= free && k < free + r + 2);
        if (sigmoid && Math.abs(raw[bb * size + k]) == 1e30f) {
          org.junit.jupiter.api.Assertions.assertEquals(0f, grad[bb * size + k],
              "σ′ of a saturated input at [" + bb + ", " + k + "]");
        }
      }
    }
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource(CROSS_CHECK)
  void interfaceSplitBackwardMatchesReference(ShapeCase c) {
    assumeNotReference();
    int b = c.batch(), w = c.wordSize(), r = c.readHeads(), size = size(c);
    RandomTensors rnd = c.random("interfaceSplitBackwardReference");
    float[] raw = rnd.rawInterface(b, r, w);
    InterfaceData grad = randomGrad(c, rnd);
    float[] expected = backward(reference(), c, raw, grad, new float[raw.length]);
    float[] actual = backward(kernels, c, raw, grad, new float[raw.length]);
    Compare.close("interfaceSplitBackward " + c, expected, actual, bounds(raw, grad, b, w, r), b, size);
  }

  /** The class javadoc's bounds, segment by segment of the layout. */
  private static double[] bounds(float[] raw, InterfaceData grad, int b, int w, int r) {
    int size = w * r + 3 * w + 5 * r + 3;
    double[] bound = new double[b * size];
    double tiny = Tolerances.TINY;
    for (int bb = 0; bb < b; bb++) {
      int p = bb * size;
      p += r * w; // read keys: exact
      for (int k = 0; k < r; k++, p++) {
        bound[p] = oneplus(raw[p], grad.readStrengths()[bb * r + k]);
      }
      p += w; // write key: exact
      bound[p] = oneplus(raw[p], grad.writeStrengths()[bb]);
      p++;
      for (int k = 0; k < w; k++, p++) {
        bound[p] = sigmoid(raw[p], grad.eraseVectors()[bb * w + k]);
      }
      p += w; // write vector: exact
      for (int k = 0; k < r; k++, p++) {
        bound[p] = sigmoid(raw[p], grad.freeGates()[bb * r + k]);
      }
      bound[p] = sigmoid(raw[p], grad.allocationGates()[bb]);
      bound[p + 1] = sigmoid(raw[p + 1], grad.writeGates()[bb]);
      p += 2;
      for (int k = 0; k < r; k++, p += 3) {
        double[] pi = softmax3(raw, p);
        double mean = 0;
        for (int m = 0; m < 3; m++) {
          mean += pi[m] * Math.abs(grad.readModes()[(bb * r + k) * 3 + m]);
        }
        for (int m = 0; m < 3; m++) {
          double g = Math.abs(grad.readModes()[(bb * r + k) * 3 + m]);
          bound[p + m] = C * U * (2 * 3 + 8) * pi[m] * (g + mean) + tiny;
        }
      }
    }
    return bound;
  }

  private static double oneplus(float x, float g) {
    return Tolerances.sigmoid(DoubleInterfaceSplit.sigmoid(x)) * Math.abs(g) + Tolerances.TINY;
  }

  private static double sigmoid(float x, float g) {
    // σ′ as z / (1 + z)²: σ (1 − σ) would lose its value to cancellation where σ rounds to 1
    double z = Math.exp(-Math.abs((double) x));
    return (C * U * 10 * z / ((1 + z) * (1 + z)) + 0x1p-126) * Math.abs(g) + Tolerances.TINY;
  }

  private static double[] softmax3(float[] x, int at) {
    double a = x[at], b = x[at + 1], c = x[at + 2], max = Math.max(a, Math.max(b, c));
    double ea = Math.exp(a - max), eb = Math.exp(b - max), ec = Math.exp(c - max), sum = ea + eb + ec;
    return new double[] {ea / sum, eb / sum, ec / sum};
  }
}
