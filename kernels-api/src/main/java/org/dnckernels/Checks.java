package org.dnckernels;

import java.util.Arrays;

/**
 * Argument checks with messages that name the argument and show expected vs. actual shape. The passing path
 * allocates nothing (fixed-arity overloads, no shape copies), so checks stay on the hot path.
 */
final class Checks {
  private Checks() {}

  static void notNull(String name, Object o) {
    if (o == null) {
      throw new IllegalArgumentException(name + ": must not be null");
    }
  }

  static void rank(String name, Tensor t, int rank) {
    notNull(name, t);
    if (t.rank() != rank) {
      throw new IllegalArgumentException(
          name + ": expected rank " + rank + " but was shape " + Arrays.toString(t.shape()));
    }
  }

  static void shape(String name, Tensor t, int d0, int d1) {
    notNull(name, t);
    if (t.rank() != 2 || t.dim(0) != d0 || t.dim(1) != d1) {
      fail(name, t, d0, d1);
    }
  }

  static void shape(String name, Tensor t, int d0, int d1, int d2) {
    notNull(name, t);
    if (t.rank() != 3 || t.dim(0) != d0 || t.dim(1) != d1 || t.dim(2) != d2) {
      fail(name, t, d0, d1, d2);
    }
  }

  static void shape(String name, Tensor t, int d0, int d1, int d2, int d3) {
    notNull(name, t);
    if (t.rank() != 4 || t.dim(0) != d0 || t.dim(1) != d1 || t.dim(2) != d2 || t.dim(3) != d3) {
      fail(name, t, d0, d1, d2, d3);
    }
  }

  private static void fail(String name, Tensor t, int... expected) {
    throw new IllegalArgumentException(
        name + ": expected shape " + Arrays.toString(expected) + " but was " + Arrays.toString(t.shape()));
  }

  /** {@code out} must not share any storage with {@code in}. */
  static void distinct(String outName, Tensor out, String inName, Tensor in) {
    if (out.overlaps(in)) {
      throw new IllegalArgumentException(outName + ": must not share storage with " + inName);
    }
  }

  /** {@code out} may be {@code in} itself (element-wise kernels) but must not partly overlap it. */
  static void sameOrDistinct(String outName, Tensor out, String inName, Tensor in) {
    if (!out.sameStorage(in) && out.overlaps(in)) {
      throw new IllegalArgumentException(
          outName + ": must be either the same tensor as " + inName + " or not share storage with it");
    }
  }
}
