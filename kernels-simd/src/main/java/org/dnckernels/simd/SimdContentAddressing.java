package org.dnckernels.simd;

import static org.dnckernels.simd.SimdLoops.HIGH_HALVES;
import static org.dnckernels.simd.SimdLoops.LANE_OF_F1;
import static org.dnckernels.simd.SimdLoops.LANE_OF_F2;
import static org.dnckernels.simd.SimdLoops.LANE_OF_F3;
import static org.dnckernels.simd.SimdLoops.ODD_QUARTERS;
import static org.dnckernels.simd.SimdLoops.SWAP_1;
import static org.dnckernels.simd.SimdLoops.SWAP_2;
import static org.dnckernels.simd.SimdLoops.SWAP_4;
import static org.dnckernels.simd.SimdLoops.SWAP_8;
import static org.dnckernels.simd.SimdLoops.SWAP_HALVES;
import static org.dnckernels.simd.SimdLoops.SWAP_QUARTERS;
import static org.dnckernels.simd.SimdLoops.array;
import static org.dnckernels.simd.SimdLoops.offset;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.DncKernels;
import org.dnckernels.Tensor;

/**
 * Content addressing: cosine similarity of every key with every memory row, times the key strength, softmax over
 * the slots (see {@link DncKernels#contentWeights}).
 *
 * <p>Three passes per batch entry. (1) One pass over the memory rows for all H keys: rows go in groups of four
 * whose four float-lane accumulators are independent (they hide FMA latency); the first key's loop also sums the
 * squares; the group's rows stay in L1 for the other keys; after each key's loop its four accumulators are
 * reduced together (SUM_OF_4 below).
 * The raw dots go to the output rows, the row norms (double) to scratch. (2) Per key, the cosine and β in
 * double over the output row. (3) Per key, the softmax in place: max, exp ({@link SimdMath}), a sum in float
 * blocks added in double, scale. Every lane sum has {@link SimdLoops#sumLanes}' fixed order, so a result does
 * not depend on whether C2 compiled the kernel.
 */
final class SimdContentAddressing {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;
  /** lane FMA (inline at each use: a helper method taking vectors could box them). */
  private static final boolean FMA = SimdLoops.USE_FMA;
  private static final double EPS = DncKernels.EPSILON;
  /** rows per group of the similarity pass. */
  private static final int ROWS = 4;

  /*
   * SUM_OF_4: the four-row lane sums of SimdLoops (described in its comment): the four accumulators of a key, or
   * the four sums of squares, reduced together in sumLanes' order, so the same bits on every JIT tier
   * (reduceLanes(ADD)'s order differs between C2 and the interpreter). Written out inline at each use: a helper
   * taking vectors would box them. Four accumulators per fold cost 5 lane permutations where four reduceLanes
   * cost about 16. The sums land in lanes 0, LANE_OF_F1, LANE_OF_F2 and LANE_OF_F3.
   */

  private SimdContentAddressing() {}

  static void contentWeights(Tensor memory, Tensor keys, Tensor strengths, Tensor out, int b0, int b1) {
    int n = memory.dim(1), w = memory.dim(2), h = keys.dim(1);
    float[] m = array(memory), k = array(keys), beta = array(strengths), o = array(out);
    int mBase = offset(memory), kBase = offset(keys), sBase = offset(strengths), oBase = offset(out);
    // [0, h): ‖k‖ of each key; [h, h + n): ‖M[i]‖ of each row
    double[] norms = SimdLoops.scratch().doubles(h + n);
    for (int b = b0; b < b1; b++) {
      int mOff = mBase + b * n * w, kOff = kBase + b * h * w, oOff = oBase + b * h * n, sOff = sBase + b * h;
      for (int hh = 0; hh < h; hh++) {
        norms[hh] = Math.sqrt(SimdLoops.sumOfSquares(k, kOff + hh * w, w) + EPS);
      }
      dots(m, mOff, n, w, k, kOff, h, norms, o, oOff);
      for (int hh = 0; hh < h; hh++) {
        int row = oOff + hh * n;
        sharpen(o, row, n, norms, h, norms[hh], beta[sOff + hh]);
        softmaxInPlace(o, row, n);
      }
    }
  }

