package org.dnckernels.testing;

import org.dnckernels.KernelSpec;

import java.util.SplittableRandom;

/**
 * Deterministic test data for every kernel input, as row-major {@code float[]} arrays.
 *
 * <p>The same seed gives the same numbers on every JVM ({@link SplittableRandom}'s algorithm is specified, and the
 * normal deviates come from our own Box-Muller, not from a JDK method whose algorithm may change). Every generator
 * produces values inside the domain the contract expects (weightings non-negative with the right row sums, gates
 * in [0,1], strengths ≥ 1, valid link matrices...) and mixes in the edge values that break kernels: exact 0 and 1
 * gates, all-zero memory rows, zero weight rows, large strengths, tied usages.
 */
public final class RandomTensors {
  // usages are multiples of this: exact ties are common and near-ties (closer than 1/1024) never happen, so
  // backends that compute ũ = ε + (1 − ε) u in float or in double sort the slots the same way
  private static final int USAGE_GRID = 1024;

  private final SplittableRandom random;

  public RandomTensors(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A generator for one named use of a seed, so that two kernels' tests with the same seed get unrelated data. */
  public static RandomTensors forCase(long seed, String salt) {
    return new RandomTensors(seed * 0x9E3779B97F4A7C15L + salt.hashCode());
  }

  // ---------------------------------------------------------------------------------------------------------
  // scalars

  public double uniform() {
    return random.nextDouble();
  }

  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** A standard normal deviate (Box-Muller). */
  public double gaussian() {
    double u1 = 1.0 - random.nextDouble(); // (0, 1]: log is finite
    double u2 = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  // ---------------------------------------------------------------------------------------------------------
  // memory, keys, vectors

  /** Normal values with standard deviation {@code scale}. */
  public float[] gaussian(int count, double scale) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) (scale * gaussian());
    }
    return out;
  }

  /** Uniform values in [lo, hi). */
  public float[] uniform(int count, double lo, double hi) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) (lo + (hi - lo) * random.nextDouble());
    }
    return out;
  }

  /**
   * Values of the kind a {@link KernelSpec.Arg} takes, for a tensor of {@code shape} (rows are the last axis; a
   * link is [B, Wh, N, N]); null for an output.
   */
  public float[] of(KernelSpec.Values values, int[] shape) {
    int count = 1;
    for (int d : shape) {
      count *= d;
    }
    int last = shape[shape.length - 1], rows = count / last;
    return switch (values) {
      case ANY -> gaussian(count, 1.0);
      case STRENGTH -> strengths(count);
      case GATE -> gates(count);
      case USAGE -> usage(count);
      case WEIGHTING -> subWeightings(rows, last);
      case DISTRIBUTION -> softmaxRows(rows, last);
      case LINK -> link(shape[0], shape[1], last);
      case SHARPENING -> gammas(count);
      case OUTPUT -> null;
    };
  }

  /**
   * Memory M [B,N,W]: normal rows, about one in eight all zero (an unused slot), and some rows scaled by 100 or
   * 0.01 so that norms differ by orders of magnitude.
   */
  public float[] memory(int batch, int slots, int wordSize) {
    float[] out = new float[batch * slots * wordSize];
    for (int row = 0; row < batch * slots; row++) {
      double pick = random.nextDouble();
      if (pick < 0.125) {
        continue; // all-zero row
      }
      double scale = pick < 0.2 ? 100 : pick < 0.275 ? 0.01 : 1;
      for (int j = 0; j < wordSize; j++) {
        out[row * wordSize + j] = (float) (scale * gaussian());
      }
    }
    return out;
  }

  /** Lookup keys [rows, W]: normal, one row in sixteen all zero. */
  public float[] keys(int rows, int wordSize) {
    float[] out = new float[rows * wordSize];
    for (int row = 0; row < rows; row++) {
      if (random.nextDouble() < 1.0 / 16) {
        continue;
      }
      for (int j = 0; j < wordSize; j++) {
        out[row * wordSize + j] = (float) gaussian();
      }
    }
    return out;
  }

  /**
   * Key strengths β ≥ 1: mostly oneplus-like values in [1, 5), one in ten exactly 1, one in ten large (10 to
   * 50).
   */
  public float[] strengths(int count) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      double pick = random.nextDouble();
      out[i] = pick < 0.1 ? 1f : pick < 0.2 ? (float) (10 + 40 * random.nextDouble())
          : (float) (1 + 4 * random.nextDouble());
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------
  // gates, usage

  /** Gates in [0,1]: one in ten exactly 0, one in ten exactly 1, the rest uniform. */
  public float[] gates(int count) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      double pick = random.nextDouble();
      out[i] = pick < 0.1 ? 0f : pick < 0.2 ? 1f : (float) random.nextDouble();
    }
    return out;
  }

  /**
   * Usages in [0,1] on a grid of 1/1024: exact zeros (empty slots), exact ones (full slots), and many exact ties
   * (about a third of the values repeat one of a few shared values).
   */
  public float[] usage(int count) {
    float[] out = new float[count];
    int[] shared = {random.nextInt(USAGE_GRID + 1), random.nextInt(USAGE_GRID + 1), random.nextInt(USAGE_GRID + 1)};
    for (int i = 0; i < count; i++) {
      double pick = random.nextDouble();
      int q;
      if (pick < 0.1) {
        q = 0;
      } else if (pick < 0.15) {
        q = USAGE_GRID;
      } else if (pick < 0.45) {
        q = shared[random.nextInt(shared.length)];
      } else {
        q = random.nextInt(USAGE_GRID + 1);
      }
      out[i] = (float) q / USAGE_GRID; // exact: a multiple of 2^-10
    }
    return out;
  }

  /**
   * Pairwise distinct usages on the 1/1024 grid (at most one 0 and one 1), for {@code count ≤ 1025}: what the
   * allocation of a second write head needs to be backend-independent (see precision.md: with tied usages the
   * second head's order depends on the precision of the usage copy between heads).
   */
  public float[] distinctUsage(int count) {
    if (count > USAGE_GRID + 1) {
      throw new IllegalArgumentException("at most " + (USAGE_GRID + 1) + " distinct grid usages, not " + count);
    }
    int[] p = permutation(USAGE_GRID + 1);
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) p[i] / USAGE_GRID;
    }
    return out;
  }

  /** {@link #distinctUsage} for each of {@code rows} rows of {@code n}. */
  public float[] distinctUsage(int rows, int n) {
    float[] out = new float[rows * n];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(distinctUsage(n), 0, out, r * n, n);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------
  // weightings

  /**
   * Weighting rows [rows, N] that each sum to 1 (up to float rounding): peaked (log-normal) positive values with
   * some exact zeros; one row in ten is one-hot.
   */
  public float[] weightings(int rows, int n) {
    return weightings(rows, n, 1.0, 1.0, 0.0);
  }

  /**
   * Weighting rows [rows, N] that each sum to at most 1: the total is uniform in [0, 1], one row in ten sums to
   * exactly 0 and one in ten to 1. Write and read weightings look like this.
   */
  public float[] subWeightings(int rows, int n) {
    return weightings(rows, n, 0.0, 1.0, 0.1);
  }

  private float[] weightings(int rows, int n, double minTotal, double maxTotal, double zeroRows) {
    float[] out = new float[rows * n];
    double[] row = new double[n];
    for (int r = 0; r < rows; r++) {
      double pick = random.nextDouble();
      if (pick < zeroRows) {
        continue;
      }
      double total = pick < zeroRows + 0.1 ? maxTotal : minTotal + (maxTotal - minTotal) * random.nextDouble();
      if (random.nextDouble() < 0.1) {
        out[r * n + random.nextInt(n)] = (float) total;
        continue;
      }
      double sharpness = 0.5 + 2.5 * random.nextDouble();
      double sum = 0;
      for (int i = 0; i < n; i++) {
        row[i] = random.nextDouble() < 0.1 ? 0 : Math.exp(sharpness * gaussian());
        sum += row[i];
      }
      if (sum == 0) {
        row[0] = 1;
        sum = 1;
      }
      // scale so that the float values sum to at most the total (rounding down keeps Σ ≤ 1 for full rows)
      double scale = total / sum;
      for (int i = 0; i < n; i++) {
        out[r * n + i] = roundDown(row[i] * scale);
      }
    }
    return out;
  }

  /** Softmax of normal logits (scale 2) over each row of {@code width}: read modes π, shift distributions s. */
  public float[] softmaxRows(int rows, int width) {
    float[] out = new float[rows * width];
    double[] e = new double[width];
    for (int r = 0; r < rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < width; i++) {
        e[i] = 2 * gaussian();
        max = Math.max(max, e[i]);
      }
      double sum = 0;
      for (int i = 0; i < width; i++) {
        e[i] = Math.exp(e[i] - max);
        sum += e[i];
      }
      for (int i = 0; i < width; i++) {
        out[r * width + i] = (float) (e[i] / sum);
      }
    }
    return out;
  }

  /** Read modes π [rows, 2Wh+1], each row a softmax. */
  public float[] readModes(int rows, int modes) {
    return softmaxRows(rows, modes);
  }

  /** NTM shift distributions [rows, 2k+1]: softmaxed, one row in five one-hot. */
  public float[] shifts(int rows, int width) {
    float[] out = softmaxRows(rows, width);
    for (int r = 0; r < rows; r++) {
      if (random.nextDouble() < 0.2) {
        java.util.Arrays.fill(out, r * width, (r + 1) * width, 0f);
        out[r * width + random.nextInt(width)] = 1f;
      }
    }
    return out;
  }

  /** Sharpening exponents γ ≥ 1: one in five exactly 1, most in [1, 5), one in ten large (10 to 30). */
  public float[] gammas(int count) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      double pick = random.nextDouble();
      out[i] = pick < 0.2 ? 1f : pick < 0.3 ? (float) (10 + 20 * random.nextDouble())
          : (float) (1 + 4 * random.nextDouble());
    }
    return out;
  }

  /**
   * NTM weightings to sharpen [rows, N]: rows that sum to 1 with a spread of magnitudes (some tiny values), one
   * row in ten all zero.
   */
  public float[] ntmWeights(int rows, int n) {
    float[] out = weightings(rows, n);
    for (int r = 0; r < rows; r++) {
      if (random.nextDouble() < 0.1) {
        java.util.Arrays.fill(out, r * n, (r + 1) * n, 0f);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------
  // temporal links

  /**
   * Valid link matrices L [B,Wh,N,N]: entries ≥ 0, zero diagonal, every row and column sum ≤ 1. Half of them are
   * a scaled random derangement (sharp, as after sequential writes) plus noise, half diffuse noise; each is scaled
   * so that its largest row or column sum is in [0.5, 1).
   */
  public float[] link(int batch, int writeHeads, int n) {
    float[] out = new float[batch * writeHeads * n * n];
    double[] m = new double[n * n];
    for (int bh = 0; bh < batch * writeHeads; bh++) {
      java.util.Arrays.fill(m, 0);
      boolean sharp = random.nextBoolean();
      if (sharp && n > 1) {
        int[] perm = derangement(n);
        for (int i = 0; i < n; i++) {
          m[i * n + perm[i]] = 1;
        }
      }
      double noise = sharp ? 0.05 : 1;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (i != j && random.nextDouble() < 0.5) {
            m[i * n + j] += noise * random.nextDouble();
          }
        }
      }
      double maxSum = 0;
      for (int i = 0; i < n; i++) {
        double row = 0, col = 0;
        for (int j = 0; j < n; j++) {
          row += m[i * n + j];
          col += m[j * n + i];
        }
        maxSum = Math.max(maxSum, Math.max(row, col));
      }
      double scale = maxSum == 0 ? 0 : (0.5 + 0.5 * random.nextDouble()) / maxSum;
      int base = bh * n * n;
      for (int k = 0; k < n * n; k++) {
        out[base + k] = roundDown(m[k] * scale);
      }
    }
    return out;
  }

  /** A permutation of 0..n−1 without fixed points (n ≥ 2): a random cycle. */
  public int[] derangement(int n) {
    int[] order = permutation(n);
    int[] next = new int[n];
    for (int i = 0; i < n; i++) {
      next[order[i]] = order[(i + 1) % n];
    }
    return next;
  }

  /** A uniformly random permutation of 0..n−1. */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------------------
  // interface vectors

  /**
   * Raw interface vectors ξ̂ [B, W·R + 3W + 5R + 3]: normal values (scale 3), one in fifty an extreme ±1000 (the
   * activations must not overflow).
   */
  public float[] rawInterface(int batch, int readHeads, int wordSize) {
    int size = wordSize * readHeads + 3 * wordSize + 5 * readHeads + 3;
    float[] out = new float[batch * size];
    for (int i = 0; i < out.length; i++) {
      out[i] = random.nextDouble() < 0.02 ? (random.nextBoolean() ? 1000f : -1000f) : (float) (3 * gaussian());
    }
    return out;
  }

  /** Activated interface values for a memory step (any number of write heads), as arrays. */
  public InterfaceData interfaceValues(int batch, int wordSize, int readHeads, int writeHeads) {
    int b = batch, w = wordSize, r = readHeads, wh = writeHeads;
    float[] writeStrengths = strengths(b * wh);
    float[] readStrengths = strengths(b * r);
    return new InterfaceData(
        gaussian(b * r * w, 1), readStrengths, gaussian(b * wh * w, 1), writeStrengths,
        gates(b * wh * w), gaussian(b * wh * w, 1), gates(b * r), gates(b * wh), gates(b * wh),
        readModes(b * r, 2 * wh + 1));
  }

  // largest float ≤ x (for x ≥ 0): keeps sums of rounded weights at or below their double total
  private static float roundDown(double x) {
    float f = (float) x;
    return f > x ? Math.nextDown(f) : f;
  }
}
