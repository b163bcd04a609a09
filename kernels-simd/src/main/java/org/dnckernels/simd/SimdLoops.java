package org.dnckernels.simd;

import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import org.dnckernels.HostTensor;
import org.dnckernels.Tensor;

/**
 * Loop helpers shared by the SIMD kernels: host tensor access, a deterministic lane sum, array reductions (the
 * Lucene layout: an unrolled main loop with independent accumulators, a one-vector tail, a scalar tail), a
 * blocked sum that finishes in double. Helpers take arrays and return scalars:
 * none takes or returns a vector (across a call that C2 does not inline, a vector is boxed).
 */
final class SimdLoops {
  /**
   * Whether lane FMAs are used: {@code -Ddnc.kernels.simd.fma=true|false}, else HotSpot's UseFMA (without
   * hardware FMA the Vector API emulates it lane by lane, far slower than a multiply and an add). Kernels write
   * {@code USE_FMA ? a.fma(b, c) : a.mul(b).add(c)} inline at each use.
   */
  static final boolean USE_FMA = useFma();

  /** Elements summed in float lanes before the partial sum moves to double (bounds float error growth). */
  static final int SUM_BLOCK = 1024;

  // The four-row lane sums. For accumulators v0..v3: u01 = v0.blend(v1, HIGH_HALVES) + v1.blend(v0, HIGH_HALVES)
  // .rearrange(SWAP_HALVES), u23 likewise from v2, v3; x = u01.blend(u23, ODD_QUARTERS) + u23.blend(u01,
  // ODD_QUARTERS).rearrange(SWAP_QUARTERS) (its quarters now hold v0, v2, v1, v3); then x += x.rearrange(S) for
  // S = SWAP_8, SWAP_4, SWAP_2, SWAP_1, each where this species has it (not null). The sums of v0..v3 are then in
  // lanes 0, LANE_OF_F1, LANE_OF_F2, LANE_OF_F3, bit for bit sumLanes' order (the same pairs are added at each
  // level; float addition commutes). Constants, so C2 turns them into single blends and permutes. Written out
  // inline where used (SimdContentAddressing, SimdTemporalLinkage; sum and dot run the same levels on one
  // vector): a helper taking vectors boxes them unless C2 inlines it, and the link kernels sit at C2's inlining
  // node cutoff. The array form these replaced there was inlined in some compilations and not in others; left
  // out of line it is slow (docs/simd.md).
  static final VectorMask<Float> HIGH_HALVES = lanesWhere(LANES / 2, 1);
  static final VectorMask<Float> ODD_QUARTERS = lanesWhere(LANES / 4, 1);
  static final VectorShuffle<Float> SWAP_HALVES = swapGroups(LANES / 2);
  static final VectorShuffle<Float> SWAP_QUARTERS = swapGroups(LANES / 4);
  static final VectorShuffle<Float> SWAP_8 = LANES >= 64 ? swapGroups(8) : null;
  static final VectorShuffle<Float> SWAP_4 = LANES >= 32 ? swapGroups(4) : null;
  static final VectorShuffle<Float> SWAP_2 = LANES >= 16 ? swapGroups(2) : null;
  static final VectorShuffle<Float> SWAP_1 = LANES >= 8 ? swapGroups(1) : null;
  /** After those levels, the lanes that hold the sums of the second, third and fourth vector (the first's: 0). */
  static final int LANE_OF_F1 = LANES / 2, LANE_OF_F2 = LANES / 4, LANE_OF_F3 = 3 * LANES / 4;

  private SimdLoops() {}

  /** Lanes i with (i / group) % 2 == parity. */
  private static VectorMask<Float> lanesWhere(int group, int parity) {
    boolean[] bits = new boolean[LANES];
    for (int i = 0; i < LANES; i++) {
      bits[i] = (i / group) % 2 == parity;
    }
    return VectorMask.fromArray(FLOAT, bits, 0);
  }

  /** Lane i takes lane i xor group: neighbouring groups of {@code group} lanes trade places. */
  private static VectorShuffle<Float> swapGroups(int group) {
    return VectorShuffle.fromOp(FLOAT, i -> i ^ group);
  }

  private static boolean useFma() {
    String forced = System.getProperty("dnc.kernels.simd.fma");
    if (forced != null && !forced.isBlank()) {
      return Boolean.parseBoolean(forced.trim());
    }
    return SimdBackendProvider.hotSpotFlag("UseFMA", "true").equals("true");
  }

  /**
   * a·b + c rounded as the lane code rounds {@code a.fma(b, c)} or {@code a.mul(b).add(c)}: scalar tails use it
   * so that an element gives the same bits in a tail as in a vector lane (equal inputs, equal outputs).
   */
  static float madd(float a, float b, float c) {
    return USE_FMA ? Math.fma(a, b, c) : a * b + c;
  }

  static float[] array(Tensor t) {
    return ((HostTensor) t).array();
  }

  static int offset(Tensor t) {
    return ((HostTensor) t).offset();
  }

  /**
   * Σ a[off, off + LANES) (the lanes of a vector stored there) in a fixed pairwise order, in place. Kernels
   * reduce lanes this way, not with {@code reduceLanes(ADD)}: its order on floats is left open, and C2's
   * intrinsic and the Java fallback differ in the last bits, while a step computed twice from the same inputs
   * must give the same bits. Scalar code, not a helper taking a vector: C2 may decline to inline such a helper at
   * a cold call site and then boxes the vector on every call. {@link #sum}, {@link #dot} and the kernels' hot
   * loops add the same pairs in registers, written out inline (the levels listed above LANE_OF_F1); this form
   * serves cold paths, such as the link kernels' rows left over from their four-row blocks.
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
    // scalar tail
    for (; i < n; i++) {
      total += a[off + i];
    }
    return total;
  }

  /** Σ x² over x[off, off+len), float lanes reduced in {@link #sumLanes}' order, returned as double. */
  static double sumOfSquares(float[] x, int off, int len) {
    return dot(x, off, x, off, len);
  }

  /** x[xOff..]·y[yOff..] over len elements, float lanes reduced in {@link #sumLanes}' order, as double. */
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