  /**
   * The dot products k[h]·M[i] into o[h,i] and the row norms ‖M[i]‖ into norms[h + i], in one pass over the
   * rows: groups of four rows, the first key's loop also sums the rows' squares.
   */
  private static void dots(
      float[] m, int mOff, int n, int w, float[] k, int kOff, int h, double[] norms, float[] o, int oOff) {
    int bound = SPECIES.loopBound(w);
    // two reduced vectors: dots and sums of squares
    float[] lanes = SimdLoops.scratch().floats(2 * LANES);
    int i = 0;
    for (; i + ROWS <= n; i += ROWS) {
      int r0 = mOff + i * w, r1 = r0 + w, r2 = r1 + w, r3 = r2 + w;
      // first key and the squares: eight independent accumulators
      FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
      FloatVector q0 = a0, q1 = a0, q2 = a0, q3 = a0;
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector kv = FloatVector.fromArray(SPECIES, k, kOff + j);
        FloatVector x0 = FloatVector.fromArray(SPECIES, m, r0 + j);
        FloatVector x1 = FloatVector.fromArray(SPECIES, m, r1 + j);
        FloatVector x2 = FloatVector.fromArray(SPECIES, m, r2 + j);
        FloatVector x3 = FloatVector.fromArray(SPECIES, m, r3 + j);
        a0 = FMA ? x0.fma(kv, a0) : x0.mul(kv).add(a0);
        a1 = FMA ? x1.fma(kv, a1) : x1.mul(kv).add(a1);
        a2 = FMA ? x2.fma(kv, a2) : x2.mul(kv).add(a2);
        a3 = FMA ? x3.fma(kv, a3) : x3.mul(kv).add(a3);
        q0 = FMA ? x0.fma(x0, q0) : x0.mul(x0).add(q0);
        q1 = FMA ? x1.fma(x1, q1) : x1.mul(x1).add(q1);
        q2 = FMA ? x2.fma(x2, q2) : x2.mul(x2).add(q2);
        q3 = FMA ? x3.fma(x3, q3) : x3.mul(x3).add(q3);
      }
      // lane sums of four accumulators at once, in sumLanes' fixed order (see SUM_OF_4)
      {
        FloatVector u01 = a0.blend(a1, HIGH_HALVES).add(a1.blend(a0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector u23 = a2.blend(a3, HIGH_HALVES).add(a3.blend(a2, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector x = u01.blend(u23, ODD_QUARTERS).add(u23.blend(u01, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        if (LANES >= 64) {
          x = x.add(x.rearrange(SWAP_8));
        }
        if (LANES >= 32) {
          x = x.add(x.rearrange(SWAP_4));
        }
        if (LANES >= 16) {
          x = x.add(x.rearrange(SWAP_2));
        }
        if (LANES >= 8) {
          x = x.add(x.rearrange(SWAP_1));
        }
        x.intoArray(lanes, 0);
      }
      {
        FloatVector u01 = q0.blend(q1, HIGH_HALVES).add(q1.blend(q0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector u23 = q2.blend(q3, HIGH_HALVES).add(q3.blend(q2, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector x = u01.blend(u23, ODD_QUARTERS).add(u23.blend(u01, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        if (LANES >= 64) {
          x = x.add(x.rearrange(SWAP_8));
        }
        if (LANES >= 32) {
          x = x.add(x.rearrange(SWAP_4));
        }
        if (LANES >= 16) {
          x = x.add(x.rearrange(SWAP_2));
        }
        if (LANES >= 8) {
          x = x.add(x.rearrange(SWAP_1));
        }
        x.intoArray(lanes, LANES);
      }
      float d0 = lanes[0], d1 = lanes[LANE_OF_F1], d2 = lanes[LANE_OF_F2], d3 = lanes[LANE_OF_F3];
      float s0 = lanes[LANES], s1 = lanes[LANES + LANE_OF_F1];
      float s2 = lanes[LANES + LANE_OF_F2], s3 = lanes[LANES + LANE_OF_F3];
      // scalar tail
      for (; j < w; j++) {
        float kj = k[kOff + j], x0 = m[r0 + j], x1 = m[r1 + j], x2 = m[r2 + j], x3 = m[r3 + j];
        d0 += x0 * kj;
        d1 += x1 * kj;
        d2 += x2 * kj;
        d3 += x3 * kj;
        s0 += x0 * x0;
        s1 += x1 * x1;
        s2 += x2 * x2;
        s3 += x3 * x3;
      }
      norms[h + i] = Math.sqrt(s0 + EPS);
      norms[h + i + 1] = Math.sqrt(s1 + EPS);
      norms[h + i + 2] = Math.sqrt(s2 + EPS);
      norms[h + i + 3] = Math.sqrt(s3 + EPS);
      store4(o, oOff + i, d0, d1, d2, d3);
      // other keys: the group's rows are in L1 now
      for (int hh = 1; hh < h; hh++) {
        int kh = kOff + hh * w;
        a0 = FloatVector.zero(SPECIES);
        a1 = a0;
        a2 = a0;
        a3 = a0;
        j = 0;
        for (; j < bound; j += LANES) {
          FloatVector kv = FloatVector.fromArray(SPECIES, k, kh + j);
          FloatVector x0 = FloatVector.fromArray(SPECIES, m, r0 + j);
          FloatVector x1 = FloatVector.fromArray(SPECIES, m, r1 + j);
          FloatVector x2 = FloatVector.fromArray(SPECIES, m, r2 + j);
          FloatVector x3 = FloatVector.fromArray(SPECIES, m, r3 + j);
          a0 = FMA ? x0.fma(kv, a0) : x0.mul(kv).add(a0);
          a1 = FMA ? x1.fma(kv, a1) : x1.mul(kv).add(a1);
          a2 = FMA ? x2.fma(kv, a2) : x2.mul(kv).add(a2);
          a3 = FMA ? x3.fma(kv, a3) : x3.mul(kv).add(a3);
        }
        {
          FloatVector u01 = a0.blend(a1, HIGH_HALVES).add(a1.blend(a0, HIGH_HALVES).rearrange(SWAP_HALVES));
          FloatVector u23 = a2.blend(a3, HIGH_HALVES).add(a3.blend(a2, HIGH_HALVES).rearrange(SWAP_HALVES));
          FloatVector x = u01.blend(u23, ODD_QUARTERS).add(u23.blend(u01, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
          if (LANES >= 64) {
            x = x.add(x.rearrange(SWAP_8));
          }
          if (LANES >= 32) {
            x = x.add(x.rearrange(SWAP_4));
          }
          if (LANES >= 16) {
            x = x.add(x.rearrange(SWAP_2));
          }
          if (LANES >= 8) {
            x = x.add(x.rearrange(SWAP_1));
          }
          x.intoArray(lanes, 0);
        }
        d0 = lanes[0];
        d1 = lanes[LANE_OF_F1];
        d2 = lanes[LANE_OF_F2];
        d3 = lanes[LANE_OF_F3];
        for (; j < w; j++) {
          float kj = k[kh + j];
          d0 += m[r0 + j] * kj;
          d1 += m[r1 + j] * kj;
          d2 += m[r2 + j] * kj;
          d3 += m[r3 + j] * kj;
        }
        store4(o, oOff + hh * n + i, d0, d1, d2, d3);
      }
    }
    // row tail: one row at a time
    for (; i < n; i++) {
      int r = mOff + i * w;
      norms[h + i] = Math.sqrt(SimdLoops.sumOfSquares(m, r, w) + EPS);
      for (int hh = 0; hh < h; hh++) {
        o[oOff + hh * n + i] = (float) SimdLoops.dot(m, r, k, kOff + hh * w, w);
      }
    }
  }

  private static void store4(float[] o, int at, float d0, float d1, float d2, float d3) {
    o[at] = d0;
    o[at + 1] = d1;
    o[at + 2] = d2;
    o[at + 3] = d3;
  }

  /**
   * z[i] = β · dot[i] / (‖k‖ ‖M[i]‖ + ε) in double, in place over one output row, clamped to the float range so
   * that the softmax never sees ∞ − ∞. A plain loop of independent iterations: C2 vectorises it (double
   * division in lanes), which costs as little as float math in the pass above would.
   */
  private static void sharpen(float[] o, int off, int n, double[] norms, int rowNorms, double keyNorm, double beta) {
    for (int i = 0; i < n; i++) {
      double z = beta * (o[off + i] / (keyNorm * norms[rowNorms + i] + EPS));
      o[off + i] = (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, z));
    }
  }

  /**
   * Softmax of x[off, off+n) in place, max-subtracted: exp in float lanes ({@link SimdMath}, same bits on every
   * JIT tier), summed in float blocks finished in double, then scaled by 1/sum.
   */
  private static void softmaxInPlace(float[] x, int off, int n) {
    float max = SimdLoops.max(x, off, n);
    SimdMath.expMinus(x, off, n, max);
    SimdLoops.scale(x, off, n, (float) (1.0 / SimdLoops.sum(x, off, n)));
  }
}
