package org.dnckernels;

/**
 * Per-thread scratch buffers for host backend implementations (the scalar and SIMD backends), not for users of
 * the kernels: grown on demand and then reused, so that kernels allocate nothing in steady state and stay
 * thread-safe for concurrent calls on different outputs (a backend's pool threads each have their own).
 *
 * <p>A kernel takes the buffers it needs by type and number ({@code doubles(0, n)}, {@code doubles(1, n)},
 * {@code floats(0, m)}, ...); a buffer is at least the length asked for, maybe longer, and its contents are
 * undefined on entry. Kernels do not call each other while holding a buffer.
 */
public final class HostScratch {
  /** Buffers of each type: numbers 0 to BUFFERS − 1. */
  public static final int BUFFERS = 3;

  private static final ThreadLocal<HostScratch> LOCAL = ThreadLocal.withInitial(HostScratch::new);

  private final double[][] doubles = new double[BUFFERS][];
  private final float[][] floats = new float[BUFFERS][];
  private final int[][] ints = new int[BUFFERS][];
  private final long[][] longs = new long[BUFFERS][];

  private HostScratch() {
    for (int i = 0; i < BUFFERS; i++) {
      doubles[i] = new double[0];
      floats[i] = new float[0];
      ints[i] = new int[0];
      longs[i] = new long[0];
    }
  }

  /**
   * The calling thread's scratch.
   *
   * @return this thread's buffers, made on its first call
   */
  public static HostScratch get() {
    return LOCAL.get();
  }

  /**
   * Double buffer number {@code which}, at least {@code n} long, grown if shorter.
   *
   * @param which the buffer, 0 to {@link #BUFFERS} − 1
   * @param n     the length needed
   * @return the buffer (maybe longer than {@code n}; contents undefined)
   */
  public double[] doubles(int which, int n) {
    double[] a = doubles[which];
    if (a.length < n) {
      a = new double[grown(a.length, n)];
      doubles[which] = a;
    }
    return a;
  }

  /**
   * Float buffer number {@code which}, at least {@code n} long, grown if shorter.
   *
   * @param which the buffer, 0 to {@link #BUFFERS} − 1
   * @param n     the length needed
   * @return the buffer (maybe longer than {@code n}; contents undefined)
   */
  public float[] floats(int which, int n) {
    float[] a = floats[which];
    if (a.length < n) {
      a = new float[grown(a.length, n)];
      floats[which] = a;
    }
    return a;
  }

  /**
   * Int buffer number {@code which}, at least {@code n} long, grown if shorter.
   *
   * @param which the buffer, 0 to {@link #BUFFERS} − 1
   * @param n     the length needed
   * @return the buffer (maybe longer than {@code n}; contents undefined)
   */
  public int[] ints(int which, int n) {
    int[] a = ints[which];
    if (a.length < n) {
      a = new int[grown(a.length, n)];
      ints[which] = a;
    }
    return a;
  }

  /**
   * Long buffer number {@code which}, at least {@code n} long, grown if shorter.
   *
   * @param which the buffer, 0 to {@link #BUFFERS} − 1
   * @param n     the length needed
   * @return the buffer (maybe longer than {@code n}; contents undefined)
   */
  public long[] longs(int which, int n) {
    long[] a = longs[which];
    if (a.length < n) {
      a = new long[grown(a.length, n)];
      longs[which] = a;
    }
    return a;
  }

  // grow by at least half so that slowly increasing sizes do not reallocate every call
  private static int grown(int length, int needed) {
    return (int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) needed, length + (long) (length >> 1)));
  }
}
