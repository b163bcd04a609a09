package org.dnckernels.simd;

import static org.dnckernels.simd.SimdLoops.array;
import static org.dnckernels.simd.SimdLoops.offset;
import static org.dnckernels.simd.SimdLoops.sumLanes;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;
import static org.dnckernels.simd.SimdLoops.USE_FMA;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
 * <p>The link passes walk L in blocks of {@link #ROWS} rows and, within a block, in tiles of {@link #TILE}
 * columns. In a fused call the pass that streams a tile from memory computes L', blends an exact 0 onto the
 * diagonal, stores L' and accumulates read head 0 from the same registers; each further read head re-reads the
 * tile from L1. Accumulating adds into forward lane accumulators and into the backward output rows (which stay in
 * cache: R·N floats). So L comes from memory once and goes back once per write head, whatever the number of read
 * heads; the 4-row blocks load each read weight and each backward element once per 4 rows. Forward lanes are
 * carried across tiles and reduced once per row in a fixed order (tail and total in double); backward sums
 * accumulate in float in the output. The fused results equal linkUpdate then forwardBackward bit for bit.
 */
final class SimdTemporalLinkage {
  /** Rows per block: the read weights and backward rows of a tile are loaded once per block. */
  static final int ROWS = 4;
  /** Columns per tile: ROWS rows of a tile (8 KiB) stay in L1 between the update and the read-head passes. */
  static final int TILE = 512;

  private SimdTemporalLinkage() {}

  // -------------------------------------------------------------------------------------------------------
  // precedence

  /** Batch entries [b0, b1): {@code p ← (1 − Σ w) p + w} per write head, in place. */
  static void precedence(Tensor precedence, Tensor writeWeights, int b0, int b1) {
    int wh = precedence.dim(1), n = precedence.dim(2);
    float[] p = array(precedence), w = array(writeWeights);
    int pOff = offset(precedence), wOff = offset(writeWeights);
    int bound = FLOAT.loopBound(n);
    for (int b = b0; b < b1; b++) {
      for (int h = 0; h < wh; h++) {
        int row = (b * wh + h) * n;
        float keep = (float) (1.0 - SimdLoops.sum(w, wOff + row, n));
        int i = 0;
        for (; i < bound; i += LANES) {
          FloatVector pv = FloatVector.fromArray(FLOAT, p, pOff + row + i);
          pv.mul(keep).add(FloatVector.fromArray(FLOAT, w, wOff + row + i)).intoArray(p, pOff + row + i);
        }
        // scalar tail
        for (; i < n; i++) {
          p[pOff + row + i] = keep * p[pOff + row + i] + w[wOff + row + i];
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // link update and forward/backward weightings

  /** Batch entries [b0, b1): the link update alone, in place. */
  static void linkUpdate(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int b0, int b1) {
    int wh = link.dim(1), n = link.dim(2);
    float[] l = array(link), p = array(prevPrecedence), w = array(writeWeights);
    int lOff = offset(link), pOff = offset(prevPrecedence), wOff = offset(writeWeights);
    for (int b = b0; b < b1; b++) {
      for (int h = 0; h < wh; h++) {
        int head = b * wh + h;
        int lb = lOff + head * n * n, pb = pOff + head * n, wb = wOff + head * n;
        int i0 = 0;
        for (; i0 + ROWS <= n; i0 += ROWS) {
          update4(l, lb + i0 * n, n, p, pb, w, wb, i0, 0, n);
        }
        for (; i0 < n; i0++) {
          update1(l, lb + i0 * n, p, pb, w, wb, i0, 0, n);
        }
      }
    }
  }

  /** Batch entries [b0, b1): forward and backward weightings of all read heads, one pass over each L. */
  static void forwardBackward(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
    linkPass(link, null, null, prevReadWeights, forward, backward, b0, b1);
  }

  /** Batch entries [b0, b1): link update, then forward/backward on the updated L, fused in one pass over L. */
  static void linkUpdateAndWeightings(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward, int b0, int b1) {
    linkPass(link, prevPrecedence, writeWeights, prevReadWeights, forward, backward, b0, b1);
  }

  /** One pass over each link matrix; updates it first when {@code prevPrecedence} is not null. */
  private static void linkPass(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward, int b0, int b1) {
    int wh = link.dim(1), n = link.dim(2), r = prevReadWeights.dim(1);
    boolean update = prevPrecedence != null;
    float[] l = array(link), x = array(prevReadWeights), fwd = array(forward), bwd = array(backward);
    int lOff = offset(link), xOff = offset(prevReadWeights), fOff = offset(forward), bOff = offset(backward);
    float[] p = update ? array(prevPrecedence) : null, w = update ? array(writeWeights) : null;
    int pOff = update ? offset(prevPrecedence) : 0, wOff = update ? offset(writeWeights) : 0;
    SimdLoops.Scratch scratch = SimdLoops.scratch();
    // per (read head, row of the block): the forward sum's vector lanes across tiles, and its scalar tail
    float[] lanes = scratch.floats(r * ROWS * LANES);
    double[] rowSums = scratch.doubles(r * ROWS);
    // tiles pay off only when a later pass re-reads them; with one read head the rows stream through whole
    int tile = r == 1 ? n : TILE;
    for (int b = b0; b < b1; b++) {
      for (int h = 0; h < wh; h++) {
        int head = b * wh + h;
        int lb = lOff + head * n * n, pb = pOff + head * n, wb = wOff + head * n;
        for (int k = 0; k < r; k++) {
          int bb = bOff + ((b * r + k) * wh + h) * n;
          Arrays.fill(bwd, bb, bb + n, 0f);
        }
        int i0 = 0;
        for (; i0 + ROWS <= n; i0 += ROWS) {
          int rowOff = lb + i0 * n;
          Arrays.fill(rowSums, 0, r * ROWS, 0.0);
          Arrays.fill(lanes, 0, r * ROWS * LANES, 0f);
          for (int jt = 0; jt < n; jt += tile) {
            int jEnd = Math.min(n, jt + tile);
            int k = 0;
            if (update) {
              // the pass that streams L from memory updates it and serves read head 0 from registers
              int bb = bOff + (b * r * wh + h) * n;
              updateAccumulate4(l, rowOff, n, p, pb, w, wb, x, xOff + b * r * n, bwd, bb, i0, jt, jEnd, rowSums, lanes);
              k = 1;
            }
            for (; k < r; k++) {
              int bb = bOff + ((b * r + k) * wh + h) * n;
              accumulate4(l, rowOff, n, x, xOff + (b * r + k) * n, bwd, bb, i0, jt, jEnd, rowSums, lanes, k * ROWS);
            }
          }
          for (int k = 0; k < r; k++) {
            int fb = fOff + ((b * r + k) * wh + h) * n + i0;
            for (int q = 0; q < ROWS; q++) {
              int row = k * ROWS + q;
              fwd[fb + q] = (float) (rowSums[row] + sumLanes(lanes, row * LANES));
            }
          }
        }
        // rows left over from the 4-row blocks
        for (; i0 < n; i0++) {
          int rowOff = lb + i0 * n;
          Arrays.fill(rowSums, 0, r, 0.0);
          Arrays.fill(lanes, 0, r * LANES, 0f);
          for (int jt = 0; jt < n; jt += tile) {
            int jEnd = Math.min(n, jt + tile);
            if (update) {
              update1(l, rowOff, p, pb, w, wb, i0, jt, jEnd);
            }
            for (int k = 0; k < r; k++) {
              int bb = bOff + ((b * r + k) * wh + h) * n;
              accumulate1(l, rowOff, x, xOff + (b * r + k) * n, bwd, bb, i0, jt, jEnd, rowSums, lanes, k);
            }
          }
          for (int k = 0; k < r; k++) {
            fwd[fOff + ((b * r + k) * wh + h) * n + i0] = (float) (rowSums[k] + sumLanes(lanes, k * LANES));
          }
        }
      }
    }
  }

  /**
   * {@link #update4} and {@link #accumulate4} for read head 0 in one pass: L' is stored and accumulated from the
   * same registers. The chunk holding a row's diagonal blends in an exact 0 before both. Same arithmetic as the
   * two kernels, so the fused results equal the un-fused ones bit for bit.
   */
  private static void updateAccumulate4(
      float[] l, int rowOff, int n, float[] p, int pb, float[] w, int wb, float[] x, int xb, float[] bwd, int bb,
      int i0, int jt, int jEnd, double[] sums, float[] lanes) {
    int r0 = rowOff, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    float w0 = w[wb + i0], w1 = w[wb + i0 + 1], w2 = w[wb + i0 + 2], w3 = w[wb + i0 + 3];
    FloatVector c0 = FloatVector.broadcast(FLOAT, 1f - w0), c1 = FloatVector.broadcast(FLOAT, 1f - w1);
    FloatVector c2 = FloatVector.broadcast(FLOAT, 1f - w2), c3 = FloatVector.broadcast(FLOAT, 1f - w3);
    float x0 = x[xb + i0], x1 = x[xb + i0 + 1], x2 = x[xb + i0 + 2], x3 = x[xb + i0 + 3];
    FloatVector v0 = FloatVector.broadcast(FLOAT, x0), v1 = FloatVector.broadcast(FLOAT, x1);
    FloatVector v2 = FloatVector.broadcast(FLOAT, x2), v3 = FloatVector.broadcast(FLOAT, x3);
    FloatVector f0 = FloatVector.zero(FLOAT), f1 = f0, f2 = f0, f3 = f0;
    FloatVector index = f0.addIndex(1);
    int j = jt;
    int bound = jt + FLOAT.loopBound(jEnd - jt);
    for (; j < bound; j += LANES) {
      FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j);
      FloatVector pj = FloatVector.fromArray(FLOAT, p, pb + j);
      FloatVector l0 = FloatVector.fromArray(FLOAT, l, r0 + j), keep0 = c0.sub(wj), add0 = pj.mul(w0);
      l0 = USE_FMA ? keep0.fma(l0, add0) : keep0.mul(l0).add(add0);
      FloatVector l1 = FloatVector.fromArray(FLOAT, l, r1 + j), keep1 = c1.sub(wj), add1 = pj.mul(w1);
      l1 = USE_FMA ? keep1.fma(l1, add1) : keep1.mul(l1).add(add1);
      FloatVector l2 = FloatVector.fromArray(FLOAT, l, r2 + j), keep2 = c2.sub(wj), add2 = pj.mul(w2);
      l2 = USE_FMA ? keep2.fma(l2, add2) : keep2.mul(l2).add(add2);
      FloatVector l3 = FloatVector.fromArray(FLOAT, l, r3 + j), keep3 = c3.sub(wj), add3 = pj.mul(w3);
      l3 = USE_FMA ? keep3.fma(l3, add3) : keep3.mul(l3).add(add3);
      // L'[i,i] = 0 exactly: lane i − j, when the diagonal is in this chunk (no branch: vectors stay unboxed)
      l0 = l0.blend(0f, index.compare(VectorOperators.EQ, (float) (i0 - j)));
      l1 = l1.blend(0f, index.compare(VectorOperators.EQ, (float) (i0 + 1 - j)));
      l2 = l2.blend(0f, index.compare(VectorOperators.EQ, (float) (i0 + 2 - j)));
      l3 = l3.blend(0f, index.compare(VectorOperators.EQ, (float) (i0 + 3 - j)));
      l0.intoArray(l, r0 + j);
      l1.intoArray(l, r1 + j);
      l2.intoArray(l, r2 + j);
      l3.intoArray(l, r3 + j);
      FloatVector xj = FloatVector.fromArray(FLOAT, x, xb + j);
      f0 = USE_FMA ? l0.fma(xj, f0) : l0.mul(xj).add(f0);
      f1 = USE_FMA ? l1.fma(xj, f1) : l1.mul(xj).add(f1);
      f2 = USE_FMA ? l2.fma(xj, f2) : l2.mul(xj).add(f2);
      f3 = USE_FMA ? l3.fma(xj, f3) : l3.mul(xj).add(f3);
      FloatVector bv = FloatVector.fromArray(FLOAT, bwd, bb + j);
      bv = USE_FMA ? l0.fma(v0, bv) : l0.mul(v0).add(bv);
      bv = USE_FMA ? l1.fma(v1, bv) : l1.mul(v1).add(bv);
      bv = USE_FMA ? l2.fma(v2, bv) : l2.mul(v2).add(bv);
      bv = USE_FMA ? l3.fma(v3, bv) : l3.mul(v3).add(bv);
      bv.intoArray(bwd, bb + j);
    }
    // the forward sums' lanes, carried across tiles (no helper call: it could box the vectors)
    FloatVector.fromArray(FLOAT, lanes, 0).add(f0).intoArray(lanes, 0);
    FloatVector.fromArray(FLOAT, lanes, LANES).add(f1).intoArray(lanes, LANES);
    FloatVector.fromArray(FLOAT, lanes, 2 * LANES).add(f2).intoArray(lanes, 2 * LANES);
    FloatVector.fromArray(FLOAT, lanes, 3 * LANES).add(f3).intoArray(lanes, 3 * LANES);
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    // scalar tail
    for (; j < jEnd; j++) {
      float wj = w[wb + j], pj = p[pb + j], xj = x[xb + j];
      float l0 = j == i0 ? 0f : (1f - w0 - wj) * l[r0 + j] + w0 * pj;
      float l1 = j == i0 + 1 ? 0f : (1f - w1 - wj) * l[r1 + j] + w1 * pj;
      float l2 = j == i0 + 2 ? 0f : (1f - w2 - wj) * l[r2 + j] + w2 * pj;
      float l3 = j == i0 + 3 ? 0f : (1f - w3 - wj) * l[r3 + j] + w3 * pj;
      l[r0 + j] = l0;
      l[r1 + j] = l1;
      l[r2 + j] = l2;
      l[r3 + j] = l3;
      s0 += (double) l0 * xj;
      s1 += (double) l1 * xj;
      s2 += (double) l2 * xj;
      s3 += (double) l3 * xj;
      bwd[bb + j] = bwd[bb + j] + l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3;
    }
    sums[0] += s0;
    sums[1] += s1;
    sums[2] += s2;
    sums[3] += s3;
  }

  /**
   * L'[i,j] = (1 − w_i − w_j) L[i,j] + w_i p_j for rows i0..i0+3, columns [jt, jEnd); then the diagonal
   * elements in that range are set to exactly 0.
   */
  private static void update4(
      float[] l, int rowOff, int n, float[] p, int pb, float[] w, int wb, int i0, int jt, int jEnd) {
    int r0 = rowOff, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    float w0 = w[wb + i0], w1 = w[wb + i0 + 1], w2 = w[wb + i0 + 2], w3 = w[wb + i0 + 3];
    FloatVector c0 = FloatVector.broadcast(FLOAT, 1f - w0), c1 = FloatVector.broadcast(FLOAT, 1f - w1);
    FloatVector c2 = FloatVector.broadcast(FLOAT, 1f - w2), c3 = FloatVector.broadcast(FLOAT, 1f - w3);
    int j = jt;
    int bound = jt + FLOAT.loopBound(jEnd - jt);
    for (; j < bound; j += LANES) {
      FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j);
      FloatVector pj = FloatVector.fromArray(FLOAT, p, pb + j);
      FloatVector l0 = FloatVector.fromArray(FLOAT, l, r0 + j), keep0 = c0.sub(wj), add0 = pj.mul(w0);
      (USE_FMA ? keep0.fma(l0, add0) : keep0.mul(l0).add(add0)).intoArray(l, r0 + j);
      FloatVector l1 = FloatVector.fromArray(FLOAT, l, r1 + j), keep1 = c1.sub(wj), add1 = pj.mul(w1);
      (USE_FMA ? keep1.fma(l1, add1) : keep1.mul(l1).add(add1)).intoArray(l, r1 + j);
      FloatVector l2 = FloatVector.fromArray(FLOAT, l, r2 + j), keep2 = c2.sub(wj), add2 = pj.mul(w2);
      (USE_FMA ? keep2.fma(l2, add2) : keep2.mul(l2).add(add2)).intoArray(l, r2 + j);
      FloatVector l3 = FloatVector.fromArray(FLOAT, l, r3 + j), keep3 = c3.sub(wj), add3 = pj.mul(w3);
      (USE_FMA ? keep3.fma(l3, add3) : keep3.mul(l3).add(add3)).intoArray(l, r3 + j);
    }
    // scalar tail
    for (; j < jEnd; j++) {
      float wj = w[wb + j], pj = p[pb + j];
      l[r0 + j] = (1f - w0 - wj) * l[r0 + j] + w0 * pj;
      l[r1 + j] = (1f - w1 - wj) * l[r1 + j] + w1 * pj;
      l[r2 + j] = (1f - w2 - wj) * l[r2 + j] + w2 * pj;
      l[r3 + j] = (1f - w3 - wj) * l[r3 + j] + w3 * pj;
    }
    // the diagonal is exactly zero, whatever the arithmetic gave
    for (int q = 0; q < ROWS; q++) {
      int i = i0 + q;
      if (i >= jt && i < jEnd) {
        l[rowOff + q * n + i] = 0f;
      }
    }
  }

  /** {@link #update4} for the single row i. */
  private static void update1(float[] l, int rowOff, float[] p, int pb, float[] w, int wb, int i, int jt, int jEnd) {
    float wi = w[wb + i];
    FloatVector ci = FloatVector.broadcast(FLOAT, 1f - wi);
    int j = jt;
    int bound = jt + FLOAT.loopBound(jEnd - jt);
    for (; j < bound; j += LANES) {
      FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j);
      FloatVector pj = FloatVector.fromArray(FLOAT, p, pb + j);
      FloatVector lv = FloatVector.fromArray(FLOAT, l, rowOff + j), keep = ci.sub(wj), add = pj.mul(wi);
      (USE_FMA ? keep.fma(lv, add) : keep.mul(lv).add(add)).intoArray(l, rowOff + j);
    }
    // scalar tail
    for (; j < jEnd; j++) {
      l[rowOff + j] = (1f - wi - w[wb + j]) * l[rowOff + j] + wi * p[pb + j];
    }
    if (i >= jt && i < jEnd) {
      l[rowOff + i] = 0f;
    }
  }

  /**
   * For rows i0..i0+3 and columns [jt, jEnd): Σ_j L[i0+q, j] x[j] into the float lanes at lanes[(s+q)·LANES]
   * (the scalar tail into sums[s + q], in double), and bwd[j] += Σ_q L[i0+q, j] x[i0+q].
   */
  private static void accumulate4(
      float[] l, int rowOff, int n, float[] x, int xb, float[] bwd, int bb, int i0, int jt, int jEnd, double[] sums,
      float[] lanes, int s) {
    int r0 = rowOff, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    float x0 = x[xb + i0], x1 = x[xb + i0 + 1], x2 = x[xb + i0 + 2], x3 = x[xb + i0 + 3];
    FloatVector v0 = FloatVector.broadcast(FLOAT, x0), v1 = FloatVector.broadcast(FLOAT, x1);
    FloatVector v2 = FloatVector.broadcast(FLOAT, x2), v3 = FloatVector.broadcast(FLOAT, x3);
    FloatVector f0 = FloatVector.zero(FLOAT), f1 = f0, f2 = f0, f3 = f0;
    int j = jt;
    int bound = jt + FLOAT.loopBound(jEnd - jt);
    for (; j < bound; j += LANES) {
      FloatVector xj = FloatVector.fromArray(FLOAT, x, xb + j);
      FloatVector l0 = FloatVector.fromArray(FLOAT, l, r0 + j);
      FloatVector l1 = FloatVector.fromArray(FLOAT, l, r1 + j);
      FloatVector l2 = FloatVector.fromArray(FLOAT, l, r2 + j);
      FloatVector l3 = FloatVector.fromArray(FLOAT, l, r3 + j);
      f0 = USE_FMA ? l0.fma(xj, f0) : l0.mul(xj).add(f0);
      f1 = USE_FMA ? l1.fma(xj, f1) : l1.mul(xj).add(f1);
      f2 = USE_FMA ? l2.fma(xj, f2) : l2.mul(xj).add(f2);
      f3 = USE_FMA ? l3.fma(xj, f3) : l3.mul(xj).add(f3);
      FloatVector bv = FloatVector.fromArray(FLOAT, bwd, bb + j);
      bv = USE_FMA ? l0.fma(v0, bv) : l0.mul(v0).add(bv);
      bv = USE_FMA ? l1.fma(v1, bv) : l1.mul(v1).add(bv);
      bv = USE_FMA ? l2.fma(v2, bv) : l2.mul(v2).add(bv);
      bv = USE_FMA ? l3.fma(v3, bv) : l3.mul(v3).add(bv);
      bv.intoArray(bwd, bb + j);
    }
    // the forward sums' lanes, carried across tiles (no helper call: it could box the vectors)
    int o = s * LANES;
    FloatVector.fromArray(FLOAT, lanes, o).add(f0).intoArray(lanes, o);
    FloatVector.fromArray(FLOAT, lanes, o + LANES).add(f1).intoArray(lanes, o + LANES);
    FloatVector.fromArray(FLOAT, lanes, o + 2 * LANES).add(f2).intoArray(lanes, o + 2 * LANES);
    FloatVector.fromArray(FLOAT, lanes, o + 3 * LANES).add(f3).intoArray(lanes, o + 3 * LANES);
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    // scalar tail
    for (; j < jEnd; j++) {
      float xj = x[xb + j], l0 = l[r0 + j], l1 = l[r1 + j], l2 = l[r2 + j], l3 = l[r3 + j];
      s0 += (double) l0 * xj;
      s1 += (double) l1 * xj;
      s2 += (double) l2 * xj;
      s3 += (double) l3 * xj;
      bwd[bb + j] = bwd[bb + j] + l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3;
    }
    sums[s] += s0;
    sums[s + 1] += s1;
    sums[s + 2] += s2;
    sums[s + 3] += s3;
  }

  /** {@link #accumulate4} for the single row i. */
  private static void accumulate1(
      float[] l, int rowOff, float[] x, int xb, float[] bwd, int bb, int i, int jt, int jEnd, double[] sums,
      float[] lanes, int s) {
    float xi = x[xb + i];
    FloatVector vi = FloatVector.broadcast(FLOAT, xi);
    FloatVector f = FloatVector.zero(FLOAT);
    int j = jt;
    int bound = jt + FLOAT.loopBound(jEnd - jt);
    for (; j < bound; j += LANES) {
      FloatVector lv = FloatVector.fromArray(FLOAT, l, rowOff + j);
      FloatVector xj = FloatVector.fromArray(FLOAT, x, xb + j), bv = FloatVector.fromArray(FLOAT, bwd, bb + j);
      f = USE_FMA ? lv.fma(xj, f) : lv.mul(xj).add(f);
      (USE_FMA ? lv.fma(vi, bv) : lv.mul(vi).add(bv)).intoArray(bwd, bb + j);
    }
    FloatVector.fromArray(FLOAT, lanes, s * LANES).add(f).intoArray(lanes, s * LANES);
    double sum = 0;
    // scalar tail
    for (; j < jEnd; j++) {
      float lv = l[rowOff + j];
      sum += (double) lv * x[xb + j];
      bwd[bb + j] += lv * xi;
    }
    sums[s] += sum;
  }
}
