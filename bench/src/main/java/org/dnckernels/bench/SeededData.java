package org.dnckernels.bench;

import java.util.SplittableRandom;

/**
 * The benchmarks' inputs: random values from a fixed seed, so every run and every backend sees the same data.
 *
 * <p>Weightings are drawn from [0.5, 1.5) before normalising: no value is tiny, so no kernel ever runs into
 * subnormal floats that would time the FPU's slow path instead of the kernel.
 */
public final class SeededData {
  private final SplittableRandom random;

  public SeededData(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A seed made from a name (kernel, shape), stable across runs and JVMs. */
  public static long seed(String... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (String p : parts) {
      for (int i = 0; i < p.length(); i++) {
        h = (h ^ p.charAt(i)) * 0x100000001B3L;
      }
      h = Long.rotateLeft(h, 17);
    }
    return h;
  }

  /** {@code n} values uniform in [lo, hi). */
  public float[] uniform(int n, float lo, float hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = lo + (hi - lo) * (float) random.nextDouble();
    }
    return a;
  }

  /** {@code n} standard normal values. */
  public float[] normal(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) gaussian();
    }
    return a;
  }

  /** {@code rows} weightings of length {@code n}: positive, each row sums to {@code total}. */
  public float[] weightings(int rows, int n, float total) {
    float[] a = uniform(rows * n, 0.5f, 1.5f);
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += a[r * n + i];
      }
      float scale = (float) (total / sum);
      for (int i = 0; i < n; i++) {
        a[r * n + i] *= scale;
      }
    }
    return a;
  }

  /**
   * {@code count} link matrices N×N with a zero diagonal and row and column sums below 1 (entries in
   * [0.5, 1.5)/(2N)): a valid temporal link state.
   */
  public float[] links(int count, int n) {
    float[] a = uniform(count * n * n, 0.5f / (2 * n), 1.5f / (2 * n));
    for (int c = 0; c < count; c++) {
      for (int i = 0; i < n; i++) {
        a[(c * n + i) * n + i] = 0f;
      }
    }
    return a;
  }

  private double gaussian() {
    // Box-Muller: SplittableRandom has no nextGaussian on every JDK we run
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
