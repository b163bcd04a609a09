package org.dnckernels.simd;

import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import org.dnckernels.HostTensor;
import org.dnckernels.Tensor;

/**
 * Loop helpers shared by the SIMD kernels: host tensor access, a deterministic lane sum, a blocked sum that
 * finishes in double, and per-thread scratch arrays.
 */
final class SimdLoops {
  /** Elements summed in float lanes before the partial sum moves to double (bounds float error growth). */
  static final int SUM_BLOCK = 1024;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private SimdLoops() {}

  static float[] array(Tensor t) {
    return ((HostTensor) t).array();
  }

  static int offset(Tensor t) {
    return ((HostTensor) t).offset();
  }

  /** This thread's scratch arrays (kernels run on several threads at once, on different batch slices). */
  static Scratch scratch() {
    return SCRATCH.get();
  }

  /**
   * Σ a[off, off + LANES) (the lanes of a vector stored there) in a fixed pairwise order, in place. Kernels
   * reduce lanes this way, not with {@code reduceLanes(ADD)}: its order on floats is left open, and C2's
   * intrinsic and the Java fallback differ in the last bits, while a step computed twice from the same inputs
   * must give the same bits. Scalar code, not a helper taking a vector: C2 may decline to inline such a helper at
   * a cold call site and then boxes the vector on every call.
   */
  static float sumLanes(float[] a, int off) {
    for (int half = LANES / 2; half > 0; half /= 2) {
      for (int i = 0; i < half; i++) {
        a[off + i] += a[off + i + half];
      }
    }
    return a[off];
  }

  /**
   * Σ a[off..off+n) : float lanes within blocks of {@link #SUM_BLOCK}, each block reduced (fixed order) and
   * added in double.
   */
  static double sum(float[] a, int off, int n) {
    double total = 0;
    int i = 0;
    int bound4 = n - n % (4 * LANES);
    float[] lanes = bound4 > 0 ? scratch().lanes : null;
    while (i < bound4) {
      int end = Math.min(bound4, i + SUM_BLOCK);
      // 4 accumulators to hide add latency
      FloatVector s0 = FloatVector.zero(FLOAT), s1 = s0, s2 = s0, s3 = s0;
      for (; i < end; i += 4 * LANES) {
        s0 = s0.add(FloatVector.fromArray(FLOAT, a, off + i));
        s1 = s1.add(FloatVector.fromArray(FLOAT, a, off + i + LANES));
        s2 = s2.add(FloatVector.fromArray(FLOAT, a, off + i + 2 * LANES));
        s3 = s3.add(FloatVector.fromArray(FLOAT, a, off + i + 3 * LANES));
      }
      s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
      total += sumLanes(lanes, 0);
    }
    // scalar tail
    for (; i < n; i++) {
      total += a[off + i];
    }
    return total;
  }

  /** Scratch arrays of one thread, grown on demand and kept: steady-state calls allocate nothing. */
  static final class Scratch {
    private float[] floats = new float[0];
    private long[] longs = new long[0];
    private double[] doubles = new double[0];
    private int[] ints = new int[0];
    /** One vector's lanes, for {@link SimdLoops#sum} only (callers of sum may hold the other arrays). */
    private final float[] lanes = new float[LANES];

    float[] floats(int n) {
      if (floats.length < n) {
        floats = new float[n];
      }
      return floats;
    }

    long[] longs(int n) {
      if (longs.length < n) {
        longs = new long[n];
      }
      return longs;
    }

    int[] ints(int n) {
      if (ints.length < n) {
        ints = new int[n];
      }
      return ints;
    }

    double[] doubles(int n) {
      if (doubles.length < n) {
        doubles = new double[n];
      }
      return doubles;
    }
  }
}
