package org.dnckernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.dnckernels.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance of {@code contentWeights}: the seed's golden vectors, finite uniform weights for zero rows
 * and zero keys, an exact one-hot for huge strengths, rows summing to one, equal weights for equal rows,
 * finite weights at extreme magnitudes, and the reference.
 */
public abstract class ContentAddressingConformance extends ConformanceBase {
  private static final String MANY_HEADS = "org.dnckernels.testing.ShapeCase#manyHeads";

  // =========================================================================================================
  // golden vectors (seed 000)

  @ParameterizedTest(name = "beta={0}")
  @MethodSource("org.dnckernels.testing.ContentAddressingConformance#goldenContentCases")
  void goldenContentWeights(float beta, float[] expected) {
    Tensor m = upload(f(-0.5f, 0.01f, 3.1f, 0.2f, 0.6f, 1.2f), 1, 2, 3);
    Tensor k = upload(f(0.3f, 0.5f, 1f), 1, 1, 3);
    Tensor out = filled(kernels, Float.NaN, 1, 1, 2);
    kernels.contentWeights(m, k, upload(f(beta), 1, 1), out);
    Compare.close("content weights, beta " + beta, expected, out.toArray(), constant(2, Tolerances.GOLDEN_CONTENT),
        1, 1, 2);
  }

  static List<Object[]> goldenContentCases() {
    return List.of(
        new Object[] {1f, f(0.454987593255f, 0.545012406745f)},
        new Object[] {10f, f(0.141196927269f, 0.858803072731f)});
  }

  // =========================================================================================================
  // properties

  @Test
  void contentWeightsOfZeroRowsAndZeroKeysAreFiniteAndUniform() {
    int b = 2, n = 17, w = 16, h = 3;
    RandomTensors rnd = new RandomTensors(11);
    float[] memory = rnd.gaussian(b * n * w, 1);
    Arrays.fill(memory, 0, n * w, 0f); // batch 0: all rows zero
    for (int row : new int[] {0, 5, 16}) {
      Arrays.fill(memory, (n + row) * w, (n + row + 1) * w, 0f);
    }
    float[] keys = rnd.gaussian(b * h * w, 1);
    Arrays.fill(keys, w, 2 * w, 0f); // head 1 of batch 0: zero key
    Arrays.fill(keys, (h + 1) * w, (h + 2) * w, 0f); // head 1 of batch 1: zero key
    float[] strengths = {1, 10, 1e30f, 1, 10, 1e30f};
    Tensor out = filled(kernels, Float.NaN, b, h, n);
    kernels.contentWeights(upload(memory, b, n, w), upload(keys, b, h, w), upload(strengths, b, h), out);
    float[] o = out.toArray();
    Compare.finite("content weights with zero rows", o, b, h, n);
    assertRowSums(o, b * h, n, 1, 1, "content weights");
    // all cosines 0 (zero memory, or a zero key): uniform
    for (int bh : new int[] {0, 1, 2, 4}) {
      for (int i = 0; i < n; i++) {
        assertEquals(1.0 / n, o[bh * n + i], Tolerances.ulps(2) / n, "uniform weight at row " + bh + " slot " + i);
      }
    }
  }

