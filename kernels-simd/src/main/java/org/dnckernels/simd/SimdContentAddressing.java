package org.dnckernels.simd;

import static org.dnckernels.simd.SimdLoops.array;
import static org.dnckernels.simd.SimdLoops.offset;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.DncKernels;
import org.dnckernels.Tensor;

/**
 * Content addressing: cosine similarity of every key with every memory row, times the key strength, softmax over
 * the slots (see {@link DncKernels#contentWeights}).
 *
 * <p>Three passes per batch entry. (1) One pass over the memory rows for all H keys: rows go in groups of four
 * whose four float-lane accumulators are independent (they hide FMA latency); the first key's loop also sums the
 * squares; the group's rows stay in L1 for the other keys; one lane reduction per row and key, after its loop.
 * The raw dots go to the output rows, the row norms (double) to scratch. (2) Per key, the cosine and β in
 * double over the output row. (3) Per key, the softmax in place: max, vectorised exp summed in short float
 * blocks added in double, scale.
 */
final class SimdContentAddressing {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;
  /** lane FMA (inline at each use: a helper method taking vectors could box them). */
  private static final boolean FMA = SimdVectors.USE_FMA;
  private static final double EPS = DncKernels.EPSILON;
  /** rows per group of the similarity pass. */
  private static final int ROWS = 4;
  /** vectors per block of the softmax sum: the float partial sums stay short, the total is in double. */
  private static final int SUM_BLOCK = 16;

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
        norms[hh] = Math.sqrt(SimdVectors.sumOfSquares(k, kOff + hh * w, w) + EPS);
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
      float d0 = a0.reduceLanes(VectorOperators.ADD), d1 = a1.reduceLanes(VectorOperators.ADD);
      float d2 = a2.reduceLanes(VectorOperators.ADD), d3 = a3.reduceLanes(VectorOperators.ADD);
      float s0 = q0.reduceLanes(VectorOperators.ADD), s1 = q1.reduceLanes(VectorOperators.ADD);
      float s2 = q2.reduceLanes(VectorOperators.ADD), s3 = q3.reduceLanes(VectorOperators.ADD);
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
        d0 = a0.reduceLanes(VectorOperators.ADD);
        d1 = a1.reduceLanes(VectorOperators.ADD);
        d2 = a2.reduceLanes(VectorOperators.ADD);
        d3 = a3.reduceLanes(VectorOperators.ADD);
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
      norms[h + i] = Math.sqrt(SimdVectors.sumOfSquares(m, r, w) + EPS);
      for (int hh = 0; hh < h; hh++) {
        o[oOff + hh * n + i] = (float) SimdVectors.dot(m, r, k, kOff + hh * w, w);
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

  /** Softmax of x[off, off+n) in place, max-subtracted. */
  private static void softmaxInPlace(float[] x, int off, int n) {
    float max = SimdVectors.max(x, off, n);
    FloatVector vmax = FloatVector.broadcast(SPECIES, max);
    int bound = SPECIES.loopBound(n);
    double sum = 0;
    int i = 0;
    // exp in place, summed in short float blocks added up in double
    while (i < bound) {
      int blockEnd = Math.min(bound, i + SUM_BLOCK * LANES);
      FloatVector acc = FloatVector.zero(SPECIES);
      for (; i < blockEnd; i += LANES) {
        FloatVector e = FloatVector.fromArray(SPECIES, x, off + i).sub(vmax).lanewise(VectorOperators.EXP);
        e.intoArray(x, off + i);
        acc = acc.add(e);
      }
      sum += acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < n; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      x[off + i] = e;
      sum += e;
    }
    SimdVectors.scale(x, off, n, (float) (1.0 / sum));
  }
}
