package org.dnckernels.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.opentest4j.AssertionFailedError;

/**
 * Element-wise comparisons of float tensors that say where they differ: the multi-index, expected, actual, the
 * bound, how many elements failed, and the worst few.
 */
public final class Compare {
  private static final int SHOWN = 5;
  /** {@code -Ddnc.kernels.tolerance.report=true} prints every comparison's worst |diff|/bound (its headroom). */
  public static final String REPORT_PROPERTY = "dnc.kernels.tolerance.report";
  private static final boolean REPORT = Boolean.getBoolean(REPORT_PROPERTY);

  private Compare() {}

  /** {@code |actual − expected| ≤ bound[k]} for every k; a non-finite actual fails unless expected is the same. */
  public static void close(String what, float[] expected, float[] actual, double[] bound, int... shape) {
    sameLength(what, expected, actual, shape);
    List<Integer> bad = new ArrayList<>();
    int failures = 0;
    double worstRatio = 0, worstOk = 0;
    int worst = -1;
    for (int k = 0; k < expected.length; k++) {
      float e = expected[k], a = actual[k];
      boolean ok;
      double ratio;
      if (!Float.isFinite(e) || !Float.isFinite(a)) {
        ok = Float.compare(e, a) == 0 || (Float.isNaN(e) && Float.isNaN(a));
        ratio = ok ? 0 : Double.POSITIVE_INFINITY;
      } else {
        double diff = Math.abs((double) a - e);
        ok = diff <= bound[k];
        ratio = bound[k] > 0 ? diff / bound[k] : (diff == 0 ? 0 : Double.POSITIVE_INFINITY);
      }
      if (ok && ratio > worstOk) {
        worstOk = ratio;
      }
      if (!ok) {
        failures++;
        if (bad.size() < SHOWN) {
          bad.add(k);
        }
        if (ratio > worstRatio || worst < 0) {
          worstRatio = ratio;
          worst = k;
        }
      }
    }
    if (REPORT) {
      System.out.printf("tolerance headroom: %.3g of the bound, %s%n", worstOk, what);
    }
    if (failures > 0) {
      StringBuilder sb = new StringBuilder();
      sb.append(what).append(": ").append(failures).append(" of ").append(expected.length)
          .append(" elements outside the tolerance, shape ").append(Arrays.toString(shape));
      sb.append("\n  worst ").append(describe(worst, expected, actual, bound, shape));
      for (int k : bad) {
        sb.append("\n  ").append(describe(k, expected, actual, bound, shape));
      }
      throw new AssertionFailedError(sb.toString());
    }
  }

  /** Exact equality of every element (NaN equals NaN, −0 equals 0). */
  public static void exact(String what, float[] expected, float[] actual, int... shape) {
    sameLength(what, expected, actual, shape);
    int failures = 0;
    StringBuilder shown = new StringBuilder();
    for (int k = 0; k < expected.length; k++) {
      float e = expected[k], a = actual[k];
      if (!(e == a || (Float.isNaN(e) && Float.isNaN(a)))) {
        if (failures++ < SHOWN) {
          shown.append("\n  at ").append(index(k, shape)).append(": expected ").append(e).append(" but was ")
              .append(a);
        }
      }
    }
    if (failures > 0) {
      throw new AssertionFailedError(what + ": " + failures + " of " + expected.length
          + " elements differ (exact comparison), shape " + Arrays.toString(shape) + shown);
    }
  }

  /** Bitwise equality (for "nothing was written": even a NaN payload must survive). */
  public static void unchanged(String what, float[] before, float[] after) {
    for (int k = 0; k < before.length; k++) {
      if (Float.floatToRawIntBits(before[k]) != Float.floatToRawIntBits(after[k])) {
        throw new AssertionFailedError(what + ": element " + k + " was written (" + before[k] + " -> " + after[k]
            + ") although the call threw");
      }
    }
  }

  /** Every element finite. */
  public static void finite(String what, float[] actual, int... shape) {
    for (int k = 0; k < actual.length; k++) {
      if (!Float.isFinite(actual[k])) {
        throw new AssertionFailedError(what + ": not finite at " + index(k, shape) + ": " + actual[k]);
      }
    }
  }

  /** The multi-index of flat index {@code k} in a row-major {@code shape}. */
  public static String index(int k, int... shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = k % shape[d];
      k /= shape[d];
    }
    return Arrays.toString(idx);
  }

  private static String describe(int k, float[] expected, float[] actual, double[] bound, int[] shape) {
    double diff = Math.abs((double) actual[k] - expected[k]);
    return "at " + index(k, shape) + ": expected " + expected[k] + " but was " + actual[k] + " (|diff| " + diff
        + ", bound " + bound[k] + ")";
  }

  private static void sameLength(String what, float[] expected, float[] actual, int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    if (expected.length != n || actual.length != n) {
      throw new AssertionFailedError(what + ": expected " + n + " elements for shape " + Arrays.toString(shape)
          + " but got " + expected.length + " expected and " + actual.length + " actual values");
    }
  }
}
