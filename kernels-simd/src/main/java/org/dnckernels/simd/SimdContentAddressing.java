package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdLanes.HIGH_HALVES;
import static org.dnckernels.simd.SimdLanes.LANE_OF_F1;
import static org.dnckernels.simd.SimdLanes.LANE_OF_F2;
import static org.dnckernels.simd.SimdLanes.LANE_OF_F3;
import static org.dnckernels.simd.SimdLanes.ODD_QUARTERS;
import static org.dnckernels.simd.SimdLanes.SWAP_1;
import static org.dnckernels.simd.SimdLanes.SWAP_2;
import static org.dnckernels.simd.SimdLanes.SWAP_4;
import static org.dnckernels.simd.SimdLanes.SWAP_8;
import static org.dnckernels.simd.SimdLanes.SWAP_HALVES;
import static org.dnckernels.simd.SimdLanes.SWAP_QUARTERS;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Content addressing: cosine similarity of every key with every memory row, times the key strength, softmax over
 * the slots (see {@link DncKernels#contentWeights}).
 *
 * <p>Three passes, each over a chunk of batch entries whose output rows fit in L1 ({@link #CHUNK_FLOATS}), every row of
 * the chunk through a pass before the next pass: a short row's pass is a chain of dependent lane sums, and independent
 * rows side by side overlap their chains (row after row, the read content weights at 16×16×16×4 took 1.8× as long;
 * docs/simd.md). Rows only change order, so every row keeps its bits. (1) Per entry, one pass over the memory rows for
 * all H keys: rows go in groups of four whose float-lane accumulators are independent (they hide FMA latency). Over a
 * group, keys go four at a time: sixteen accumulators, and the four keys' lane sums (SUM_OF_4 below) overlap; one key
 * at a time, each key's sums waited on the previous key's (docs/simd.md). Keys left over go one at a time; the first
 * key loop also sums the squares; the group's rows stay in L1 for the keys after the first. The raw dots go to the
 * output rows, the squared row norms (double) to scratch, and their square roots are taken afterwards in one loop that
 * C2 vectorises. A last group of fewer than four rows repeats its last row, so every row gets the same operations and
 * equal rows get equal bits. (2) Per row, the cosine and β in double; where ‖k‖ ‖M[i]‖ could overflow float (magnitudes
 * near 1e19 and above) the key's logits are recomputed in double instead, so every finite input gives finite weights.
 * (3) The softmax in place: max, exp ({@link SimdMath}), a sum in float blocks added in double, scale, each over every
 * row of the chunk before the next. Every lane sum has {@link SimdLanes#sumLanes}' fixed order, so a result does not
 * depend on whether C2 compiled the kernel.
 */
final class SimdContentAddressing implements KernelMath.ContentAddressing {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;
  /** doubles in a vector of the float species' size: the cosines' double math in lanes. */
  private static final VectorSpecies<Double> DOUBLE = VectorSpecies.of(double.class, SPECIES.vectorShape());
  private static final int DOUBLE_LANES = DOUBLE.length();
  /** the floats that convert to one {@link #DOUBLE} vector. */
  private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,
      VectorShape.forBitSize(SPECIES.vectorBitSize() / 2));
  /** lane FMA (inline at each use: a helper method taking vectors could box them). */
  private static final boolean FMA = SimdConfig.USE_FMA;
  private static final double EPS = DncKernels.EPSILON;
  /**
   * Largest ‖k‖ ‖M[i]‖ (float sums of squares, so overflowed ones are ∞) for which the float pass is used: a
   * quarter of the float range, far more headroom than the sums' rounding needs. Above it the key's logits are
   * recomputed in double ({@link #exactLogits}), so magnitudes up to Float.MAX_VALUE give finite weights.
   */
  static final double FLOAT_SAFE = 0x1p126;
  /**
   * Floats of output rows (H·N per batch entry) that a chunk of entries runs through each phase together: 16 KiB,
   * so the rows stay in L1 from the dots to the softmax.
   */
  static final int CHUNK_FLOATS = 4096;
  /** rows per group of the similarity pass. */
  private static final int ROWS = 4;

  /*
   * SUM_OF_4: the four-row lane sums of SimdLanes (described in its comment): the four accumulators of a key, or
   * the four sums of squares, reduced together in sumLanes' order, so the same bits on every JIT tier
   * (reduceLanes(ADD)'s order differs between C2 and the interpreter). Written out inline at each use: a helper
   * taking vectors would box them. Four accumulators per fold cost 5 lane permutations where four reduceLanes
   * cost about 16. The sums land in lanes 0, LANE_OF_F1, LANE_OF_F2 and LANE_OF_F3.
   */

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdContentAddressing(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void contentWeights(Tensor memory, Tensor keys, Tensor strengths, Tensor out, int b0, int b1) {
    long work = (long) (b1 - b0) * (keys.dim(1) + 1) * memory.dim(1) * memory.dim(2);
    int parts = split.acquire(b0, b1, memory.dim(0), work);
    if (parts == 1) {
      contentWeightsSlice(memory, keys, strengths, out, b0, b1);
      return;
    }
    call.memory = memory;
    call.keys = keys;
    call.strengths = strengths;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor memory;
    Tensor keys;
    Tensor strengths;
    Tensor out;

    @Override
    public void run(int b0, int b1) {
      contentWeightsSlice(memory, keys, strengths, out, b0, b1);
    }

    @Override
    public void clear() {
      memory = keys = strengths = out = null;
    }
  }

  static void contentWeightsSlice(Tensor memory, Tensor keys, Tensor strengths, Tensor out, int b0, int b1) {
    int n = memory.dim(1), w = memory.dim(2), h = keys.dim(1);
    float[] m = array(memory), k = array(keys), beta = array(strengths), o = array(out);
    int mBase = offset(memory), kBase = offset(keys), sBase = offset(strengths), oBase = offset(out);
    int chunk = Math.max(1, Math.min(b1 - b0, CHUNK_FLOATS / (h * n))), stride = h + n;
    HostScratch scratch = HostScratch.get();
    // per entry of the chunk: [0, h) ‖k‖ of each key, [h, h + n) ‖M[i]‖ of each row; and the largest ‖M[i]‖
    double[] norms = scratch.doubles(0, chunk * stride);
    double[] rowMax = scratch.doubles(1, chunk);
    float[] perRow = scratch.floats(0, chunk * h);
    for (int c0 = b0; c0 < b1; c0 += chunk) {
      int c1 = Math.min(b1, c0 + chunk);
      for (int b = c0; b < c1; b++) {
        int at = (b - c0) * stride, kOff = kBase + b * h * w;
        for (int hh = 0; hh < h; hh++) {
          norms[at + hh] = Math.sqrt(SimdReductions.sumOfSquares(k, kOff + hh * w, w) + EPS);
        }
        dots(m, mBase + b * n * w, n, w, k, kOff, h, norms, at, o, oBase + b * h * n);
        double max = 0;
        for (int i = at + h; i < at + stride; i++) {
          max = Math.max(max, norms[i]);
        }
        rowMax[b - c0] = max;
      }
      for (int b = c0; b < c1; b++) {
        int at = (b - c0) * stride;
        for (int hh = 0; hh < h; hh++) {
          int row = oBase + (b * h + hh) * n;
          // |k·M[i]| ≤ ‖k‖ ‖M[i]‖ bounds every float partial sum: below FLOAT_SAFE none overflowed
          if (norms[at + hh] * rowMax[b - c0] < FLOAT_SAFE) {
            sharpen(o, row, n, norms, at + h, norms[at + hh], beta[sBase + b * h + hh]);
          } else {
            exactLogits(m, mBase + b * n * w, n, w, k, kBase + (b * h + hh) * w, beta[sBase + b * h + hh], o, row);
          }
        }
      }
      softmaxRows(o, oBase + c0 * h * n, (c1 - c0) * h, n, perRow);
    }
  }

  /**
   * The dot products k[h]·M[i] into o[h,i] and the row norms ‖M[i]‖ into norms[normsOff + h + i], in one pass
   * over the rows: groups of four rows; over a group, keys four at a time (sixteen independent accumulators: the
   * keys' folds overlap instead of waiting on each other), then the keys left over one at a time. The first key
   * loop also sums the rows' squares. The backward ({@link SimdContentAddressingBackward}) recomputes its cosines with
   * it, so both see the same bits.
   */
  static void dots(float[] m, int mOff, int n, int w, float[] k, int kOff, int h, double[] norms, int normsOff,
      float[] o, int oOff) {
    int rowNorms = normsOff + h;
    int bound = SPECIES.loopBound(w);
    int i = 0;
    for (; i < n; i += ROWS) {
      // the last group repeats its last row: rows left over get the same operations, so equal rows equal bits
      int valid = Math.min(ROWS, n - i);
      int r0 = mOff + i * w, r1 = valid > 1 ? r0 + w : r0, r2 = valid > 2 ? r1 + w : r1, r3 = valid > 3 ? r2 + w : r2;
      int hh = 0;
      for (; hh + 4 <= h; hh += 4) {
        int ka = kOff + hh * w, kb = ka + w, kc = kb + w, kd = kc + w, oa = oOff + hh * n + i;
        boolean squares = hh == 0;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        FloatVector q0 = a0, q1 = a0, q2 = a0, q3 = a0;
        int j = 0;
        for (; j < bound; j += LANES) {
          FloatVector x0 = FloatVector.fromArray(SPECIES, m, r0 + j);
          FloatVector x1 = FloatVector.fromArray(SPECIES, m, r1 + j);
          FloatVector x2 = FloatVector.fromArray(SPECIES, m, r2 + j);
          FloatVector x3 = FloatVector.fromArray(SPECIES, m, r3 + j);
          FloatVector kv = FloatVector.fromArray(SPECIES, k, ka + j);
          a0 = FMA ? x0.fma(kv, a0) : x0.mul(kv).add(a0);
          a1 = FMA ? x1.fma(kv, a1) : x1.mul(kv).add(a1);
          a2 = FMA ? x2.fma(kv, a2) : x2.mul(kv).add(a2);
          a3 = FMA ? x3.fma(kv, a3) : x3.mul(kv).add(a3);
          kv = FloatVector.fromArray(SPECIES, k, kb + j);
          b0 = FMA ? x0.fma(kv, b0) : x0.mul(kv).add(b0);
          b1 = FMA ? x1.fma(kv, b1) : x1.mul(kv).add(b1);
          b2 = FMA ? x2.fma(kv, b2) : x2.mul(kv).add(b2);
          b3 = FMA ? x3.fma(kv, b3) : x3.mul(kv).add(b3);
          kv = FloatVector.fromArray(SPECIES, k, kc + j);
          c0 = FMA ? x0.fma(kv, c0) : x0.mul(kv).add(c0);
          c1 = FMA ? x1.fma(kv, c1) : x1.mul(kv).add(c1);
          c2 = FMA ? x2.fma(kv, c2) : x2.mul(kv).add(c2);
          c3 = FMA ? x3.fma(kv, c3) : x3.mul(kv).add(c3);
          kv = FloatVector.fromArray(SPECIES, k, kd + j);
          d0 = FMA ? x0.fma(kv, d0) : x0.mul(kv).add(d0);
          d1 = FMA ? x1.fma(kv, d1) : x1.mul(kv).add(d1);
          d2 = FMA ? x2.fma(kv, d2) : x2.mul(kv).add(d2);
          d3 = FMA ? x3.fma(kv, d3) : x3.mul(kv).add(d3);
          if (squares) {
            q0 = FMA ? x0.fma(x0, q0) : x0.mul(x0).add(q0);
            q1 = FMA ? x1.fma(x1, q1) : x1.mul(x1).add(q1);
            q2 = FMA ? x2.fma(x2, q2) : x2.mul(x2).add(q2);
            q3 = FMA ? x3.fma(x3, q3) : x3.mul(x3).add(q3);
          }
        }
        // lane sums of each key's four accumulators and of the squares (SUM_OF_4)
        FloatVector sa = a0.blend(a1, HIGH_HALVES).add(a1.blend(a0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector sa23 = a2.blend(a3, HIGH_HALVES).add(a3.blend(a2, HIGH_HALVES).rearrange(SWAP_HALVES));
        sa = sa.blend(sa23, ODD_QUARTERS).add(sa23.blend(sa, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        sa = SWAP_8 == null ? sa : sa.add(sa.rearrange(SWAP_8));
        sa = SWAP_4 == null ? sa : sa.add(sa.rearrange(SWAP_4));
        sa = SWAP_2 == null ? sa : sa.add(sa.rearrange(SWAP_2));
        sa = SWAP_1 == null ? sa : sa.add(sa.rearrange(SWAP_1));
        FloatVector sb = b0.blend(b1, HIGH_HALVES).add(b1.blend(b0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector sb23 = b2.blend(b3, HIGH_HALVES).add(b3.blend(b2, HIGH_HALVES).rearrange(SWAP_HALVES));
        sb = sb.blend(sb23, ODD_QUARTERS).add(sb23.blend(sb, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        sb = SWAP_8 == null ? sb : sb.add(sb.rearrange(SWAP_8));
        sb = SWAP_4 == null ? sb : sb.add(sb.rearrange(SWAP_4));
        sb = SWAP_2 == null ? sb : sb.add(sb.rearrange(SWAP_2));
        sb = SWAP_1 == null ? sb : sb.add(sb.rearrange(SWAP_1));
        FloatVector sc = c0.blend(c1, HIGH_HALVES).add(c1.blend(c0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector sc23 = c2.blend(c3, HIGH_HALVES).add(c3.blend(c2, HIGH_HALVES).rearrange(SWAP_HALVES));
        sc = sc.blend(sc23, ODD_QUARTERS).add(sc23.blend(sc, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        sc = SWAP_8 == null ? sc : sc.add(sc.rearrange(SWAP_8));
        sc = SWAP_4 == null ? sc : sc.add(sc.rearrange(SWAP_4));
        sc = SWAP_2 == null ? sc : sc.add(sc.rearrange(SWAP_2));
        sc = SWAP_1 == null ? sc : sc.add(sc.rearrange(SWAP_1));
        FloatVector sd = d0.blend(d1, HIGH_HALVES).add(d1.blend(d0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector sd23 = d2.blend(d3, HIGH_HALVES).add(d3.blend(d2, HIGH_HALVES).rearrange(SWAP_HALVES));
        sd = sd.blend(sd23, ODD_QUARTERS).add(sd23.blend(sd, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        sd = SWAP_8 == null ? sd : sd.add(sd.rearrange(SWAP_8));
        sd = SWAP_4 == null ? sd : sd.add(sd.rearrange(SWAP_4));
        sd = SWAP_2 == null ? sd : sd.add(sd.rearrange(SWAP_2));
        sd = SWAP_1 == null ? sd : sd.add(sd.rearrange(SWAP_1));
        FloatVector sq = q0.blend(q1, HIGH_HALVES).add(q1.blend(q0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector sq23 = q2.blend(q3, HIGH_HALVES).add(q3.blend(q2, HIGH_HALVES).rearrange(SWAP_HALVES));
        sq = sq.blend(sq23, ODD_QUARTERS).add(sq23.blend(sq, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        sq = SWAP_8 == null ? sq : sq.add(sq.rearrange(SWAP_8));
        sq = SWAP_4 == null ? sq : sq.add(sq.rearrange(SWAP_4));
        sq = SWAP_2 == null ? sq : sq.add(sq.rearrange(SWAP_2));
        sq = SWAP_1 == null ? sq : sq.add(sq.rearrange(SWAP_1));
        float e0 = sa.lane(0), e1 = sa.lane(LANE_OF_F1), e2 = sa.lane(LANE_OF_F2), e3 = sa.lane(LANE_OF_F3);
        float f0 = sb.lane(0), f1 = sb.lane(LANE_OF_F1), f2 = sb.lane(LANE_OF_F2), f3 = sb.lane(LANE_OF_F3);
        float g0 = sc.lane(0), g1 = sc.lane(LANE_OF_F1), g2 = sc.lane(LANE_OF_F2), g3 = sc.lane(LANE_OF_F3);
        float h0 = sd.lane(0), h1 = sd.lane(LANE_OF_F1), h2 = sd.lane(LANE_OF_F2), h3 = sd.lane(LANE_OF_F3);
        float s0 = sq.lane(0), s1 = sq.lane(LANE_OF_F1), s2 = sq.lane(LANE_OF_F2), s3 = sq.lane(LANE_OF_F3);
        // scalar tail
        for (; j < w; j++) {
          float x0 = m[r0 + j], x1 = m[r1 + j], x2 = m[r2 + j], x3 = m[r3 + j];
          float ke = k[ka + j], kf = k[kb + j], kg = k[kc + j], kh = k[kd + j];
          e0 += x0 * ke;
          e1 += x1 * ke;
          e2 += x2 * ke;
          e3 += x3 * ke;
          f0 += x0 * kf;
          f1 += x1 * kf;
          f2 += x2 * kf;
          f3 += x3 * kf;
          g0 += x0 * kg;
          g1 += x1 * kg;
          g2 += x2 * kg;
          g3 += x3 * kg;
          h0 += x0 * kh;
          h1 += x1 * kh;
          h2 += x2 * kh;
          h3 += x3 * kh;
          s0 += x0 * x0;
          s1 += x1 * x1;
          s2 += x2 * x2;
          s3 += x3 * x3;
        }
        if (squares) {
          store4(norms, rowNorms + i, valid, s0 + EPS, s1 + EPS, s2 + EPS, s3 + EPS);
        }
        store4(o, oa, valid, e0, e1, e2, e3);
        store4(o, oa + n, valid, f0, f1, f2, f3);
        store4(o, oa + 2 * n, valid, g0, g1, g2, g3);
        store4(o, oa + 3 * n, valid, h0, h1, h2, h3);
      }
      for (; hh < h; hh++) {
        int ka = kOff + hh * w, oa = oOff + hh * n + i;
        boolean squares = hh == 0;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, q0 = a0, q1 = a0, q2 = a0, q3 = a0;
        int j = 0;
        for (; j < bound; j += LANES) {
          FloatVector kv = FloatVector.fromArray(SPECIES, k, ka + j);
          FloatVector x0 = FloatVector.fromArray(SPECIES, m, r0 + j);
          FloatVector x1 = FloatVector.fromArray(SPECIES, m, r1 + j);
          FloatVector x2 = FloatVector.fromArray(SPECIES, m, r2 + j);
          FloatVector x3 = FloatVector.fromArray(SPECIES, m, r3 + j);
          a0 = FMA ? x0.fma(kv, a0) : x0.mul(kv).add(a0);
          a1 = FMA ? x1.fma(kv, a1) : x1.mul(kv).add(a1);
          a2 = FMA ? x2.fma(kv, a2) : x2.mul(kv).add(a2);
          a3 = FMA ? x3.fma(kv, a3) : x3.mul(kv).add(a3);
          if (squares) {
            q0 = FMA ? x0.fma(x0, q0) : x0.mul(x0).add(q0);
            q1 = FMA ? x1.fma(x1, q1) : x1.mul(x1).add(q1);
            q2 = FMA ? x2.fma(x2, q2) : x2.mul(x2).add(q2);
            q3 = FMA ? x3.fma(x3, q3) : x3.mul(x3).add(q3);
          }
        }
        // lane sums of the key's four accumulators and of the squares (SUM_OF_4)
        FloatVector sa = a0.blend(a1, HIGH_HALVES).add(a1.blend(a0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector sa23 = a2.blend(a3, HIGH_HALVES).add(a3.blend(a2, HIGH_HALVES).rearrange(SWAP_HALVES));
        sa = sa.blend(sa23, ODD_QUARTERS).add(sa23.blend(sa, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        sa = SWAP_8 == null ? sa : sa.add(sa.rearrange(SWAP_8));
        sa = SWAP_4 == null ? sa : sa.add(sa.rearrange(SWAP_4));
        sa = SWAP_2 == null ? sa : sa.add(sa.rearrange(SWAP_2));
        sa = SWAP_1 == null ? sa : sa.add(sa.rearrange(SWAP_1));
        FloatVector sq = q0.blend(q1, HIGH_HALVES).add(q1.blend(q0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector sq23 = q2.blend(q3, HIGH_HALVES).add(q3.blend(q2, HIGH_HALVES).rearrange(SWAP_HALVES));
        sq = sq.blend(sq23, ODD_QUARTERS).add(sq23.blend(sq, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        sq = SWAP_8 == null ? sq : sq.add(sq.rearrange(SWAP_8));
        sq = SWAP_4 == null ? sq : sq.add(sq.rearrange(SWAP_4));
        sq = SWAP_2 == null ? sq : sq.add(sq.rearrange(SWAP_2));
        sq = SWAP_1 == null ? sq : sq.add(sq.rearrange(SWAP_1));
        float e0 = sa.lane(0), e1 = sa.lane(LANE_OF_F1), e2 = sa.lane(LANE_OF_F2), e3 = sa.lane(LANE_OF_F3);
        float s0 = sq.lane(0), s1 = sq.lane(LANE_OF_F1), s2 = sq.lane(LANE_OF_F2), s3 = sq.lane(LANE_OF_F3);
        // scalar tail
        for (; j < w; j++) {
          float kj = k[ka + j], x0 = m[r0 + j], x1 = m[r1 + j], x2 = m[r2 + j], x3 = m[r3 + j];
          e0 += x0 * kj;
          e1 += x1 * kj;
          e2 += x2 * kj;
          e3 += x3 * kj;
          s0 += x0 * x0;
          s1 += x1 * x1;
          s2 += x2 * x2;
          s3 += x3 * x3;
        }
        if (squares) {
          store4(norms, rowNorms + i, valid, s0 + EPS, s1 + EPS, s2 + EPS, s3 + EPS);
        }
        store4(o, oa, valid, e0, e1, e2, e3);
      }
    }
    // the row norms' square roots in one pass that C2 vectorises (one at a time they cost about as much as the FMAs)
    for (int r = rowNorms; r < rowNorms + n; r++) {
      norms[r] = Math.sqrt(norms[r]);
    }
  }

  /** The first {@code valid} of a group's four results. */
  private static void store4(float[] o, int at, int valid, float d0, float d1, float d2, float d3) {
    o[at] = d0;
    if (valid > 1) {
      o[at + 1] = d1;
    }
    if (valid > 2) {
      o[at + 2] = d2;
    }
    if (valid > 3) {
      o[at + 3] = d3;
    }
  }

  private static void store4(double[] x, int at, int valid, double d0, double d1, double d2, double d3) {
    x[at] = d0;
    if (valid > 1) {
      x[at + 1] = d1;
    }
    if (valid > 2) {
      x[at + 2] = d2;
    }
    if (valid > 3) {
      x[at + 3] = d3;
    }
  }

  /**
   * z[i] = β · dot[i] / (‖k‖ ‖M[i]‖ + ε) in double, in place over one output row, clamped to the float range so
   * that the softmax never sees ∞ − ∞. Written in double lanes: C2 left the plain loop scalar (about 23 ns per
   * row of 16 slots, timed alone on this project's machine), and the lanes' IEEE operations give its bits.
   */
  private static void sharpen(float[] o, int off, int n, double[] norms, int rowNorms, double keyNorm, double beta) {
    int i = 0;
    // the same double operations in lanes (IEEE: the same bits as the scalar loop below)
    for (; i + DOUBLE_LANES <= n; i += DOUBLE_LANES) {
      DoubleVector dot = (DoubleVector) FloatVector.fromArray(HALF, o, off + i).convertShape(VectorOperators.F2D,
          DOUBLE, 0);
      DoubleVector den = DoubleVector.fromArray(DOUBLE, norms, rowNorms + i).mul(keyNorm).add(EPS);
      DoubleVector z = dot.div(den).mul(beta).min(Float.MAX_VALUE).max(-Float.MAX_VALUE);
      ((FloatVector) z.convertShape(VectorOperators.D2F, HALF, 0)).intoArray(o, off + i);
    }
    for (; i < n; i++) {
      double z = beta * (o[off + i] / (keyNorm * norms[rowNorms + i] + EPS));
      o[off + i] = (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, z));
    }
  }

  /**
   * z[i] = β · k·M[i] / (‖k‖ ‖M[i]‖ + ε) with every sum in double (the reference's arithmetic), clamped as in
   * {@link #sharpen}: the path for keys and rows so large that float squares or dot products could overflow.
   */
  private static void exactLogits(
      float[] m, int mOff, int n, int w, float[] k, int kOff, double beta, float[] o, int off) {
    double keySquares = 0;
    for (int j = 0; j < w; j++) {
      keySquares += (double) k[kOff + j] * k[kOff + j];
    }
    double keyNorm = Math.sqrt(keySquares + EPS);
    for (int i = 0; i < n; i++) {
      int r = mOff + i * w;
      double dot = 0, squares = 0;
      for (int j = 0; j < w; j++) {
        double x = m[r + j];
        dot += k[kOff + j] * x;
        squares += x * x;
      }
      double z = beta * (dot / (keyNorm * Math.sqrt(squares + EPS) + EPS));
      o[off + i] = (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, z));
    }
  }

  /**
   * Softmax of each of {@code rows} rows of n at x[off, off + rows·n) in place, max-subtracted: exp in float lanes
   * ({@link SimdMath}, same bits on every JIT tier), summed in float blocks finished in double, then scaled by
   * 1/sum. Each step runs over every row before the next (the rows' chains overlap); {@code perRow} holds each
   * row's max, then its 1/sum.
   */
  private static void softmaxRows(float[] x, int off, int rows, int n, float[] perRow) {
    for (int r = 0; r < rows; r++) {
      perRow[r] = SimdReductions.max(x, off + r * n, n);
    }
    for (int r = 0; r < rows; r++) {
      SimdMath.expMinus(x, off + r * n, n, perRow[r]);
    }
    for (int r = 0; r < rows; r++) {
      perRow[r] = (float) (1.0 / SimdReductions.sum(x, off + r * n, n));
    }
    for (int r = 0; r < rows; r++) {
      SimdReductions.scale(x, off + r * n, n, perRow[r]);
    }
  }
}
