package org.dnckernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Loop helpers shared by the SIMD kernels: the Lucene layout of an unrolled main loop with independent
 * accumulators to the loop bound, a one-vector tail, then a scalar tail, and one lane reduction at the end.
 */
final class SimdVectors {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;

  /**
   * Whether lane FMAs are used: {@code -Ddnc.kernels.simd.fma=true|false}, else HotSpot's UseFMA (without
   * hardware FMA the Vector API emulates it lane by lane, far slower than a multiply and an add).
   */
  static final boolean USE_FMA = useFma();

  private SimdVectors() {}

  /**
   * a·b + c, fused where that is fast. Only for code that C2 is sure to inline it into: across a real call the
   * vectors are boxed (heap objects), and a big compiled method stops inlining ordinary callees once it reaches
   * its size limit. In hot loops write {@code USE_FMA ? a.fma(b, c) : a.mul(b).add(c)} inline instead (the JDK's
   * own vector methods are force-inlined); this project's kernels do.
   */
  static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
    return USE_FMA ? a.fma(b, c) : a.mul(b).add(c);
  }

  private static boolean useFma() {
    String forced = System.getProperty("dnc.kernels.simd.fma");
    if (forced != null && !forced.isBlank()) {
      return Boolean.parseBoolean(forced.trim());
    }
    return SimdBackendProvider.hotSpotFlag("UseFMA", "true").equals("true");
  }

  /** Σ x² over x[off, off+len), float lanes, returned as double. */
  static double sumOfSquares(float[] x, int off, int len) {
    int i = 0;
    float sum = 0;
    if (len >= LANES) {
      // 4 accumulators to hide FMA latency
      FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
      int bound4 = len - 4 * LANES + 1;
      for (; i < bound4; i += 4 * LANES) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, x, off + i);
        FloatVector x1 = FloatVector.fromArray(SPECIES, x, off + i + LANES);
        FloatVector x2 = FloatVector.fromArray(SPECIES, x, off + i + 2 * LANES);
        FloatVector x3 = FloatVector.fromArray(SPECIES, x, off + i + 3 * LANES);
        a0 = USE_FMA ? x0.fma(x0, a0) : x0.mul(x0).add(a0);
        a1 = USE_FMA ? x1.fma(x1, a1) : x1.mul(x1).add(a1);
        a2 = USE_FMA ? x2.fma(x2, a2) : x2.mul(x2).add(a2);
        a3 = USE_FMA ? x3.fma(x3, a3) : x3.mul(x3).add(a3);
      }
      // one-vector tail
      int bound = SPECIES.loopBound(len);
      for (; i < bound; i += LANES) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, x, off + i);
        a0 = USE_FMA ? x0.fma(x0, a0) : x0.mul(x0).add(a0);
      }
      sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
    // scalar tail
    for (; i < len; i++) {
      float v = x[off + i];
      sum += v * v;
    }
    return sum;
  }

  /** x[xOff..]·y[yOff..] over len elements, float lanes, returned as double. */
  static double dot(float[] x, int xOff, float[] y, int yOff, int len) {
    int i = 0;
    float sum = 0;
    if (len >= LANES) {
      FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
      int bound4 = len - 4 * LANES + 1;
      for (; i < bound4; i += 4 * LANES) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, x, xOff + i);
        FloatVector x1 = FloatVector.fromArray(SPECIES, x, xOff + i + LANES);
        FloatVector x2 = FloatVector.fromArray(SPECIES, x, xOff + i + 2 * LANES);
        FloatVector x3 = FloatVector.fromArray(SPECIES, x, xOff + i + 3 * LANES);
        FloatVector y0 = FloatVector.fromArray(SPECIES, y, yOff + i);
        FloatVector y1 = FloatVector.fromArray(SPECIES, y, yOff + i + LANES);
        FloatVector y2 = FloatVector.fromArray(SPECIES, y, yOff + i + 2 * LANES);
        FloatVector y3 = FloatVector.fromArray(SPECIES, y, yOff + i + 3 * LANES);
        a0 = USE_FMA ? x0.fma(y0, a0) : x0.mul(y0).add(a0);
        a1 = USE_FMA ? x1.fma(y1, a1) : x1.mul(y1).add(a1);
        a2 = USE_FMA ? x2.fma(y2, a2) : x2.mul(y2).add(a2);
        a3 = USE_FMA ? x3.fma(y3, a3) : x3.mul(y3).add(a3);
      }
      int bound = SPECIES.loopBound(len);
      for (; i < bound; i += LANES) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, x, xOff + i);
        FloatVector y0 = FloatVector.fromArray(SPECIES, y, yOff + i);
        a0 = USE_FMA ? x0.fma(y0, a0) : x0.mul(y0).add(a0);
      }
      sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      sum += x[xOff + i] * y[yOff + i];
    }
    return sum;
  }

  /** max of x[off, off+len), len ≥ 1. */
  static float max(float[] x, int off, int len) {
    int i = 0;
    float max = Float.NEGATIVE_INFINITY;
    if (len >= LANES) {
      FloatVector a0 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
      int bound4 = len - 4 * LANES + 1;
      for (; i < bound4; i += 4 * LANES) {
        a0 = a0.max(FloatVector.fromArray(SPECIES, x, off + i));
        a1 = a1.max(FloatVector.fromArray(SPECIES, x, off + i + LANES));
        a2 = a2.max(FloatVector.fromArray(SPECIES, x, off + i + 2 * LANES));
        a3 = a3.max(FloatVector.fromArray(SPECIES, x, off + i + 3 * LANES));
      }
      int bound = SPECIES.loopBound(len);
      for (; i < bound; i += LANES) {
        a0 = a0.max(FloatVector.fromArray(SPECIES, x, off + i));
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
    int bound = SPECIES.loopBound(len);
    for (; i < bound; i += LANES) {
      FloatVector.fromArray(SPECIES, x, off + i).mul(s).intoArray(x, off + i);
    }
    for (; i < len; i++) {
      x[off + i] *= s;
    }
  }
}
