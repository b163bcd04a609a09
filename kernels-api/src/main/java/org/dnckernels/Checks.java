package org.dnckernels;

import java.util.Arrays;

/**
 * Argument checks with messages that name the argument and show expected vs. actual shape (the shapes themselves
 * are checked by {@link KernelSpec}). The passing path allocates nothing, so checks stay on the hot path.
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
