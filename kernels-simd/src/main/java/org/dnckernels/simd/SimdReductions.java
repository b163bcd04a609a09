package org.dnckernels.simd;

import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdLanes.SWAP_1;
import static org.dnckernels.simd.SimdLanes.SWAP_2;
import static org.dnckernels.simd.SimdLanes.SWAP_4;
import static org.dnckernels.simd.SimdLanes.SWAP_8;
import static org.dnckernels.simd.SimdLanes.SWAP_HALVES;
import static org.dnckernels.simd.SimdLanes.SWAP_QUARTERS;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Array reductions shared by the SIMD kernels, in the Lucene layout: an unrolled main loop with independent
 * accumulators, a one-vector tail, a scalar tail; lanes reduced once, after the loop, in
 * {@link SimdLanes#sumLanes}' order; sums finished in double. They take arrays and return scalars: none takes or
 * returns a vector (across a call that C2 does not inline, a vector is boxed).
 */
final class SimdReductions {
  /** Elements summed in float lanes before the partial sum moves to double (bounds float error growth). */
  static final int SUM_BLOCK = 1024;

  private SimdReductions() {}

  /**
   * Σ a[off..off+n) : float lanes within blocks of {@link #SUM_BLOCK}, each block reduced (fixed order) and
   * added in double.
   */
  static double sum(float[] a, int off, int n) {
    double total = 0;
    int i = 0;
    int bound4 = n - n % (4 * LANES);
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
      // sumLanes' order in registers (the levels above LANE_OF_F1): cheaper than through memory
      FloatVector v = s0.add(s1).add(s2.add(s3));
      v = v.add(v.rearrange(SWAP_HALVES));
      v = v.add(v.rearrange(SWAP_QUARTERS));
      v = SWAP_8 == null ? v : v.add(v.rearrange(SWAP_8));
      v = SWAP_4 == null ? v : v.add(v.rearrange(SWAP_4));
      v = SWAP_2 == null ? v : v.add(v.rearrange(SWAP_2));
      v = SWAP_1 == null ? v : v.add(v.rearrange(SWAP_1));
      total += v.lane(0);
    }
    // one-vector tail: rows of a few vectors (small memories) stay in lanes
    int bound = FLOAT.loopBound(n);
    if (i < bound) {
      FloatVector v = FloatVector.fromArray(FLOAT, a, off + i);
      for (i += LANES; i < bound; i += LANES) {
        v = v.add(FloatVector.fromArray(FLOAT, a, off + i));
      }
      v = v.add(v.rearrange(SWAP_HALVES));
      v = v.add(v.rearrange(SWAP_QUARTERS));
      v = SWAP_8 == null ? v : v.add(v.rearrange(SWAP_8));
      v = SWAP_4 == null ? v : v.add(v.rearrange(SWAP_4));
      v = SWAP_2 == null ? v : v.add(v.rearrange(SWAP_2));
      v = SWAP_1 == null ? v : v.add(v.rearrange(SWAP_1));
      total += v.lane(0);
    }
    // scalar tail
    for (; i < n; i++) {
      total += a[off + i];
    }
    return total;
  }

  /** Σ x² over x[off, off+len), float lanes reduced in {@link SimdLanes#sumLanes}' order, returned as double. */
  static double sumOfSquares(float[] x, int off, int len) {
    return dot(x, off, x, off, len);
  }

  /** x[xOff..]·y[yOff..] over len elements, float lanes reduced in {@link SimdLanes#sumLanes}' order, as double. */
  static double dot(float[] x, int xOff, float[] y, int yOff, int len) {
    int i = 0;
    float sum = 0;
    if (len >= LANES) {
      // 4 accumulators to hide FMA latency
      FloatVector a0 = FloatVector.zero(FLOAT), a1 = a0, a2 = a0, a3 = a0;
      int bound4 = len - 4 * LANES + 1;
      for (; i < bound4; i += 4 * LANES) {
        FloatVector x0 = FloatVector.fromArray(FLOAT, x, xOff + i);
        FloatVector x1 = FloatVector.fromArray(FLOAT, x, xOff + i + LANES);
        FloatVector x2 = FloatVector.fromArray(FLOAT, x, xOff + i + 2 * LANES);
        FloatVector x3 = FloatVector.fromArray(FLOAT, x, xOff + i + 3 * LANES);
        FloatVector y0 = FloatVector.fromArray(FLOAT, y, yOff + i);
        FloatVector y1 = FloatVector.fromArray(FLOAT, y, yOff + i + LANES);
        FloatVector y2 = FloatVector.fromArray(FLOAT, y, yOff + i + 2 * LANES);
        FloatVector y3 = FloatVector.fromArray(FLOAT, y, yOff + i + 3 * LANES);
        a0 = USE_FMA ? x0.fma(y0, a0) : x0.mul(y0).add(a0);
        a1 = USE_FMA ? x1.fma(y1, a1) : x1.mul(y1).add(a1);
        a2 = USE_FMA ? x2.fma(y2, a2) : x2.mul(y2).add(a2);
        a3 = USE_FMA ? x3.fma(y3, a3) : x3.mul(y3).add(a3);
      }
      // one-vector tail
      int bound = FLOAT.loopBound(len);
      for (; i < bound; i += LANES) {
        FloatVector x0 = FloatVector.fromArray(FLOAT, x, xOff + i);
        FloatVector y0 = FloatVector.fromArray(FLOAT, y, yOff + i);
        a0 = USE_FMA ? x0.fma(y0, a0) : x0.mul(y0).add(a0);
      }
      // sumLanes' order, in registers (as in sum)
      FloatVector v = a0.add(a1).add(a2.add(a3));
      v = v.add(v.rearrange(SWAP_HALVES));
      v = v.add(v.rearrange(SWAP_QUARTERS));
      v = SWAP_8 == null ? v : v.add(v.rearrange(SWAP_8));
      v = SWAP_4 == null ? v : v.add(v.rearrange(SWAP_4));
      v = SWAP_2 == null ? v : v.add(v.rearrange(SWAP_2));
      v = SWAP_1 == null ? v : v.add(v.rearrange(SWAP_1));
      sum = v.lane(0);
    }
    // scalar tail
    for (; i < len; i++) {
      sum += x[xOff + i] * y[yOff + i];
    }
    return sum;
  }

  /** max of x[off, off+len), len ≥ 1 (a max does not depend on the reduction order). */
  static float max(float[] x, int off, int len) {
    int i = 0;
    float max = Float.NEGATIVE_INFINITY;
    if (len >= LANES) {
      FloatVector a0 = FloatVector.broadcast(FLOAT, Float.NEGATIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
      int bound4 = len - 4 * LANES + 1;
      for (; i < bound4; i += 4 * LANES) {
        a0 = a0.max(FloatVector.fromArray(FLOAT, x, off + i));
        a1 = a1.max(FloatVector.fromArray(FLOAT, x, off + i + LANES));
        a2 = a2.max(FloatVector.fromArray(FLOAT, x, off + i + 2 * LANES));
        a3 = a3.max(FloatVector.fromArray(FLOAT, x, off + i + 3 * LANES));
      }
      int bound = FLOAT.loopBound(len);
      for (; i < bound; i += LANES) {
        a0 = a0.max(FloatVector.fromArray(FLOAT, x, off + i));
      }
      max = a0.max(a1).max(a2.max(a3)).reduceLanes(VectorOperators.MAX);
    }
    for (; i < len; i++) {
      max = Math.max(max, x[off + i]);
    }
    return max;
  }

  /** x[off, off+len) *= s. */
  static void scale(float[] x, int off, int len, float s) {
    int i = 0;
    int bound = FLOAT.loopBound(len);
    for (; i < bound; i += LANES) {
      FloatVector.fromArray(FLOAT, x, off + i).mul(s).intoArray(x, off + i);
    }
    for (; i < len; i++) {
      x[off + i] *= s;
    }
  }
}