  @Test
  void contentWeightsWithHugeStrengthAreAnExactOneHot() {
    int n = 17, w = 16;
    float[] memory = new RandomTensors(12).gaussian(n * w, 1);
    float[] keys = new float[2 * w];
    for (int j = 0; j < w; j++) {
      keys[j] = 3 * memory[5 * w + j];
      keys[w + j] = memory[11 * w + j];
    }
    Tensor out = filled(kernels, Float.NaN, 1, 2, n);
    kernels.contentWeights(upload(memory, 1, n, w), upload(keys, 1, 2, w), upload(f(1e30f, 1e30f), 1, 2), out);
    float[] expected = new float[2 * n];
    expected[5] = 1;
    expected[n + 11] = 1;
    Compare.exact("content weights with beta 1e30", expected, out.toArray(), 1, 2, n);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({GENERAL, MANY_HEADS})
  void contentWeightsSumToOne(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    RandomTensors rnd = c.random("contentSum");
    Tensor out = filled(kernels, Float.NaN, b, h, n);
    kernels.contentWeights(upload(rnd.memory(b, n, w), b, n, w), upload(rnd.keys(b * h, w), b, h, w),
        upload(rnd.strengths(b * h), b, h), out);
    float[] o = out.toArray();
    Compare.finite("content weights", o, b, h, n);
    assertNonNegative(o, "content weights");
    assertRowSums(o, b * h, n, 1, 1, "content weights");
  }

  // =========================================================================================================
  // cross-checks against the scalar reference

  @ParameterizedTest(name = "{0}")
  @MethodSource({GENERAL, MANY_HEADS})
  void contentWeightsMatchReference(ShapeCase c) {
    int b = c.batch(), n = c.slots(), w = c.wordSize(), h = c.readHeads();
    RandomTensors rnd = c.random("contentWeights");
    float[] strengths = rnd.strengths(b * h);
    Results r = crossRun("contentWeights " + c, new int[][] {s(b, n, w), s(b, h, w), s(b, h), s(b, h, n)},
        new float[][] {rnd.memory(b, n, w), rnd.keys(b * h, w), strengths, null},
        (k, t) -> k.contentWeights(t[0], t[1], t[2], t[3]), 3);
    Compare.close("contentWeights " + c, r.expected()[3], r.actual()[3],
        Tolerances.contentWeights(strengths, r.expected()[3], b, h, n, w), b, h, n);
  }

  // =========================================================================================================
  // exact ties and extreme magnitudes: the contract holds for inputs that random cases rarely reach

  /** Equal memory rows give equal content weights, bit for bit, wherever they fall in the row loop. */
  @ParameterizedTest(name = "N = {0}")
  @ValueSource(ints = {17, 33, 100, 257})
  void contentWeightsOfEqualRowsAreEqual(int n) {
    int b = 2, h = 3;
    for (int w : new int[] {1, 16, 19, 33}) {
      RandomTensors rnd = new RandomTensors(100L * n + w);
      float[] memory = new float[b * n * w];
      for (int bb = 0; bb < b; bb++) {
        float[] row = rnd.gaussian(w, 1);
        for (int i = 0; i < n; i++) {
          System.arraycopy(row, 0, memory, (bb * n + i) * w, w);
        }
      }
      Tensor out = filled(kernels, Float.NaN, b, h, n);
      kernels.contentWeights(upload(memory, b, n, w), upload(rnd.keys(b * h, w), b, h, w),
          upload(rnd.strengths(b * h), b, h), out);
      assertRowsTied("content weights of equal rows, W = " + w, out.toArray(), b * h, n);
    }
  }

  /**
   * Cosine similarity is scale-free, so content weights are defined for every finite input: rows and keys of
   * magnitude 1e20, 1e30 and Float.MAX_VALUE, mixed with zero and ordinary rows, give finite weights that sum to
   * 1 and agree with the reference.
   */
  @ParameterizedTest(name = "magnitude {0}")
  @ValueSource(floats = {1e20f, 1e30f, Float.MAX_VALUE})
  void contentWeightsOfExtremeMagnitudesAreFiniteAndMatchReference(float scale) {
    int b = 3, n = 19, w = 21, h = 3;
    RandomTensors rnd = new RandomTensors(Float.floatToIntBits(scale));
    float[] memory = new float[b * n * w];
    for (int row = 0; row < b * n; row++) {
      for (int j = 0; j < w; j++) {
        double u = 2 * rnd.uniform() - 1;
        memory[row * w + j] = switch (row % 4) {
          case 0 -> 0f; // a zero row
          case 1 -> (float) (u * scale); // huge, of both signs
          case 2 -> (float) u; // ordinary
          default -> j % 2 == 0 ? scale : -scale; // every element at the extreme
        };
      }
    }
    float[] keys = new float[b * h * w];
    for (int k = 0; k < b * h; k++) {
      for (int j = 0; j < w; j++) {
        double u = 2 * rnd.uniform() - 1;
        keys[k * w + j] = switch (k % 3) {
          case 0 -> (float) (u * scale);
          case 1 -> 0f;
          default -> (float) u;
        };
      }
    }
    for (float beta : new float[] {0f, 1f, 10f, 1e30f}) {
      float[] strengths = new float[b * h];
      Arrays.fill(strengths, beta);
      int[][] shapes = {s(b, n, w), s(b, h, w), s(b, h), s(b, h, n)};
      float[][] data = {memory, keys, strengths, null};
      Call call = (k, t) -> k.contentWeights(t[0], t[1], t[2], t[3]);
      String what = "contentWeights at magnitude " + scale + ", β = " + beta;
      float[] out = run(kernels, shapes, data, call)[3];
      Compare.finite(what, out, b, h, n);
      assertRowSums(out, b * h, n, 1 - Tolerances.rowSum(n), 1 + Tolerances.rowSum(n), what);
      if (kernels.getClass() != reference().getClass()) {
        Results r = crossRun(what, shapes, data, call, 3);
        Compare.close(what, r.expected()[3], r.actual()[3],
            Tolerances.contentWeights(strengths, r.expected()[3], b, h, n, w), b, h, n);
      }
    }
  }
}
