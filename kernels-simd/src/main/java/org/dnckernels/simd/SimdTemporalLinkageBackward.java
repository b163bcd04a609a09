package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdConfig.madd;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backwards of temporal linkage (DncKernels gives the equations), with G the incoming link gradient:
 *
 * <pre>
 *   G'[i,j]   = G[i,j] + Σ_r (gf_r[i] x_r[j] + gb_r[j] x_r[i])          (forward/backward part)
 *   gradX_r  += L_tᵀ gf_r + L_t gb_r
 *   gradW[i] += Σ_{j≠i} G'[i,j] (p_j − L[i,j]) − Σ_{j≠i} G'[j,i] L[j,i] ,  gradP[j] += Σ_{i≠j} G'[i,j] w_i
 *   G[i,j]   ← (1 − w_i − w_j) G'[i,j] ,  G[i,i] ← 0                    (link update part)
 * </pre>
 *
 * <p>All three link backwards are one pass ({@link #row}) over the rows of each matrix: it reads L (L_{t−1} in
 * the fused pass, which rebuilds L_t in registers with the forward's arithmetic, the diagonal blended to an exact
 * 0) and G once and writes G once: about 12N² bytes per write head, the fused forward's 8N² plus the gradient's
 * write. Row sums (gradW's first term) are float lanes reduced after the row; gradX's row term L_t gb_r is a
 * {@link SimdReductions#dot} of the row of L_t (kept in an L1 row of scratch) with gb_r after the row. Column sums
 * (gradW's second term, gradP, L_tᵀ gf_r) accumulate in float, rows in ascending order, in rows of partial sums
 * of their own per unit: a segment of rows of a matrix ({@link SimdTemporalLinkage#segments}, as the forward cuts
 * them). A batch entry's partial rows are added up in a fixed order (segments, then write heads, which share
 * gradX) and then to the gradients, once each; so the sums are the same bits on any thread count, and a call
 * with fewer matrices than threads splits over segments as the forward does.
 *
 * <p>Rows go one at a time: the partial rows of the column sums are loaded and stored once per row and vector
 * (3 + R vectors, from L1), which blocks of four rows as in the forward would cut by four; not done yet, pending
 * the benchmarks.
 *
 * <p>The backward uses the factors {@code 1 − Σw} and {@code 1 − w_i − w_j} as the contract writes them: the
 * forward's clamps at 0 only catch rounding for weightings.
 */
final class SimdTemporalLinkageBackward implements KernelMath.TemporalLinkageBackward {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();
  /** Partial sums of a link pass split by segments; only the holder of the pool uses it. */
  private float[] unitPartials = new float[0];

  SimdTemporalLinkageBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
      Tensor gradWriteWeights, int b0, int b1) {
    long work = 4L * (b1 - b0) * prevPrecedence.dim(1) * prevPrecedence.dim(2);
    int parts = split.acquire(b0, b1, prevPrecedence.dim(0), work);
    if (parts == 1) {
      precedenceSlice(prevPrecedence, writeWeights, gradPrecedence, gradWriteWeights, b0, b1);
      return;
    }
    call.set(Kernel.PRECEDENCE, null, prevPrecedence, writeWeights, null, null, null, null, gradPrecedence,
        gradWriteWeights, null);
    split.runAndRelease(call, parts, b1);
  }

  @Override
  public void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights, Tensor gradLink,
      Tensor gradPrevPrecedence, Tensor gradWriteWeights, int b0, int b1) {
    linkPass(prevLink, prevPrecedence, writeWeights, null, null, null, gradLink, gradPrevPrecedence,
        gradWriteWeights, null, b0, b1);
  }

  @Override
  public void forwardBackwardBackward(Tensor link, Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward,
      Tensor gradLink, Tensor gradPrevReadWeights, int b0, int b1) {
    linkPass(link, null, null, prevReadWeights, gradForward, gradBackward, gradLink, null, null, gradPrevReadWeights,
        b0, b1);
  }

  @Override
  public void linkUpdateAndWeightingsBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
      Tensor gradWriteWeights, Tensor gradPrevReadWeights, int b0, int b1) {
    linkPass(prevLink, prevPrecedence, writeWeights, prevReadWeights, gradForward, gradBackward, gradLink,
        gradPrevPrecedence, gradWriteWeights, gradPrevReadWeights, b0, b1);
  }

  /**
   * A link backward over batch entries [b0, b1): the link update's part when {@code prevPrecedence} is not null,
   * the forward/backward part when {@code prevReadWeights} is not null. Over the whole batch it splits over the
   * pool by batch entries when the batch divides well over the threads, else by units (segments of rows).
   */
  private void linkPass(Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights,
      Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence, Tensor gradWriteWeights,
      Tensor gradPrevReadWeights, int b0, int b1) {
    int batch = link.dim(0), wh = link.dim(1), n = link.dim(2);
    int r = prevReadWeights == null ? 0 : prevReadWeights.dim(1);
    int segs = SimdTemporalLinkage.segments(n, split.segmentRows);
    long work = (long) (b1 - b0) * wh * n * n * (prevPrecedence == null ? 0 : 6) + (long) (b1 - b0) * wh * n * n * 6 * r;
    if (b0 == 0 && b1 == batch) {
      boolean byBatch = segs == 1 || batch >= split.threads && batch % split.threads == 0;
      int parts = byBatch ? split.acquire(0, batch, batch, work) : split.acquireUnits(batch * wh * segs, work);
      if (parts > 1) {
        call.set(Kernel.LINK, link, prevPrecedence, writeWeights, prevReadWeights, gradForward, gradBackward,
            gradLink, gradPrevPrecedence, gradWriteWeights, gradPrevReadWeights);
        if (byBatch) {
          split.runAndRelease(call, parts, batch);
        } else {
          int floats = batch * wh * segs * unitFloats(n, r);
          if (unitPartials.length < floats) {
            unitPartials = new float[floats];
          }
          call.segments = segs;
          call.partials = unitPartials;
          split.runAndRelease(call, parts, batch * wh * segs);
        }
        return;
      }
    }
    linkSlice(link, prevPrecedence, writeWeights, prevReadWeights, gradForward, gradBackward, gradLink,
        gradPrevPrecedence, gradWriteWeights, gradPrevReadWeights, split.segmentRows, b0, b1);
  }

  private enum Kernel {
    PRECEDENCE, LINK
  }

  /** The family's call being split, its arguments by name (those a kernel does not take are null). */
  private final class Call implements SimdBatchPool.Slices {
    Kernel kernel;
    Tensor link, prevPrecedence, writeWeights, prevReadWeights, gradForward, gradBackward, gradLink,
        gradPrevPrecedence, gradWriteWeights, gradPrevReadWeights;
    /** Segments per link matrix when a link pass is split by units, else 0; its partial sums. */
    int segments;
    float[] partials;

    void set(Kernel kernel, Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights,
        Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
        Tensor gradWriteWeights, Tensor gradPrevReadWeights) {
      this.kernel = kernel;
      this.link = link;
      this.prevPrecedence = prevPrecedence;
      this.writeWeights = writeWeights;
      this.prevReadWeights = prevReadWeights;
      this.gradForward = gradForward;
      this.gradBackward = gradBackward;
      this.gradLink = gradLink;
      // precedenceBackward's in-place gradient rides in gradPrevPrecedence
      this.gradPrevPrecedence = gradPrevPrecedence;
      this.gradWriteWeights = gradWriteWeights;
      this.gradPrevReadWeights = gradPrevReadWeights;
      this.segments = 0;
      this.partials = null;
    }

    @Override
    public void run(int b0, int b1) {
      if (kernel == Kernel.PRECEDENCE) {
        precedenceSlice(prevPrecedence, writeWeights, gradPrevPrecedence, gradWriteWeights, b0, b1);
      } else if (segments > 0) {
        linkUnits(link, prevPrecedence, writeWeights, prevReadWeights, gradForward, gradBackward, gradLink,
            partials, 0, segments, b0, b1);
      } else {
        linkSlice(link, prevPrecedence, writeWeights, prevReadWeights, gradForward, gradBackward, gradLink,
            gradPrevPrecedence, gradWriteWeights, gradPrevReadWeights, split.segmentRows, b0, b1);
      }
    }

    /** A link pass split by units: the partial sums go into the gradients, batch entry by batch entry. */
    @Override
    public void afterSlices() {
      if (segments > 0) {
        int wh = link.dim(1), units = wh * segments;
        for (int b = 0; b < link.dim(0); b++) {
          addPartials(prevPrecedence != null, wh, prevReadWeights, gradPrevPrecedence, gradWriteWeights,
              gradPrevReadWeights, partials, b * units * unitFloats(link.dim(2), readHeads(prevReadWeights)),
              segments, b);
        }
      }
    }

    @Override
    public void clear() {
      set(null, null, null, null, null, null, null, null, null, null, null);
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // precedence

  /** Batch entries [b0, b1): {@code gradW += G − G·p} and {@code G ← (1 − Σw) G} per write head. */
  static void precedenceSlice(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
      Tensor gradWriteWeights, int b0, int b1) {
    int wh = prevPrecedence.dim(1), n = prevPrecedence.dim(2);
    float[] p = array(prevPrecedence), w = array(writeWeights), g = array(gradPrecedence);
    float[] gw = array(gradWriteWeights);
    int pOff = offset(prevPrecedence), wOff = offset(writeWeights), gOff = offset(gradPrecedence);
    int gwOff = offset(gradWriteWeights);
    int bound = FLOAT.loopBound(n);
    for (int row = b0 * wh * n; row < b1 * wh * n; row += n) {
      float projected = (float) SimdReductions.dot(g, gOff + row, p, pOff + row, n);
      // Σw finished in double, as the forward takes it
      float keep = (float) (1.0 - SimdReductions.sum(w, wOff + row, n));
      int i = 0;
      for (; i < bound; i += LANES) {
        FloatVector gv = FloatVector.fromArray(FLOAT, g, gOff + row + i);
        FloatVector acc = FloatVector.fromArray(FLOAT, gw, gwOff + row + i);
        acc.add(gv.sub(projected)).intoArray(gw, gwOff + row + i);
        gv.mul(keep).intoArray(g, gOff + row + i);
      }
      // scalar tail
      for (; i < n; i++) {
        float gi = g[gOff + row + i];
        gw[gwOff + row + i] += gi - projected;
        g[gOff + row + i] = gi * keep;
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // link backwards

  private static int readHeads(Tensor prevReadWeights) {
    return prevReadWeights == null ? 0 : prevReadWeights.dim(1);
  }

  /** Floats of partial sums per unit: gradW's and gradP's columns, then gradX's row for each read head. */
  static int unitFloats(int n, int r) {
    return (2 + r) * n;
  }

  /** Batch entries [b0, b1) on this thread, one entry at a time with its partial sums in this thread's scratch. */
  static void linkSlice(Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights,
      Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence, Tensor gradWriteWeights,
      Tensor gradPrevReadWeights, int segmentRows, int b0, int b1) {
    int wh = link.dim(1), n = link.dim(2), segs = SimdTemporalLinkage.segments(n, segmentRows);
    int units = wh * segs, perUnit = unitFloats(n, readHeads(prevReadWeights));
    float[] partials = HostScratch.get().floats(2, units * perUnit);
    for (int b = b0; b < b1; b++) {
      // entry b's first unit at 0
      int partialsOf0 = -b * units * perUnit;
      linkUnits(link, prevPrecedence, writeWeights, prevReadWeights, gradForward, gradBackward, gradLink, partials,
          partialsOf0, segs, b * units, (b + 1) * units);
      addPartials(prevPrecedence != null, wh, prevReadWeights, gradPrevPrecedence, gradWriteWeights,
          gradPrevReadWeights, partials, 0, segs, b);
    }
  }

  /**
   * Units [u0, u1) of a link backward (unit u: segment u % segs of matrix u / segs, matrix m = b · Wh + h). Unit
   * u's partial sums go to {@code partials} from {@code partialsOf0 + u · unitFloats}; its rows of the link
   * gradient it updates itself.
   */
  static void linkUnits(Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights,
      Tensor gradForward, Tensor gradBackward, Tensor gradLink, float[] partials, int partialsOf0, int segs, int u0,
      int u1) {
    int wh = link.dim(1), n = link.dim(2), r = readHeads(prevReadWeights);
    boolean update = prevPrecedence != null;
    float[] l = array(link), g = array(gradLink);
    int lOff = offset(link), gOff = offset(gradLink);
    float[] p = update ? array(prevPrecedence) : null, w = update ? array(writeWeights) : null;
    int pOff = update ? offset(prevPrecedence) : 0, wOff = update ? offset(writeWeights) : 0;
    float[] x = r > 0 ? array(prevReadWeights) : null, gf = r > 0 ? array(gradForward) : null;
    float[] gb = r > 0 ? array(gradBackward) : null;
    int xOff = r > 0 ? offset(prevReadWeights) : 0, gfOff = r > 0 ? offset(gradForward) : 0;
    int gbOff = r > 0 ? offset(gradBackward) : 0;
    HostScratch scratch = HostScratch.get();
    // the row of L_t (for its dot products with gb_r) and, per read head, gf_r[i] and x_r[i]
    float[] rowLt = scratch.floats(0, n), heads = scratch.floats(1, 2 * r);
    int perUnit = unitFloats(n, r), stride = wh * n;
    for (int u = u0; u < u1; u++) {
      int m = u / segs, s = u % segs, b = m / wh, h = m % wh;
      int lb = lOff + m * n * n, gBase = gOff + m * n * n, pb = pOff + m * n, wb = wOff + m * n;
      int part = partialsOf0 + u * perUnit;
      Arrays.fill(partials, part, part + perUnit, 0f);
      float wMax = update ? SimdReductions.max(w, wb, n) : 0f;
      int xb = xOff + b * r * n, fb = gfOff + b * r * stride + h * n, bb = gbOff + b * r * stride + h * n;
      int end = SimdTemporalLinkage.segmentStart(n, segs, s + 1);
      for (int i = SimdTemporalLinkage.segmentStart(n, segs, s); i < end; i++) {
        row(l, lb + i * n, g, gBase + i * n, n, i, update, p, pb, w, wb, wMax, r, x, xb, gf, fb, gb, bb, stride,
            partials, part, rowLt, heads);
      }
    }
  }

  /**
   * Row i of one matrix: rebuilds L_t's row when {@code update}, adds the forward/backward part to G's row when
   * r &gt; 0 (then adds L_t's row times gf_r[i] to gradX_r's column sums and its dot with gb_r to gradX_r[i]),
   * and takes the link update's part when {@code update}.
   */
  private static void row(float[] l, int lRow, float[] g, int gRow, int n, int i, boolean update, float[] p,
      int pb, float[] w, int wb, float wMax, int r, float[] x, int xb, float[] gf, int fb, float[] gb, int bb,
      int stride, float[] part, int pBase, float[] rowLt, float[] heads) {
    int bound = FLOAT.loopBound(n);
    float wi = update ? w[wb + i] : 0f;
    // fl(1 − w_i) − w_j < 0 only when 1 − w_i < max w_j (see SimdTemporalLinkage)
    boolean clamp = update && 1f - wi < wMax;
    FloatVector ci = FloatVector.broadcast(FLOAT, 1f - wi), wiv = FloatVector.broadcast(FLOAT, wi);
    for (int k = 0; k < r; k++) {
      heads[2 * k] = gf[fb + k * stride + i];
      heads[2 * k + 1] = x[xb + k * n + i];
    }
    FloatVector index = FloatVector.zero(FLOAT).addIndex(1);
    FloatVector rowW = FloatVector.zero(FLOAT);
    int wColumn = pBase, pColumn = pBase + n;
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector l0 = FloatVector.fromArray(FLOAT, l, lRow + j), lt = l0;
      FloatVector wj = null, pj = null, keep = null;
      VectorMask<Float> diagonal = null;
      if (update) {
        wj = FloatVector.fromArray(FLOAT, w, wb + j);
        pj = FloatVector.fromArray(FLOAT, p, pb + j);
        keep = ci.sub(wj);
        FloatVector kept = clamp ? keep.max(0f) : keep, add = pj.mul(wi);
        // L_t as the forward computes it, the diagonal an exact 0
        lt = USE_FMA ? kept.fma(l0, add) : kept.mul(l0).add(add);
        diagonal = index.compare(VectorOperators.EQ, (float) (i - j));
        lt = lt.blend(0f, diagonal);
        if (r > 0) {
          lt.intoArray(rowLt, j);
        }
      }
      FloatVector gv = FloatVector.fromArray(FLOAT, g, gRow + j);
      if (r > 0) {
        FloatVector outer = FloatVector.zero(FLOAT);
        for (int k = 0; k < r; k++) {
          FloatVector gfi = FloatVector.broadcast(FLOAT, heads[2 * k]);
          FloatVector xi = FloatVector.broadcast(FLOAT, heads[2 * k + 1]);
          FloatVector xj = FloatVector.fromArray(FLOAT, x, xb + k * n + j);
          FloatVector gbj = FloatVector.fromArray(FLOAT, gb, bb + k * stride + j);
          outer = USE_FMA ? xj.fma(gfi, outer) : xj.mul(gfi).add(outer);
          outer = USE_FMA ? gbj.fma(xi, outer) : gbj.mul(xi).add(outer);
          int column = pBase + (2 + k) * n + j;
          FloatVector cv = FloatVector.fromArray(FLOAT, part, column);
          (USE_FMA ? lt.fma(gfi, cv) : lt.mul(gfi).add(cv)).intoArray(part, column);
        }
        gv = gv.add(outer);
      }
      if (update) {
        // no gradient flows through the constant diagonal of L_t
        gv = gv.blend(0f, diagonal);
        FloatVector d = pj.sub(l0);
        rowW = USE_FMA ? gv.fma(d, rowW) : gv.mul(d).add(rowW);
        FloatVector cw = FloatVector.fromArray(FLOAT, part, wColumn + j), nl = l0.neg();
        (USE_FMA ? gv.fma(nl, cw) : gv.mul(nl).add(cw)).intoArray(part, wColumn + j);
        FloatVector cp = FloatVector.fromArray(FLOAT, part, pColumn + j);
        (USE_FMA ? gv.fma(wiv, cp) : gv.mul(wiv).add(cp)).intoArray(part, pColumn + j);
        keep.mul(gv).intoArray(g, gRow + j);
      } else {
        gv.intoArray(g, gRow + j);
      }
    }
    double rowTail = 0;
    // scalar tail
    for (; j < n; j++) {
      float l0 = l[lRow + j], lt = l0, wj = 0f, pj = 0f;
      if (update) {
        wj = w[wb + j];
        pj = p[pb + j];
        float kept = clamp ? Math.max(0f, 1f - wi - wj) : 1f - wi - wj;
        lt = j == i ? 0f : madd(kept, l0, pj * wi);
        if (r > 0) {
          rowLt[j] = lt;
        }
      }
      float gij = g[gRow + j];
      if (r > 0) {
        float outer = 0f;
        for (int k = 0; k < r; k++) {
          float gfi = heads[2 * k], xi = heads[2 * k + 1];
          outer = madd(x[xb + k * n + j], gfi, outer);
          outer = madd(gb[bb + k * stride + j], xi, outer);
          int column = pBase + (2 + k) * n + j;
          part[column] = madd(lt, gfi, part[column]);
        }
        gij += outer;
      }
      if (update) {
        if (j == i) {
          gij = 0f;
        }
        rowTail += (double) gij * (pj - l0);
        part[wColumn + j] = madd(gij, -l0, part[wColumn + j]);
        part[pColumn + j] = madd(gij, wi, part[pColumn + j]);
        g[gRow + j] = (1f - wi - wj) * gij;
      } else {
        g[gRow + j] = gij;
      }
    }
    if (update) {
      // lanes summed in SimdLanes#sumLanes' order, in registers: the same bits on every JIT tier (reduceLanes'
      // order is unspecified and differs between the interpreter and C2)
      FloatVector lanes = rowW;
      lanes = lanes.add(lanes.rearrange(SimdLanes.SWAP_HALVES));
      lanes = lanes.add(lanes.rearrange(SimdLanes.SWAP_QUARTERS));
      lanes = SimdLanes.SWAP_8 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_8));
      lanes = SimdLanes.SWAP_4 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_4));
      lanes = SimdLanes.SWAP_2 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_2));
      lanes = SimdLanes.SWAP_1 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_1));
      part[wColumn + i] += (float) (rowTail + lanes.lane(0));
    }
    for (int k = 0; k < r; k++) {
      int target = pBase + (2 + k) * n + i;
      part[target] += (float) SimdReductions.dot(update ? rowLt : l, update ? 0 : lRow, gb, bb + k * stride, n);
    }
  }

  /**
   * Batch entry b's partial sums (its first unit's at {@code partialsOf0}) added up, segments in order, then
   * write heads in order for gradX, and then to the gradients, once each.
   */
  static void addPartials(boolean update, int wh, Tensor prevReadWeights, Tensor gradPrevPrecedence,
      Tensor gradWriteWeights, Tensor gradPrevReadWeights, float[] partials, int partialsOf0, int segs, int b) {
    int r = readHeads(prevReadWeights);
    int n = update ? gradWriteWeights.dim(2) : gradPrevReadWeights.dim(2);
    int perUnit = unitFloats(n, r);
    if (update) {
      float[] gw = array(gradWriteWeights), gp = array(gradPrevPrecedence);
      int gwOff = offset(gradWriteWeights), gpOff = offset(gradPrevPrecedence);
      for (int h = 0; h < wh; h++) {
        int first = partialsOf0 + h * segs * perUnit;
        for (int s = 1; s < segs; s++) {
          add(partials, first, partials, first + s * perUnit, 2 * n);
        }
        add(gw, gwOff + (b * wh + h) * n, partials, first, n);
        add(gp, gpOff + (b * wh + h) * n, partials, first + n, n);
      }
    }
    if (r > 0) {
      float[] gx = array(gradPrevReadWeights);
      int gxOff = offset(gradPrevReadWeights);
      for (int k = 0; k < r; k++) {
        int first = partialsOf0 + (2 + k) * n;
        // units of entry b in order: segments of write head 0, then of head 1, ...
        for (int u = 1; u < wh * segs; u++) {
          add(partials, first, partials, first + u * perUnit, n);
        }
        add(gx, gxOff + (b * r + k) * n, partials, first, n);
      }
    }
  }

  /** dst[d..d+n) += src[s..s+n). */
  private static void add(float[] dst, int d, float[] src, int s, int n) {
    int bound = FLOAT.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector.fromArray(FLOAT, dst, d + i).add(FloatVector.fromArray(FLOAT, src, s + i)).intoArray(dst, d + i);
    }
    // scalar tail
    for (; i < n; i++) {
      dst[d + i] += src[s + i];
    }
  }
}
