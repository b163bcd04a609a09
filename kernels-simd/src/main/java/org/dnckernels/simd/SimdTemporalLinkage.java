package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdConfig.madd;
import static org.dnckernels.simd.SimdLanes.HIGH_HALVES;
import static org.dnckernels.simd.SimdLanes.LANE_OF_F1;
import static org.dnckernels.simd.SimdLanes.LANE_OF_F2;
import static org.dnckernels.simd.SimdLanes.LANE_OF_F3;
import static org.dnckernels.simd.SimdLanes.ODD_LANES;
import static org.dnckernels.simd.SimdLanes.ODD_PAIRS;
import static org.dnckernels.simd.SimdLanes.ODD_QUARTERS;
import static org.dnckernels.simd.SimdLanes.SWAP_1;
import static org.dnckernels.simd.SimdLanes.SWAP_2;
import static org.dnckernels.simd.SimdLanes.SWAP_4;
import static org.dnckernels.simd.SimdLanes.SWAP_8;
import static org.dnckernels.simd.SimdLanes.SWAP_HALVES;
import static org.dnckernels.simd.SimdLanes.SWAP_QUARTERS;
import static org.dnckernels.simd.SimdLanes.sumLanes;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Temporal linkage: precedence, the link matrix update and the forward/backward weightings, plus the fused
 * link update + forward/backward that reads and writes each link matrix once.
 *
 * <pre>
 *   p ← (1 − Σ w) p + w
 *   L'[i,j] = (1 − w_i − w_j) L[i,j] + w_i p_j ,  L'[i,i] = 0
 *   forward_r[i] = Σ_j L'[i,j] x_r[j] ,  backward_r[j] = Σ_i L'[i,j] x_r[i]     (x_r: previous read weights)
 * </pre>
 *
 * <p>The link passes walk L in blocks of four rows and serve two read heads from each L vector loaded
 * ({@link #rows4x2}; {@link #rows4x1} for an odd head): per 16 columns 4 L loads feed 8 forward and 8 backward
 * FMAs. Four heads on two rows would load L once for all four, but their accumulators and broadcast weights
 * crowd the 32 vector registers (docs/simd.md). Every pair of heads runs on a block before the next block: the
 * first pair streams it from memory (in a fused call it first computes L' in the same registers, the diagonal
 * blended to an exact 0, and stores it), the others re-read it from L1. An odd head's kernel follows over chunks
 * of rows that stay in L2. So L comes from memory once, and goes back once when updated. Each kernel runs the
 * row loop itself: a call per block of rows is slower on a matrix streamed from memory (docs/simd.md). Forward
 * sums keep float lanes along the row and reduce them in registers with SimdLanes' four-row lane sums, written
 * out inline (tail in double): that kernel is at C2's inlining node cutoff, and the former call to an array form
 * of those sums was left out of line. Backward sums accumulate in float, rows in ascending order, per
 * segment of rows ({@link #SEGMENT_ROWS}): the first segment's in the output rows, each other's in rows of its
 * own, added to the output in segment order at the end. Segments let two threads share one matrix when a call
 * has fewer matrices than threads (B = 1), with the same bits as one thread running them in turn. So the fused
 * results equal linkUpdate then forwardBackward bit for bit, on any thread count. A matrix of N = 16 on 16 lanes
 * (DeepMind's default size) goes whole to {@link #oneVectorMatrix}, with the block kernels' bits and fewer lane
 * operations.
 */
final class SimdTemporalLinkage implements KernelMath.TemporalLinkage {
  /** Floats of L per chunk of rows when an odd read head passes over it after the pairs (128 KiB: inside L2). */
  static final int CHUNK_FLOATS = 32 * 1024;
  /**
   * Rows per segment of a link matrix (256 rows of N = 1024: 1 MiB, some 25 µs of forward/backward work, far
   * above a fork/join): a matrix of N rows has N / SEGMENT_ROWS segments, at most {@link #MAX_SEGMENTS}.
   */
  static final int SEGMENT_ROWS = 256;
  /** Segments per matrix at most: more threads than this on one matrix would gain little. */
  static final int MAX_SEGMENTS = 8;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdTemporalLinkage(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void precedence(Tensor precedence, Tensor writeWeights, int b0, int b1) {
    long work = (long) (b1 - b0) * precedence.dim(1) * precedence.dim(2);
    int parts = split.acquire(b0, b1, precedence.dim(0), work);
    if (parts == 1) {
      precedenceSlice(precedence, writeWeights, b0, b1);
      return;
    }
    call.set(Kernel.PRECEDENCE, null, precedence, writeWeights, null, null, null);
    split.runAndRelease(call, parts, b1);
  }

  @Override
  public void linkUpdate(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int b0, int b1) {
    long n = link.dim(2), work = (b1 - b0) * link.dim(1) * n * n;
    if (!splitLinkPass(Kernel.LINK_UPDATE, work, link, prevPrecedence, writeWeights, null, null, null, b0, b1)) {
      linkUpdateSlice(link, prevPrecedence, writeWeights, split.segmentRows, b0, b1);
    }
  }

  @Override
  public void forwardBackward(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
    long n = link.dim(2), work = (b1 - b0) * link.dim(1) * prevReadWeights.dim(1) * 2 * n * n;
    if (!splitLinkPass(Kernel.FORWARD_BACKWARD, work, link, null, null, prevReadWeights, forward, backward, b0, b1)) {
      forwardBackwardSlice(link, prevReadWeights, forward, backward, split.segmentRows, b0, b1);
    }
  }

  @Override
  public void linkUpdateAndWeightings(Tensor link, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
    long n = link.dim(2), work = (b1 - b0) * link.dim(1) * (1 + 2L * prevReadWeights.dim(1)) * n * n;
    if (!splitLinkPass(Kernel.LINK_FUSED, work, link, prevPrecedence, writeWeights, prevReadWeights, forward, backward,
        b0, b1)) {
      linkUpdateAndWeightingsSlice(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward,
          split.segmentRows, b0, b1);
    }
  }

  /**
   * Splits a whole-batch link kernel over the pool: by batch entries when the batch divides well over the threads
   * (no partial sums), else by units (segments of rows of each matrix, see {@link #segments}) with the partial
   * backward sums in the splitter's buffer. {@code false}: run inline. Unused tensors are null.
   */
  private boolean splitLinkPass(Kernel kernel, long work, Tensor link, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
    int batch = link.dim(0);
    if (b0 != 0 || b1 != batch) {
      return false;
    }
    int n = link.dim(2), matrices = batch * link.dim(1), segs = segments(n, split.segmentRows);
    if (segs == 1 || batch >= split.threads && batch % split.threads == 0) {
      int parts = split.acquire(0, batch, batch, work);
      if (parts == 1) {
        return false;
      }
      call.set(kernel, link, prevPrecedence, writeWeights, prevReadWeights, forward, backward);
      split.runAndRelease(call, parts, batch);
      return true;
    }
    int units = matrices * segs;
    int parts = split.acquireUnits(units, work);
    if (parts == 1) {
      return false;
    }
    call.set(kernel, link, prevPrecedence, writeWeights, prevReadWeights, forward, backward);
    call.segments = segs;
    if (prevReadWeights != null) {
      call.partials = split.linkPartials(partialFloats(matrices, n, prevReadWeights.dim(1), segs));
    }
    split.runAndRelease(call, parts, units);
    return true;
  }

  private enum Kernel {
    PRECEDENCE, LINK_UPDATE, FORWARD_BACKWARD, LINK_FUSED
  }

  /** The family's call being split, its arguments by name (those a kernel does not take are null). */
  private final class Call implements SimdBatchPool.Slices {
    Kernel kernel;
    Tensor link, precedence, prevPrecedence, writeWeights, prevReadWeights, forward, backward;
    /** Segments per link matrix when a link kernel is split by units, else 0; its partial sums. */
    int segments;
    float[] partials;

    void set(Kernel kernel, Tensor link, Tensor precedence, Tensor writeWeights, Tensor prevReadWeights,
        Tensor forward, Tensor backward) {
      this.kernel = kernel;
      this.link = link;
      // the link kernels take p_{t−1}; precedence updates p in place
      this.precedence = kernel == Kernel.PRECEDENCE ? precedence : null;
      this.prevPrecedence = kernel == Kernel.PRECEDENCE ? null : precedence;
      this.writeWeights = writeWeights;
      this.prevReadWeights = prevReadWeights;
      this.forward = forward;
      this.backward = backward;
      this.segments = 0;
      this.partials = null;
    }

    @Override
    public void run(int b0, int b1) {
      int rows = split.segmentRows;
      switch (kernel) {
        case PRECEDENCE -> precedenceSlice(precedence, writeWeights, b0, b1);
        case LINK_UPDATE -> {
          if (segments > 0) {
            linkUpdateUnits(link, prevPrecedence, writeWeights, segments, b0, b1);
          } else {
            linkUpdateSlice(link, prevPrecedence, writeWeights, rows, b0, b1);
          }
        }
        case FORWARD_BACKWARD, LINK_FUSED -> {
          if (segments > 0) {
            linkUnits(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward, partials, 0, segments,
                b0, b1);
          } else if (kernel == Kernel.FORWARD_BACKWARD) {
            forwardBackwardSlice(link, prevReadWeights, forward, backward, rows, b0, b1);
          } else {
            linkUpdateAndWeightingsSlice(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward, rows,
                b0, b1);
          }
        }
      }
    }

    /** A link pass split by units: the partial backward sums go into the output, in segment order. */
    @Override
    public void afterSlices() {
      if (segments > 0 && partials != null) {
        addPartials(backward, link.dim(1), prevReadWeights.dim(1), partials, 0, segments, 0,
            link.dim(0) * link.dim(1));
      }
    }

    @Override
    public void clear() {
      set(null, null, null, null, null, null, null);
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // precedence

  /** Batch entries [b0, b1): {@code p ← (1 − Σ w) p + w} per write head, in place. */
  static void precedenceSlice(Tensor precedence, Tensor writeWeights, int b0, int b1) {
    int wh = precedence.dim(1), n = precedence.dim(2);
    float[] p = array(precedence), w = array(writeWeights);
    int pOff = offset(precedence), wOff = offset(writeWeights);
    int bound = FLOAT.loopBound(n);
    for (int b = b0; b < b1; b++) {
      for (int h = 0; h < wh; h++) {
        int row = (b * wh + h) * n;
        // clamped to [0, 1] as the equations keep it: Σw rounds above 1 and a result above 1
        float keep = (float) Math.max(0, 1.0 - SimdReductions.sum(w, wOff + row, n));
        int i = 0;
        for (; i < bound; i += LANES) {
          FloatVector pv = FloatVector.fromArray(FLOAT, p, pOff + row + i);
          pv.mul(keep).add(FloatVector.fromArray(FLOAT, w, wOff + row + i)).min(1f).intoArray(p, pOff + row + i);
        }
        // scalar tail
        for (; i < n; i++) {
          p[pOff + row + i] = Math.min(1f, keep * p[pOff + row + i] + w[wOff + row + i]);
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // link update and forward/backward weightings

  /**
   * Segments of rows of a link matrix of size n: {@code n / segmentRows}, at least 1, at most {@value
   * #MAX_SEGMENTS}. A segment is the unit that threads share when a call has fewer matrices than threads; it
   * depends on n and the backend's segment size alone, so the sums are the same on any thread count.
   */
  static int segments(int n, int segmentRows) {
    return Math.max(1, Math.min(MAX_SEGMENTS, n / segmentRows));
  }

  /** First row of segment s (s = segs: n); a multiple of 4 so the four-row blocks fall as in a whole matrix. */
  static int segmentStart(int n, int segs, int s) {
    return s == segs ? n : (int) ((long) n * s / segs) & ~3;
  }

  /**
   * Floats of backward partial sums for units of {@code matrices} link matrices: every segment but the first of
   * each matrix keeps its own backward rows, added to the output by {@link #addPartials}.
   */
  static int partialFloats(int matrices, int n, int r, int segs) {
    return matrices * (segs - 1) * r * n;
  }

  /** Offset of the partial backward row of read head k, segment s ≥ 1, matrix m (matrix 0's at partialsOf0). */
  private static int partialRow(int partialsOf0, int m, int s, int k, int segs, int r, int n) {
    return partialsOf0 + ((m * (segs - 1) + s - 1) * r + k) * n;
  }

  /** Batch entries [b0, b1): the link update alone, in place. */
  static void linkUpdateSlice(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int segmentRows, int b0, int b1) {
    int wh = link.dim(1), segs = segments(link.dim(2), segmentRows);
    linkUpdateUnits(link, prevPrecedence, writeWeights, segs, b0 * wh * segs, b1 * wh * segs);
  }

  /** Units [u0, u1) of the link update: unit u is segment u % segs of matrix u / segs (b · Wh + h). */
  static void linkUpdateUnits(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int segs, int u0, int u1) {
    int n = link.dim(2);
    float[] l = array(link), p = array(prevPrecedence), w = array(writeWeights);
    int lOff = offset(link), pOff = offset(prevPrecedence), wOff = offset(writeWeights);
    for (int u = u0; u < u1; u++) {
      int m = u / segs, s = u % segs;
      updateRows(l, lOff + m * n * n, n, p, pOff + m * n, w, wOff + m * n, segmentStart(n, segs, s),
          segmentStart(n, segs, s + 1));
    }
  }

  /** Batch entries [b0, b1): forward and backward weightings of all read heads, one pass over each L. */
  static void forwardBackwardSlice(
      Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward, int segmentRows, int b0, int b1) {
    linkPass(link, null, null, prevReadWeights, forward, backward, segmentRows, b0, b1);
  }

  /** Batch entries [b0, b1): link update, then forward/backward on the updated L, fused in one pass over L. */
  static void linkUpdateAndWeightingsSlice(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward, int segmentRows, int b0, int b1) {
    linkPass(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward, segmentRows, b0, b1);
  }

  /**
   * One pass over each link matrix of batch entries [b0, b1) on this thread, its segments one after the other;
   * updates it first when {@code prevPrecedence} is not null.
   */
  private static void linkPass(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward, int segmentRows, int b0, int b1) {
    int wh = link.dim(1), n = link.dim(2), r = prevReadWeights.dim(1), segs = segments(n, segmentRows);
    // this thread's partial sums of one matrix, after the lanes that linkUnits takes from the same scratch
    int perMatrix = partialFloats(1, n, r, segs);
    float[] partials = HostScratch.get().floats(0, LANES + perMatrix);
    for (int m = b0 * wh; m < b1 * wh; m++) {
      // matrix m's partials start at LANES
      int partialsOf0 = LANES - m * perMatrix;
      linkUnits(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward, partials, partialsOf0, segs,
          m * segs, (m + 1) * segs);
      addPartials(backward, wh, r, partials, partialsOf0, segs, m, m + 1);
    }
  }

  /**
   * Units [u0, u1) of a link pass (unit u: segment u % segs of matrix u / segs, matrix m = b · Wh + h). The
   * first segment of a matrix sums its backward rows into {@code backward}, segment s ≥ 1 into its own rows of
   * {@code partials}, matrix m's at {@code partialsOf0 + m · partialFloats(1, …)}; forward rows and updated rows
   * of L belong to one segment each. Then {@link #addPartials} completes the backward sums.
   */
  static void linkUnits(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward, float[] partials, int partialsOf0, int segs, int u0, int u1) {
    linkUnits(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward, partials, partialsOf0, segs,
        u0, u1, true);
  }

  /**
   * {@link #linkUnits}, with {@code oneVector} false keeping matrices of N = 16 on the block kernels (a test
   * compares the two).
   */
  static void linkUnits(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward, float[] partials, int partialsOf0, int segs, int u0, int u1, boolean oneVector) {
    int wh = link.dim(1), n = link.dim(2), r = prevReadWeights.dim(1);
    boolean update = prevPrecedence != null;
    float[] l = array(link), x = array(prevReadWeights), fwd = array(forward), bwd = array(backward);
    int lOff = offset(link), xOff = offset(prevReadWeights), fOff = offset(forward), bOff = offset(backward);
    float[] p = update ? array(prevPrecedence) : null, w = update ? array(writeWeights) : null;
    int pOff = update ? offset(prevPrecedence) : 0, wOff = update ? offset(writeWeights) : 0;
    HostScratch scratch = HostScratch.get();
    // one vector's lanes, for the rows left over from the four-row blocks
    float[] lanes = scratch.floats(0, LANES);
    // per read head: the offsets of its previous read weights, backward row and forward row
    int[] heads = scratch.ints(0, 3 * r);
    // with an odd head count above 1, the single head's kernel passes over each chunk of rows after the pairs' one
    // and finds it in L2
    int pairs = r / 2;
    int chunk = r % 2 == 0 || r == 1 ? n : Math.max(4, CHUNK_FLOATS / n / 4 * 4);
    for (int u = u0; u < u1; u++) {
      int m = u / segs, s = u % segs, b = m / wh, h = m % wh;
      int lb = lOff + m * n * n, pb = pOff + m * n, wb = wOff + m * n;
      float[] sums = s == 0 ? bwd : partials;
      for (int k = 0; k < r; k++) {
        heads[3 * k] = xOff + (b * r + k) * n;
        heads[3 * k + 1] = s == 0
            ? bOff + ((b * r + k) * wh + h) * n
            : partialRow(partialsOf0, m, s, k, segs, r, n);
        heads[3 * k + 2] = fOff + ((b * r + k) * wh + h) * n;
        Arrays.fill(sums, heads[3 * k + 1], heads[3 * k + 1] + n, 0f);
      }
      if (oneVector && n == 16 && LANES == 16 && segs == 1) {
        oneVectorMatrix(l, lb, update, p, pb, w, wb, x, sums, fwd, heads, r);
        continue;
      }
      int end = segmentStart(n, segs, s + 1);
      for (int i0 = segmentStart(n, segs, s); i0 < end; i0 += chunk) {
        int i1 = Math.min(end, i0 + chunk);
        if (pairs > 0) {
          rows4x2(l, lb, n, update, p, pb, w, wb, x, sums, fwd, heads, pairs, i0, i1, lanes);
        }
        if (r % 2 == 1) {
          rows4x1(l, lb, n, update && r == 1, p, pb, w, wb, x, sums, fwd, heads, r - 1, i0, i1, lanes);
        }
      }
    }
  }

  /**
   * Matrices [m0, m1): adds the partial backward sums of segments 1..segs−1 to the output, in segment order (so
   * the same bits whichever threads ran the segments).
   */
  static void addPartials(Tensor backward, int wh, int r, float[] partials, int partialsOf0, int segs, int m0,
      int m1) {
    int n = backward.dim(3);
    float[] bwd = array(backward);
    int bOff = offset(backward);
    int bound = FLOAT.loopBound(n);
    for (int m = m0; m < m1; m++) {
      int b = m / wh, h = m % wh;
      for (int k = 0; k < r; k++) {
        int row = bOff + ((b * r + k) * wh + h) * n;
        for (int s = 1; s < segs; s++) {
          int part = partialRow(partialsOf0, m, s, k, segs, r, n);
          int j = 0;
          for (; j < bound; j += LANES) {
            FloatVector.fromArray(FLOAT, bwd, row + j).add(FloatVector.fromArray(FLOAT, partials, part + j))
                .intoArray(bwd, row + j);
          }
          // scalar tail
          for (; j < n; j++) {
            bwd[row + j] += partials[part + j];
          }
        }
      }
    }
  }

  /**
   * L'[i,j] = (1 − w_i − w_j) L[i,j] + w_i p_j over rows [i0, i1) of a matrix, four rows at a time (the w_j and
   * p_j vectors serve four rows); then their diagonal elements are set to exactly 0.
   */
  private static void updateRows(float[] l, int lb, int n, float[] p, int pb, float[] w, int wb, int i0, int i1) {
    int bound = FLOAT.loopBound(n);
    float wMax = SimdReductions.max(w, wb, n);
    int i = i0;
    for (; i + 4 <= i1; i += 4) {
      int r0 = lb + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      float w0 = w[wb + i], w1 = w[wb + i + 1], w2 = w[wb + i + 2], w3 = w[wb + i + 3];
      FloatVector c0 = FloatVector.broadcast(FLOAT, 1f - w0), c1 = FloatVector.broadcast(FLOAT, 1f - w1);
      FloatVector c2 = FloatVector.broadcast(FLOAT, 1f - w2), c3 = FloatVector.broadcast(FLOAT, 1f - w3);
      boolean clamp = keepCanGoNegative(wMax, w0, w1, w2, w3);
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j);
        FloatVector pj = FloatVector.fromArray(FLOAT, p, pb + j);
        FloatVector l0 = FloatVector.fromArray(FLOAT, l, r0 + j), add0 = pj.mul(w0);
        FloatVector keep0 = clamp ? c0.sub(wj).max(0f) : c0.sub(wj);
        (USE_FMA ? keep0.fma(l0, add0) : keep0.mul(l0).add(add0)).intoArray(l, r0 + j);
        FloatVector l1 = FloatVector.fromArray(FLOAT, l, r1 + j), add1 = pj.mul(w1);
        FloatVector keep1 = clamp ? c1.sub(wj).max(0f) : c1.sub(wj);
        (USE_FMA ? keep1.fma(l1, add1) : keep1.mul(l1).add(add1)).intoArray(l, r1 + j);
        FloatVector l2 = FloatVector.fromArray(FLOAT, l, r2 + j), add2 = pj.mul(w2);
        FloatVector keep2 = clamp ? c2.sub(wj).max(0f) : c2.sub(wj);
        (USE_FMA ? keep2.fma(l2, add2) : keep2.mul(l2).add(add2)).intoArray(l, r2 + j);
        FloatVector l3 = FloatVector.fromArray(FLOAT, l, r3 + j), add3 = pj.mul(w3);
        FloatVector keep3 = clamp ? c3.sub(wj).max(0f) : c3.sub(wj);
        (USE_FMA ? keep3.fma(l3, add3) : keep3.mul(l3).add(add3)).intoArray(l, r3 + j);
      }
      // scalar tail
      for (; j < n; j++) {
        float wj = w[wb + j], pj = p[pb + j];
        l[r0 + j] = madd(Math.max(0f, 1f - w0 - wj), l[r0 + j], pj * w0);
        l[r1 + j] = madd(Math.max(0f, 1f - w1 - wj), l[r1 + j], pj * w1);
        l[r2 + j] = madd(Math.max(0f, 1f - w2 - wj), l[r2 + j], pj * w2);
        l[r3 + j] = madd(Math.max(0f, 1f - w3 - wj), l[r3 + j], pj * w3);
      }
    }
    for (; i < i1; i++) {
      updateRow(l, lb + i * n, n, p, pb, w, wb, i, wMax);
    }
    // the diagonal is exactly zero, whatever the arithmetic gave
    for (int d = i0; d < i1; d++) {
      l[lb + d * n + d] = 0f;
    }
  }

  /**
   * Whether 1 − w_i − w_j can round below 0 for a row of the block: fl(fl(1 − w_i) − w_j) &lt; 0 exactly when
   * fl(1 − w_i) &lt; w_j, so only rows with 1 − w_i below the largest w_j need the clamp at 0 (a few rows, when
   * two write weights sum past 1 by rounding). The other blocks skip its cost.
   */
  private static boolean keepCanGoNegative(float wMax, float w0, float w1, float w2, float w3) {
    return 1f - w0 < wMax || 1f - w1 < wMax || 1f - w2 < wMax || 1f - w3 < wMax;
  }

  /**
   * The update of the single row i (rows left over from the blocks), its diagonal element set to 0; wMax is the
   * matrix's largest write weight (see {@link #keepCanGoNegative}).
   */
  private static void updateRow(
      float[] l, int rowOff, int n, float[] p, int pb, float[] w, int wb, int i, float wMax) {
    float wi = w[wb + i];
    FloatVector ci = FloatVector.broadcast(FLOAT, 1f - wi);
    boolean clamp = 1f - wi < wMax;
    int j = 0;
    int bound = FLOAT.loopBound(n);
    for (; j < bound; j += LANES) {
      FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j);
      FloatVector pj = FloatVector.fromArray(FLOAT, p, pb + j);
      FloatVector lv = FloatVector.fromArray(FLOAT, l, rowOff + j), add = pj.mul(wi);
      FloatVector keep = clamp ? ci.sub(wj).max(0f) : ci.sub(wj);
      (USE_FMA ? keep.fma(lv, add) : keep.mul(lv).add(add)).intoArray(l, rowOff + j);
    }
    // scalar tail
    for (; j < n; j++) {
      l[rowOff + j] = madd(Math.max(0f, 1f - wi - w[wb + j]), l[rowOff + j], p[pb + j] * wi);
    }
    l[rowOff + i] = 0f;
  }

  /**
   * Rows [i0, i1) of one matrix for the single read head k: forward and backward sums, after updating the rows
   * when {@code update}. Four rows at a time: x_j and the backward vector serve four rows.
   */
  private static void rows4x1(
      float[] l, int lb, int n, boolean update, float[] p, int pb, float[] w, int wb, float[] x, float[] bwd,
      float[] fwd, int[] heads, int k, int i0, int i1, float[] lanes) {
    int xa = heads[3 * k], ba = heads[3 * k + 1], fa = heads[3 * k + 2];
    int bound = FLOAT.loopBound(n);
    FloatVector index = FloatVector.zero(FLOAT).addIndex(1);
    float wMax = update ? SimdReductions.max(w, wb, n) : 0f;
    int i = i0;
    for (; i + 4 <= i1; i += 4) {
      int r0 = lb + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      float w0 = update ? w[wb + i] : 0f, w1 = update ? w[wb + i + 1] : 0f;
      float w2 = update ? w[wb + i + 2] : 0f, w3 = update ? w[wb + i + 3] : 0f;
      FloatVector c0 = FloatVector.broadcast(FLOAT, 1f - w0), c1 = FloatVector.broadcast(FLOAT, 1f - w1);
      FloatVector c2 = FloatVector.broadcast(FLOAT, 1f - w2), c3 = FloatVector.broadcast(FLOAT, 1f - w3);
      boolean clamp = keepCanGoNegative(wMax, w0, w1, w2, w3);
      float a0 = x[xa + i], a1 = x[xa + i + 1], a2 = x[xa + i + 2], a3 = x[xa + i + 3];
      FloatVector u0 = FloatVector.broadcast(FLOAT, a0), u1 = FloatVector.broadcast(FLOAT, a1);
      FloatVector u2 = FloatVector.broadcast(FLOAT, a2), u3 = FloatVector.broadcast(FLOAT, a3);
      FloatVector f0 = FloatVector.zero(FLOAT), f1 = f0, f2 = f0, f3 = f0;
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector l0 = FloatVector.fromArray(FLOAT, l, r0 + j), l1 = FloatVector.fromArray(FLOAT, l, r1 + j);
        FloatVector l2 = FloatVector.fromArray(FLOAT, l, r2 + j), l3 = FloatVector.fromArray(FLOAT, l, r3 + j);
        if (update) {
          FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j), pj = FloatVector.fromArray(FLOAT, p, pb + j);
          FloatVector add0 = pj.mul(w0), add1 = pj.mul(w1);
          FloatVector keep0 = clamp ? c0.sub(wj).max(0f) : c0.sub(wj);
          FloatVector keep1 = clamp ? c1.sub(wj).max(0f) : c1.sub(wj);
          FloatVector add2 = pj.mul(w2), add3 = pj.mul(w3);
          FloatVector keep2 = clamp ? c2.sub(wj).max(0f) : c2.sub(wj);
          FloatVector keep3 = clamp ? c3.sub(wj).max(0f) : c3.sub(wj);
          l0 = USE_FMA ? keep0.fma(l0, add0) : keep0.mul(l0).add(add0);
          l1 = USE_FMA ? keep1.fma(l1, add1) : keep1.mul(l1).add(add1);
          l2 = USE_FMA ? keep2.fma(l2, add2) : keep2.mul(l2).add(add2);
          l3 = USE_FMA ? keep3.fma(l3, add3) : keep3.mul(l3).add(add3);
          // L'[i,i] = 0 exactly: lane i − j, when the diagonal is in this chunk
          l0 = l0.blend(0f, index.compare(VectorOperators.EQ, (float) (i - j)));
          l1 = l1.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 1 - j)));
          l2 = l2.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 2 - j)));
          l3 = l3.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 3 - j)));
          l0.intoArray(l, r0 + j);
          l1.intoArray(l, r1 + j);
          l2.intoArray(l, r2 + j);
          l3.intoArray(l, r3 + j);
        }
        FloatVector xj = FloatVector.fromArray(FLOAT, x, xa + j);
        f0 = USE_FMA ? l0.fma(xj, f0) : l0.mul(xj).add(f0);
        f1 = USE_FMA ? l1.fma(xj, f1) : l1.mul(xj).add(f1);
        f2 = USE_FMA ? l2.fma(xj, f2) : l2.mul(xj).add(f2);
        f3 = USE_FMA ? l3.fma(xj, f3) : l3.mul(xj).add(f3);
        FloatVector bv = FloatVector.fromArray(FLOAT, bwd, ba + j);
        bv = USE_FMA ? l0.fma(u0, bv) : l0.mul(u0).add(bv);
        bv = USE_FMA ? l1.fma(u1, bv) : l1.mul(u1).add(bv);
        bv = USE_FMA ? l2.fma(u2, bv) : l2.mul(u2).add(bv);
        bv = USE_FMA ? l3.fma(u3, bv) : l3.mul(u3).add(bv);
        bv.intoArray(bwd, ba + j);
      }
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      // scalar tail
      for (; j < n; j++) {
        float xj = x[xa + j], l0 = l[r0 + j], l1 = l[r1 + j], l2 = l[r2 + j], l3 = l[r3 + j];
        if (update) {
          float wj = w[wb + j], pj = p[pb + j];
          l0 = j == i ? 0f : madd(Math.max(0f, 1f - w0 - wj), l0, pj * w0);
          l1 = j == i + 1 ? 0f : madd(Math.max(0f, 1f - w1 - wj), l1, pj * w1);
          l2 = j == i + 2 ? 0f : madd(Math.max(0f, 1f - w2 - wj), l2, pj * w2);
          l3 = j == i + 3 ? 0f : madd(Math.max(0f, 1f - w3 - wj), l3, pj * w3);
          l[r0 + j] = l0;
          l[r1 + j] = l1;
          l[r2 + j] = l2;
          l[r3 + j] = l3;
        }
        s0 += (double) l0 * xj;
        s1 += (double) l1 * xj;
        s2 += (double) l2 * xj;
        s3 += (double) l3 * xj;
        bwd[ba + j] = madd(l3, a3, madd(l2, a2, madd(l1, a1, madd(l0, a0, bwd[ba + j]))));
      }
      // lane sums of f0..f3, the fold of SimdLanes' four-row lane sums (inline: see there)
      FloatVector fs = f0.blend(f1, HIGH_HALVES).add(f1.blend(f0, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector f23 = f2.blend(f3, HIGH_HALVES).add(f3.blend(f2, HIGH_HALVES).rearrange(SWAP_HALVES));
      fs = fs.blend(f23, ODD_QUARTERS).add(f23.blend(fs, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      fs = SWAP_8 == null ? fs : fs.add(fs.rearrange(SWAP_8));
      fs = SWAP_4 == null ? fs : fs.add(fs.rearrange(SWAP_4));
      fs = SWAP_2 == null ? fs : fs.add(fs.rearrange(SWAP_2));
      fs = SWAP_1 == null ? fs : fs.add(fs.rearrange(SWAP_1));
      fwd[fa + i] = (float) (s0 + fs.lane(0));
      fwd[fa + i + 1] = (float) (s1 + fs.lane(LANE_OF_F1));
      fwd[fa + i + 2] = (float) (s2 + fs.lane(LANE_OF_F2));
      fwd[fa + i + 3] = (float) (s3 + fs.lane(LANE_OF_F3));
    }
    for (; i < i1; i++) {
      singleRow(l, lb, n, update, p, pb, w, wb, wMax, x, bwd, fwd, heads, k, 1, i, lanes);
    }
  }

  /**
   * {@link #rows4x1} for the read heads 0..2·pairs−1, two at a time: each L vector loaded (or updated) feeds four
   * forward and two backward FMAs. All pairs run on a block of four rows before the next block: the first pair
   * streams the block from memory (and updates it when {@code update}), the others find it in L1 (L2 beyond
   * N ≈ 3000), so memory is read without long pauses.
   */
  private static void rows4x2(
      float[] l, int lb, int n, boolean update, float[] p, int pb, float[] w, int wb, float[] x, float[] bwd,
      float[] fwd, int[] heads, int pairs, int i0, int i1, float[] lanes) {
    int bound = FLOAT.loopBound(n);
    FloatVector index = FloatVector.zero(FLOAT).addIndex(1);
    float wMax = update ? SimdReductions.max(w, wb, n) : 0f;
    int i = i0;
    for (; i + 4 <= i1; i += 4) {
      for (int k = 0; k < 2 * pairs; k += 2) {
        boolean upd = update && k == 0;
        int xa = heads[3 * k], ba = heads[3 * k + 1], fa = heads[3 * k + 2];
        int xc = heads[3 * k + 3], bc = heads[3 * k + 4], fc = heads[3 * k + 5];
        int r0 = lb + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        float w0 = upd ? w[wb + i] : 0f, w1 = upd ? w[wb + i + 1] : 0f;
        float w2 = upd ? w[wb + i + 2] : 0f, w3 = upd ? w[wb + i + 3] : 0f;
        FloatVector c0 = FloatVector.broadcast(FLOAT, 1f - w0), c1 = FloatVector.broadcast(FLOAT, 1f - w1);
        FloatVector c2 = FloatVector.broadcast(FLOAT, 1f - w2), c3 = FloatVector.broadcast(FLOAT, 1f - w3);
        boolean clamp = keepCanGoNegative(wMax, w0, w1, w2, w3);
        float a0 = x[xa + i], a1 = x[xa + i + 1], a2 = x[xa + i + 2], a3 = x[xa + i + 3];
        float e0 = x[xc + i], e1 = x[xc + i + 1], e2 = x[xc + i + 2], e3 = x[xc + i + 3];
        FloatVector u0 = FloatVector.broadcast(FLOAT, a0), u1 = FloatVector.broadcast(FLOAT, a1);
        FloatVector u2 = FloatVector.broadcast(FLOAT, a2), u3 = FloatVector.broadcast(FLOAT, a3);
        FloatVector v0 = FloatVector.broadcast(FLOAT, e0), v1 = FloatVector.broadcast(FLOAT, e1);
        FloatVector v2 = FloatVector.broadcast(FLOAT, e2), v3 = FloatVector.broadcast(FLOAT, e3);
        FloatVector f0 = FloatVector.zero(FLOAT), f1 = f0, f2 = f0, f3 = f0, g0 = f0, g1 = f0, g2 = f0, g3 = f0;
        int j = 0;
        for (; j < bound; j += LANES) {
          FloatVector l0 = FloatVector.fromArray(FLOAT, l, r0 + j), l1 = FloatVector.fromArray(FLOAT, l, r1 + j);
          FloatVector l2 = FloatVector.fromArray(FLOAT, l, r2 + j), l3 = FloatVector.fromArray(FLOAT, l, r3 + j);
          if (upd) {
            FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j), pj = FloatVector.fromArray(FLOAT, p, pb + j);
            FloatVector add0 = pj.mul(w0), add1 = pj.mul(w1);
            FloatVector keep0 = clamp ? c0.sub(wj).max(0f) : c0.sub(wj);
            FloatVector keep1 = clamp ? c1.sub(wj).max(0f) : c1.sub(wj);
            FloatVector add2 = pj.mul(w2), add3 = pj.mul(w3);
            FloatVector keep2 = clamp ? c2.sub(wj).max(0f) : c2.sub(wj);
            FloatVector keep3 = clamp ? c3.sub(wj).max(0f) : c3.sub(wj);
            l0 = USE_FMA ? keep0.fma(l0, add0) : keep0.mul(l0).add(add0);
            l1 = USE_FMA ? keep1.fma(l1, add1) : keep1.mul(l1).add(add1);
            l2 = USE_FMA ? keep2.fma(l2, add2) : keep2.mul(l2).add(add2);
            l3 = USE_FMA ? keep3.fma(l3, add3) : keep3.mul(l3).add(add3);
            l0 = l0.blend(0f, index.compare(VectorOperators.EQ, (float) (i - j)));
            l1 = l1.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 1 - j)));
            l2 = l2.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 2 - j)));
            l3 = l3.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 3 - j)));
            l0.intoArray(l, r0 + j);
            l1.intoArray(l, r1 + j);
            l2.intoArray(l, r2 + j);
            l3.intoArray(l, r3 + j);
          }
          FloatVector xj = FloatVector.fromArray(FLOAT, x, xa + j);
          f0 = USE_FMA ? l0.fma(xj, f0) : l0.mul(xj).add(f0);
          f1 = USE_FMA ? l1.fma(xj, f1) : l1.mul(xj).add(f1);
          f2 = USE_FMA ? l2.fma(xj, f2) : l2.mul(xj).add(f2);
          f3 = USE_FMA ? l3.fma(xj, f3) : l3.mul(xj).add(f3);
          FloatVector yj = FloatVector.fromArray(FLOAT, x, xc + j);
          g0 = USE_FMA ? l0.fma(yj, g0) : l0.mul(yj).add(g0);
          g1 = USE_FMA ? l1.fma(yj, g1) : l1.mul(yj).add(g1);
          g2 = USE_FMA ? l2.fma(yj, g2) : l2.mul(yj).add(g2);
          g3 = USE_FMA ? l3.fma(yj, g3) : l3.mul(yj).add(g3);
          FloatVector bv = FloatVector.fromArray(FLOAT, bwd, ba + j), cv = FloatVector.fromArray(FLOAT, bwd, bc + j);
          bv = USE_FMA ? l0.fma(u0, bv) : l0.mul(u0).add(bv);
          bv = USE_FMA ? l1.fma(u1, bv) : l1.mul(u1).add(bv);
          bv = USE_FMA ? l2.fma(u2, bv) : l2.mul(u2).add(bv);
          bv = USE_FMA ? l3.fma(u3, bv) : l3.mul(u3).add(bv);
          cv = USE_FMA ? l0.fma(v0, cv) : l0.mul(v0).add(cv);
          cv = USE_FMA ? l1.fma(v1, cv) : l1.mul(v1).add(cv);
          cv = USE_FMA ? l2.fma(v2, cv) : l2.mul(v2).add(cv);
          cv = USE_FMA ? l3.fma(v3, cv) : l3.mul(v3).add(cv);
          bv.intoArray(bwd, ba + j);
          cv.intoArray(bwd, bc + j);
        }
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        // scalar tail
        for (; j < n; j++) {
          float xj = x[xa + j], yj = x[xc + j], l0 = l[r0 + j], l1 = l[r1 + j], l2 = l[r2 + j], l3 = l[r3 + j];
          if (upd) {
            float wj = w[wb + j], pj = p[pb + j];
            l0 = j == i ? 0f : madd(Math.max(0f, 1f - w0 - wj), l0, pj * w0);
            l1 = j == i + 1 ? 0f : madd(Math.max(0f, 1f - w1 - wj), l1, pj * w1);
            l2 = j == i + 2 ? 0f : madd(Math.max(0f, 1f - w2 - wj), l2, pj * w2);
            l3 = j == i + 3 ? 0f : madd(Math.max(0f, 1f - w3 - wj), l3, pj * w3);
            l[r0 + j] = l0;
            l[r1 + j] = l1;
            l[r2 + j] = l2;
            l[r3 + j] = l3;
          }
          s0 += (double) l0 * xj;
          s1 += (double) l1 * xj;
          s2 += (double) l2 * xj;
          s3 += (double) l3 * xj;
          t0 += (double) l0 * yj;
          t1 += (double) l1 * yj;
          t2 += (double) l2 * yj;
          t3 += (double) l3 * yj;
          bwd[ba + j] = madd(l3, a3, madd(l2, a2, madd(l1, a1, madd(l0, a0, bwd[ba + j]))));
          bwd[bc + j] = madd(l3, e3, madd(l2, e2, madd(l1, e1, madd(l0, e0, bwd[bc + j]))));
        }
        // lane sums of f0..f3, the fold of SimdLanes' four-row lane sums (inline: see there)
        FloatVector fs = f0.blend(f1, HIGH_HALVES).add(f1.blend(f0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector f23 = f2.blend(f3, HIGH_HALVES).add(f3.blend(f2, HIGH_HALVES).rearrange(SWAP_HALVES));
        fs = fs.blend(f23, ODD_QUARTERS).add(f23.blend(fs, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        fs = SWAP_8 == null ? fs : fs.add(fs.rearrange(SWAP_8));
        fs = SWAP_4 == null ? fs : fs.add(fs.rearrange(SWAP_4));
        fs = SWAP_2 == null ? fs : fs.add(fs.rearrange(SWAP_2));
        fs = SWAP_1 == null ? fs : fs.add(fs.rearrange(SWAP_1));
        fwd[fa + i] = (float) (s0 + fs.lane(0));
        fwd[fa + i + 1] = (float) (s1 + fs.lane(LANE_OF_F1));
        fwd[fa + i + 2] = (float) (s2 + fs.lane(LANE_OF_F2));
        fwd[fa + i + 3] = (float) (s3 + fs.lane(LANE_OF_F3));
        // lane sums of g0..g3, the fold of SimdLanes' four-row lane sums (inline: see there)
        FloatVector gs = g0.blend(g1, HIGH_HALVES).add(g1.blend(g0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector g23 = g2.blend(g3, HIGH_HALVES).add(g3.blend(g2, HIGH_HALVES).rearrange(SWAP_HALVES));
        gs = gs.blend(g23, ODD_QUARTERS).add(g23.blend(gs, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        gs = SWAP_8 == null ? gs : gs.add(gs.rearrange(SWAP_8));
        gs = SWAP_4 == null ? gs : gs.add(gs.rearrange(SWAP_4));
        gs = SWAP_2 == null ? gs : gs.add(gs.rearrange(SWAP_2));
        gs = SWAP_1 == null ? gs : gs.add(gs.rearrange(SWAP_1));
        fwd[fc + i] = (float) (t0 + gs.lane(0));
        fwd[fc + i + 1] = (float) (t1 + gs.lane(LANE_OF_F1));
        fwd[fc + i + 2] = (float) (t2 + gs.lane(LANE_OF_F2));
        fwd[fc + i + 3] = (float) (t3 + gs.lane(LANE_OF_F3));
      }
    }
    for (; i < i1; i++) {
      singleRow(l, lb, n, update, p, pb, w, wb, wMax, x, bwd, fwd, heads, 0, 2 * pairs, i, lanes);
    }
  }

  /**
   * A whole matrix of N = 16 on 16 lanes (DeepMind's N = 16 on 512-bit vectors: a row is one vector), every read
   * head, updated first when {@code update}. Per head, the sixteen rows' products with x go into one lane-sum tree
   * (the four levels of the block kernels' folds, each combining two vectors, with the rows placed so that lane i
   * ends with row i): the pairs of sumLanes' order, so the block kernels' bits, in 60 lane operations and one
   * store where the four-row folds take about 140 (folds, lane extractions, conversions) and sixteen scalar
   * stores. Backward sums run over the rows in ascending order from the zeroed output, as there; L' is the same
   * per-element arithmetic (the keep always clamped at 0, which changes nothing where it is not negative).
   */
  private static void oneVectorMatrix(float[] l, int lb, boolean update, float[] p, int pb, float[] w, int wb,
      float[] x, float[] bwd, float[] fwd, int[] heads, int r) {
    if (update) {
      FloatVector index = FloatVector.zero(FLOAT).addIndex(1);
      FloatVector wj = FloatVector.fromArray(FLOAT, w, wb), pj = FloatVector.fromArray(FLOAT, p, pb);
      for (int i = 0; i < 16; i++) {
        float wi = w[wb + i];
        FloatVector keep = FloatVector.broadcast(FLOAT, 1f - wi).sub(wj).max(0f), add = pj.mul(wi);
        FloatVector li = FloatVector.fromArray(FLOAT, l, lb + 16 * i);
        li = USE_FMA ? keep.fma(li, add) : keep.mul(li).add(add);
        li.blend(0f, index.compare(VectorOperators.EQ, (float) i)).intoArray(l, lb + 16 * i);
      }
    }
    FloatVector zero = FloatVector.zero(FLOAT);
    for (int k = 0; k < r; k++) {
      int xa = heads[3 * k], ba = heads[3 * k + 1], fa = heads[3 * k + 2];
      FloatVector xv = FloatVector.fromArray(FLOAT, x, xa), bv = FloatVector.fromArray(FLOAT, bwd, ba);
      for (int i = 0; i < 16; i++) {
        FloatVector li = FloatVector.fromArray(FLOAT, l, lb + 16 * i), xi = FloatVector.broadcast(FLOAT, x[xa + i]);
        bv = USE_FMA ? li.fma(xi, bv) : li.mul(xi).add(bv);
      }
      bv.intoArray(bwd, ba);
      // slot t holds row bitreverse(t): the tree's lane i then sums row i
      FloatVector s0 = FloatVector.fromArray(FLOAT, l, lb + 0);
      s0 = USE_FMA ? s0.fma(xv, zero) : s0.mul(xv).add(zero);
      FloatVector s1 = FloatVector.fromArray(FLOAT, l, lb + 128);
      s1 = USE_FMA ? s1.fma(xv, zero) : s1.mul(xv).add(zero);
      FloatVector s2 = FloatVector.fromArray(FLOAT, l, lb + 64);
      s2 = USE_FMA ? s2.fma(xv, zero) : s2.mul(xv).add(zero);
      FloatVector s3 = FloatVector.fromArray(FLOAT, l, lb + 192);
      s3 = USE_FMA ? s3.fma(xv, zero) : s3.mul(xv).add(zero);
      FloatVector s4 = FloatVector.fromArray(FLOAT, l, lb + 32);
      s4 = USE_FMA ? s4.fma(xv, zero) : s4.mul(xv).add(zero);
      FloatVector s5 = FloatVector.fromArray(FLOAT, l, lb + 160);
      s5 = USE_FMA ? s5.fma(xv, zero) : s5.mul(xv).add(zero);
      FloatVector s6 = FloatVector.fromArray(FLOAT, l, lb + 96);
      s6 = USE_FMA ? s6.fma(xv, zero) : s6.mul(xv).add(zero);
      FloatVector s7 = FloatVector.fromArray(FLOAT, l, lb + 224);
      s7 = USE_FMA ? s7.fma(xv, zero) : s7.mul(xv).add(zero);
      FloatVector s8 = FloatVector.fromArray(FLOAT, l, lb + 16);
      s8 = USE_FMA ? s8.fma(xv, zero) : s8.mul(xv).add(zero);
      FloatVector s9 = FloatVector.fromArray(FLOAT, l, lb + 144);
      s9 = USE_FMA ? s9.fma(xv, zero) : s9.mul(xv).add(zero);
      FloatVector s10 = FloatVector.fromArray(FLOAT, l, lb + 80);
      s10 = USE_FMA ? s10.fma(xv, zero) : s10.mul(xv).add(zero);
      FloatVector s11 = FloatVector.fromArray(FLOAT, l, lb + 208);
      s11 = USE_FMA ? s11.fma(xv, zero) : s11.mul(xv).add(zero);
      FloatVector s12 = FloatVector.fromArray(FLOAT, l, lb + 48);
      s12 = USE_FMA ? s12.fma(xv, zero) : s12.mul(xv).add(zero);
      FloatVector s13 = FloatVector.fromArray(FLOAT, l, lb + 176);
      s13 = USE_FMA ? s13.fma(xv, zero) : s13.mul(xv).add(zero);
      FloatVector s14 = FloatVector.fromArray(FLOAT, l, lb + 112);
      s14 = USE_FMA ? s14.fma(xv, zero) : s14.mul(xv).add(zero);
      FloatVector s15 = FloatVector.fromArray(FLOAT, l, lb + 240);
      s15 = USE_FMA ? s15.fma(xv, zero) : s15.mul(xv).add(zero);
      FloatVector c0 = s0.blend(s1, HIGH_HALVES).add(s1.blend(s0, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector c1 = s2.blend(s3, HIGH_HALVES).add(s3.blend(s2, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector c2 = s4.blend(s5, HIGH_HALVES).add(s5.blend(s4, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector c3 = s6.blend(s7, HIGH_HALVES).add(s7.blend(s6, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector c4 = s8.blend(s9, HIGH_HALVES).add(s9.blend(s8, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector c5 = s10.blend(s11, HIGH_HALVES).add(s11.blend(s10, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector c6 = s12.blend(s13, HIGH_HALVES).add(s13.blend(s12, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector c7 = s14.blend(s15, HIGH_HALVES).add(s15.blend(s14, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector d0 = c0.blend(c1, ODD_QUARTERS).add(c1.blend(c0, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      FloatVector d1 = c2.blend(c3, ODD_QUARTERS).add(c3.blend(c2, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      FloatVector d2 = c4.blend(c5, ODD_QUARTERS).add(c5.blend(c4, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      FloatVector d3 = c6.blend(c7, ODD_QUARTERS).add(c7.blend(c6, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      FloatVector e0 = d0.blend(d1, ODD_PAIRS).add(d1.blend(d0, ODD_PAIRS).rearrange(SWAP_2));
      FloatVector e1 = d2.blend(d3, ODD_PAIRS).add(d3.blend(d2, ODD_PAIRS).rearrange(SWAP_2));
      FloatVector g = e0.blend(e1, ODD_LANES).add(e1.blend(e0, ODD_LANES).rearrange(SWAP_1));
      // + 0: the block kernels add each sum to a double 0, which turns −0 into +0
      g.add(0f).intoArray(fwd, fa);
    }
  }

  /**
   * Row i (left over from the kernels' blocks) for the read heads k..k+count−1, updated first when
   * {@code update}. The same per-element arithmetic as the block kernels.
   */
  private static void singleRow(
      float[] l, int lb, int n, boolean update, float[] p, int pb, float[] w, int wb, float wMax, float[] x,
      float[] bwd, float[] fwd, int[] heads, int k, int count, int i, float[] lanes) {
    int rowOff = lb + i * n;
    if (update) {
      updateRow(l, rowOff, n, p, pb, w, wb, i, wMax);
    }
    int bound = FLOAT.loopBound(n);
    for (int m = k; m < k + count; m++) {
      int xm = heads[3 * m], bm = heads[3 * m + 1];
      float xi = x[xm + i];
      FloatVector vi = FloatVector.broadcast(FLOAT, xi);
      FloatVector f = FloatVector.zero(FLOAT);
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector lv = FloatVector.fromArray(FLOAT, l, rowOff + j);
        FloatVector xj = FloatVector.fromArray(FLOAT, x, xm + j), bv = FloatVector.fromArray(FLOAT, bwd, bm + j);
        f = USE_FMA ? lv.fma(xj, f) : lv.mul(xj).add(f);
        (USE_FMA ? lv.fma(vi, bv) : lv.mul(vi).add(bv)).intoArray(bwd, bm + j);
      }
      f.intoArray(lanes, 0);
      double sum = 0;
      // scalar tail
      for (; j < n; j++) {
        float lv = l[rowOff + j];
        sum += (double) lv * x[xm + j];
        bwd[bm + j] = madd(lv, xi, bwd[bm + j]);
      }
      fwd[heads[3 * m + 2] + i] = (float) (sum + sumLanes(lanes, 0));
    }
  }
}
