package org.dnckernels.scalar;

/**
 * Per-thread scratch buffers, grown on demand and then reused, so that kernels allocate nothing in steady state
 * and stay thread-safe for concurrent calls on different outputs.
 *
 * <p>A kernel takes the buffers it needs by number ({@code doubles(0, n)}, {@code doubles(1, n)}, ...); the
 * contents are undefined on entry. Kernels do not call each other while holding a buffer.
 */
final class Scratch {
  private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
  private static final int BUFFERS = 3;

  private final double[][] doubles = new double[BUFFERS][];
  private final int[][] ints = new int[BUFFERS][];

  private Scratch() {
    for (int i = 0; i < BUFFERS; i++) {
      doubles[i] = new double[0];
      ints[i] = new int[0];
    }
  }

  /** The calling thread's scratch. */
  static Scratch get() {
    return LOCAL.get();
  }

  /** Double buffer number {@code which} (0..2), at least {@code n} long. */
  double[] doubles(int which, int n) {
    double[] d = doubles[which];
    if (d.length < n) {
      d = new double[grown(d.length, n)];
      doubles[which] = d;
    }
    return d;
  }

  /** Int buffer number {@code which} (0..2), at least {@code n} long. */
  int[] ints(int which, int n) {
    int[] a = ints[which];
    if (a.length < n) {
      a = new int[grown(a.length, n)];
      ints[which] = a;
    }
    return a;
  }

  // grow by at least half so that slowly increasing sizes do not reallocate every call
  private static int grown(int length, int needed) {
    return (int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) needed, length + (long) (length >> 1)));
  }
}
