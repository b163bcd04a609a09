package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdConfig.madd;
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
 * <p>All three link backwards walk each matrix in chunks of rows ({@link #chunkRows}, a multiple of four), each
 * chunk through passes in turn, every pass in four-row blocks as the forward: the fused pass first rebuilds the
 * chunk of L_t from L_{t−1} into scratch with the forward's arithmetic (the diagonal blended to an exact 0); then
 * the read heads two at a time ({@link #pairRows}, an odd one by {@link #headRows}) add their terms of G's
 * forward/backward part to scratch rows (heads in order, the same order per element as one head after the other),
 * L_tᵀ gf_r to gradX_r's column sums and L_t gb_r (float lanes along the row, the four-row lane sums of
 * SimdLanes) to its row term; last {@link #updateRows} takes the link update's part (or {@link #addRows} adds the
 * forward/backward part to G). So L comes from memory once and G is read and written once; the chunk's scratch
 * rows are a cache line longer than N, so that the passes' row streams (4 KiB apart at N = 1024) do not share one
 * L1 set. Rows left over from the blocks at the end of a matrix go one at a time ({@link #row}). Column sums
 * (gradW's second term, gradP, L_tᵀ gf_r) accumulate in float, rows in ascending order, in rows of partial sums
 * of their own per unit: a segment of rows of a matrix ({@link SimdTemporalLinkage#segments}, as the forward cuts
 * them). A batch entry's partial rows are added up in a fixed order (segments, then write heads, which share
 * gradX) and then to the gradients, once each; so the sums are the same bits on any thread count, and a call
 * with fewer matrices than threads splits over segments as the forward does.
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
   * gradient it updates itself. The rows of a segment go in chunks ({@link #chunkRows}), each chunk through the
   * passes in turn: L_t rebuilt into scratch (fused), the read heads two at a time ({@link #pairRows}; an odd
   * one by {@link #headRows}), then the link update's part ({@link #updateRows}) or the forward/backward part's
   * sum into G ({@link #addRows}). Rows left over from four-row blocks at the end of a matrix go one at a time
   * ({@link #row}).
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
    int chunk = Math.min(chunkRows(n), (n + 3) & ~3);
    // a chunk of rows of L_t (its first row also serves the single rows' L_t row), then the chunk's sums of the
    // forward/backward part
    // forward/backward part; rows a cache line longer than n, so the passes' many row streams (4 KiB apart at
    // N = 1024) do not all fall in one L1 set
    int ns = n + PAD;
    float[] rows = scratch.floats(0, 2 * chunk * ns), heads = scratch.floats(1, 2 * r);
    int outer = chunk * ns;
    int perUnit = unitFloats(n, r), stride = wh * n;
    for (int u = u0; u < u1; u++) {
      int m = u / segs, s = u % segs, b = m / wh, h = m % wh;
      int lb = lOff + m * n * n, gBase = gOff + m * n * n, pb = pOff + m * n, wb = wOff + m * n;
      int part = partialsOf0 + u * perUnit;
      Arrays.fill(partials, part, part + perUnit, 0f);
      float wMax = update ? SimdReductions.max(w, wb, n) : 0f;
      int xb = xOff + b * r * n, fb = gfOff + b * r * stride + h * n, bb = gbOff + b * r * stride + h * n;
      int first = SimdTemporalLinkage.segmentStart(n, segs, s), end = SimdTemporalLinkage.segmentStart(n, segs, s + 1);
      int blocksEnd = first + ((end - first) & ~3);
      for (int c0 = first; c0 < blocksEnd; c0 += chunk) {
        int c1 = Math.min(blocksEnd, c0 + chunk);
        float[] src = l;
        int s0 = lb + c0 * n, sn = n;
        if (update && r > 0) {
          rebuildRows(l, lb, n, p, pb, w, wb, wMax, rows, ns, c0, c1);
          src = rows;
          s0 = 0;
          sn = ns;
        }
        for (int k = 0; k + 1 < r; k += 2) {
          pairRows(src, s0, sn, ns, n, x, xb + k * n, xb + (k + 1) * n, gf, fb + k * stride, fb + (k + 1) * stride, gb,
              bb + k * stride, bb + (k + 1) * stride, rows, outer, k == 0, partials, part + (2 + k) * n,
              part + (3 + k) * n, c0, c1);
        }
        if (r % 2 == 1) {
          int k = r - 1;
          headRows(src, s0, sn, ns, n, x, xb + k * n, gf, fb + k * stride, gb, bb + k * stride, rows, outer, k == 0,
              partials, part + (2 + k) * n, c0, c1);
        }
        if (update) {
          updateRows(l, lb, g, gBase, n, p, pb, w, wb, r > 0 ? rows : null, outer, ns, partials, part, part + n, c0, c1);
        } else {
          addRows(g, gBase, n, rows, outer, ns, c0, c1);
        }
      }
      for (int i = blocksEnd; i < end; i++) {
        row(l, lb + i * n, g, gBase + i * n, n, i, update, p, pb, w, wb, wMax, r, x, xb, gf, fb, gb, bb, stride,
            partials, part, rows, heads);
      }
    }
  }

  /** Floats a row of scratch is longer than n: a 64-byte cache line. */
  static final int PAD = 16;

  /** Floats of one array's chunk of rows: its rows, L_t's and the outer sums' stay in L2 together. */
  static final int CHUNK_FLOATS = 8 * 1024;

  /** Rows per chunk: a multiple of 4, at least 4. */
  static int chunkRows(int n) {
    return Math.max(4, CHUNK_FLOATS / n / 4 * 4);
  }

  /**
   * Rows [i0, i1) (a multiple of 4 rows) of L_t = (1 − w_i − w_j) L_{t−1} + w_i p_j, the diagonal an exact 0,
   * into {@code lt} from 0: the forward's arithmetic, so the forward's bits.
   */
  private static void rebuildRows(float[] l, int lb, int n, float[] p, int pb, float[] w, int wb, float wMax,
      float[] lt, int ns, int i0, int i1) {
    int bound = FLOAT.loopBound(n);
    FloatVector index = FloatVector.zero(FLOAT).addIndex(1);
    for (int i = i0; i < i1; i += 4) {
      int r0 = lb + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      int t0 = (i - i0) * ns, t1 = t0 + ns, t2 = t1 + ns, t3 = t2 + ns;
      float w0 = w[wb + i], w1 = w[wb + i + 1], w2 = w[wb + i + 2], w3 = w[wb + i + 3];
      FloatVector c0 = FloatVector.broadcast(FLOAT, 1f - w0), c1 = FloatVector.broadcast(FLOAT, 1f - w1);
      FloatVector c2 = FloatVector.broadcast(FLOAT, 1f - w2), c3 = FloatVector.broadcast(FLOAT, 1f - w3);
      // fl(1 − w_i) − w_j < 0 only when 1 − w_i < max w_j (see SimdTemporalLinkage)
      boolean clamp = 1f - w0 < wMax || 1f - w1 < wMax || 1f - w2 < wMax || 1f - w3 < wMax;
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j), pj = FloatVector.fromArray(FLOAT, p, pb + j);
        FloatVector l0 = FloatVector.fromArray(FLOAT, l, r0 + j), l1 = FloatVector.fromArray(FLOAT, l, r1 + j);
        FloatVector l2 = FloatVector.fromArray(FLOAT, l, r2 + j), l3 = FloatVector.fromArray(FLOAT, l, r3 + j);
        FloatVector add0 = pj.mul(w0), add1 = pj.mul(w1), add2 = pj.mul(w2), add3 = pj.mul(w3);
        FloatVector keep0 = clamp ? c0.sub(wj).max(0f) : c0.sub(wj);
        FloatVector keep1 = clamp ? c1.sub(wj).max(0f) : c1.sub(wj);
        FloatVector keep2 = clamp ? c2.sub(wj).max(0f) : c2.sub(wj);
        FloatVector keep3 = clamp ? c3.sub(wj).max(0f) : c3.sub(wj);
        l0 = USE_FMA ? keep0.fma(l0, add0) : keep0.mul(l0).add(add0);
        l1 = USE_FMA ? keep1.fma(l1, add1) : keep1.mul(l1).add(add1);
        l2 = USE_FMA ? keep2.fma(l2, add2) : keep2.mul(l2).add(add2);
        l3 = USE_FMA ? keep3.fma(l3, add3) : keep3.mul(l3).add(add3);
        // L_t[i,i] = 0 exactly: lane i − j, when the diagonal is in this chunk
        l0.blend(0f, index.compare(VectorOperators.EQ, (float) (i - j))).intoArray(lt, t0 + j);
        l1.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 1 - j))).intoArray(lt, t1 + j);
        l2.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 2 - j))).intoArray(lt, t2 + j);
        l3.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 3 - j))).intoArray(lt, t3 + j);
      }
      // scalar tail
      for (; j < n; j++) {
        float wj = w[wb + j], pj = p[pb + j];
        lt[t0 + j] = j == i ? 0f : madd(clamp ? Math.max(0f, 1f - w0 - wj) : 1f - w0 - wj, l[r0 + j], pj * w0);
        lt[t1 + j] = j == i + 1 ? 0f : madd(clamp ? Math.max(0f, 1f - w1 - wj) : 1f - w1 - wj, l[r1 + j], pj * w1);
        lt[t2 + j] = j == i + 2 ? 0f : madd(clamp ? Math.max(0f, 1f - w2 - wj) : 1f - w2 - wj, l[r2 + j], pj * w2);
        lt[t3 + j] = j == i + 3 ? 0f : madd(clamp ? Math.max(0f, 1f - w3 - wj) : 1f - w3 - wj, l[r3 + j], pj * w3);
      }
    }
  }

  /**
   * Read heads a and c (the next one) on rows [i0, i1) (four at a time) of L_t, row i at {@code s0 + (i − i0)·n}
   * of {@code src}: the forward/backward part's terms of G, {@code gf_a[i] x_a[j] + gb_a[j] x_a[i]} then c's,
   * added to the rows of {@code o} from {@code o0} (started at 0 when {@code first}), the column sums L_tᵀ gf into
   * the partial rows {@code colA}, {@code colC} (rows in ascending order), and the row sums L_t gb, float lanes
   * along the row, to the same partial rows at i.
   */
  private static void pairRows(float[] src, int s0, int sn, int on, int n, float[] x, int xa, int xc, float[] gf, int fa, int fc,
      float[] gb, int ga, int gc, float[] o, int o0, boolean first, float[] part, int colA, int colC, int i0,
      int i1) {
    int bound = FLOAT.loopBound(n);
    FloatVector zero = FloatVector.zero(FLOAT);
    for (int i = i0; i < i1; i += 4) {
      int r0 = s0 + (i - i0) * sn, r1 = r0 + sn, r2 = r1 + sn, r3 = r2 + sn;
      int q0 = o0 + (i - i0) * on, q1 = q0 + on, q2 = q1 + on, q3 = q2 + on;
      float fa0 = gf[fa + i], fa1 = gf[fa + i + 1], fa2 = gf[fa + i + 2], fa3 = gf[fa + i + 3];
      float xa0 = x[xa + i], xa1 = x[xa + i + 1], xa2 = x[xa + i + 2], xa3 = x[xa + i + 3];
      float fc0 = gf[fc + i], fc1 = gf[fc + i + 1], fc2 = gf[fc + i + 2], fc3 = gf[fc + i + 3];
      float xc0 = x[xc + i], xc1 = x[xc + i + 1], xc2 = x[xc + i + 2], xc3 = x[xc + i + 3];
      FloatVector vfa0 = FloatVector.broadcast(FLOAT, fa0), vfa1 = FloatVector.broadcast(FLOAT, fa1);
      FloatVector vfa2 = FloatVector.broadcast(FLOAT, fa2), vfa3 = FloatVector.broadcast(FLOAT, fa3);
      FloatVector vxa0 = FloatVector.broadcast(FLOAT, xa0), vxa1 = FloatVector.broadcast(FLOAT, xa1);
      FloatVector vxa2 = FloatVector.broadcast(FLOAT, xa2), vxa3 = FloatVector.broadcast(FLOAT, xa3);
      FloatVector vfc0 = FloatVector.broadcast(FLOAT, fc0), vfc1 = FloatVector.broadcast(FLOAT, fc1);
      FloatVector vfc2 = FloatVector.broadcast(FLOAT, fc2), vfc3 = FloatVector.broadcast(FLOAT, fc3);
      FloatVector vxc0 = FloatVector.broadcast(FLOAT, xc0), vxc1 = FloatVector.broadcast(FLOAT, xc1);
      FloatVector vxc2 = FloatVector.broadcast(FLOAT, xc2), vxc3 = FloatVector.broadcast(FLOAT, xc3);
      FloatVector ra0 = zero, ra1 = zero, ra2 = zero, ra3 = zero, rc0 = zero, rc1 = zero, rc2 = zero, rc3 = zero;
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector xaj = FloatVector.fromArray(FLOAT, x, xa + j), gaj = FloatVector.fromArray(FLOAT, gb, ga + j);
        FloatVector xcj = FloatVector.fromArray(FLOAT, x, xc + j), gcj = FloatVector.fromArray(FLOAT, gb, gc + j);
        FloatVector ca = FloatVector.fromArray(FLOAT, part, colA + j);
        FloatVector cc = FloatVector.fromArray(FLOAT, part, colC + j);
        FloatVector t = FloatVector.fromArray(FLOAT, src, r0 + j);
        FloatVector ov = first ? zero : FloatVector.fromArray(FLOAT, o, q0 + j);
        ov = USE_FMA ? xaj.fma(vfa0, ov) : xaj.mul(vfa0).add(ov);
        ov = USE_FMA ? gaj.fma(vxa0, ov) : gaj.mul(vxa0).add(ov);
        ov = USE_FMA ? xcj.fma(vfc0, ov) : xcj.mul(vfc0).add(ov);
        ov = USE_FMA ? gcj.fma(vxc0, ov) : gcj.mul(vxc0).add(ov);
        ov.intoArray(o, q0 + j);
        ca = USE_FMA ? t.fma(vfa0, ca) : t.mul(vfa0).add(ca);
        cc = USE_FMA ? t.fma(vfc0, cc) : t.mul(vfc0).add(cc);
        ra0 = USE_FMA ? t.fma(gaj, ra0) : t.mul(gaj).add(ra0);
        rc0 = USE_FMA ? t.fma(gcj, rc0) : t.mul(gcj).add(rc0);
        t = FloatVector.fromArray(FLOAT, src, r1 + j);
        ov = first ? zero : FloatVector.fromArray(FLOAT, o, q1 + j);
        ov = USE_FMA ? xaj.fma(vfa1, ov) : xaj.mul(vfa1).add(ov);
        ov = USE_FMA ? gaj.fma(vxa1, ov) : gaj.mul(vxa1).add(ov);
        ov = USE_FMA ? xcj.fma(vfc1, ov) : xcj.mul(vfc1).add(ov);
        ov = USE_FMA ? gcj.fma(vxc1, ov) : gcj.mul(vxc1).add(ov);
        ov.intoArray(o, q1 + j);
        ca = USE_FMA ? t.fma(vfa1, ca) : t.mul(vfa1).add(ca);
        cc = USE_FMA ? t.fma(vfc1, cc) : t.mul(vfc1).add(cc);
        ra1 = USE_FMA ? t.fma(gaj, ra1) : t.mul(gaj).add(ra1);
        rc1 = USE_FMA ? t.fma(gcj, rc1) : t.mul(gcj).add(rc1);
        t = FloatVector.fromArray(FLOAT, src, r2 + j);
        ov = first ? zero : FloatVector.fromArray(FLOAT, o, q2 + j);
        ov = USE_FMA ? xaj.fma(vfa2, ov) : xaj.mul(vfa2).add(ov);
        ov = USE_FMA ? gaj.fma(vxa2, ov) : gaj.mul(vxa2).add(ov);
        ov = USE_FMA ? xcj.fma(vfc2, ov) : xcj.mul(vfc2).add(ov);
        ov = USE_FMA ? gcj.fma(vxc2, ov) : gcj.mul(vxc2).add(ov);
        ov.intoArray(o, q2 + j);
        ca = USE_FMA ? t.fma(vfa2, ca) : t.mul(vfa2).add(ca);
        cc = USE_FMA ? t.fma(vfc2, cc) : t.mul(vfc2).add(cc);
        ra2 = USE_FMA ? t.fma(gaj, ra2) : t.mul(gaj).add(ra2);
        rc2 = USE_FMA ? t.fma(gcj, rc2) : t.mul(gcj).add(rc2);
        t = FloatVector.fromArray(FLOAT, src, r3 + j);
        ov = first ? zero : FloatVector.fromArray(FLOAT, o, q3 + j);
        ov = USE_FMA ? xaj.fma(vfa3, ov) : xaj.mul(vfa3).add(ov);
        ov = USE_FMA ? gaj.fma(vxa3, ov) : gaj.mul(vxa3).add(ov);
        ov = USE_FMA ? xcj.fma(vfc3, ov) : xcj.mul(vfc3).add(ov);
        ov = USE_FMA ? gcj.fma(vxc3, ov) : gcj.mul(vxc3).add(ov);
        ov.intoArray(o, q3 + j);
        ca = USE_FMA ? t.fma(vfa3, ca) : t.mul(vfa3).add(ca);
        cc = USE_FMA ? t.fma(vfc3, cc) : t.mul(vfc3).add(cc);
        ra3 = USE_FMA ? t.fma(gaj, ra3) : t.mul(gaj).add(ra3);
        rc3 = USE_FMA ? t.fma(gcj, rc3) : t.mul(gcj).add(rc3);
        ca.intoArray(part, colA + j);
        cc.intoArray(part, colC + j);
      }
      double sa0 = 0, sa1 = 0, sa2 = 0, sa3 = 0, sc0 = 0, sc1 = 0, sc2 = 0, sc3 = 0;
      // scalar tail
      for (; j < n; j++) {
        float xaj = x[xa + j], gaj = gb[ga + j], xcj = x[xc + j], gcj = gb[gc + j];
        float t0 = src[r0 + j], t1 = src[r1 + j], t2 = src[r2 + j], t3 = src[r3 + j];
        o[q0 + j] = madd(gcj, xc0, madd(xcj, fc0, madd(gaj, xa0, madd(xaj, fa0, first ? 0f : o[q0 + j]))));
        o[q1 + j] = madd(gcj, xc1, madd(xcj, fc1, madd(gaj, xa1, madd(xaj, fa1, first ? 0f : o[q1 + j]))));
        o[q2 + j] = madd(gcj, xc2, madd(xcj, fc2, madd(gaj, xa2, madd(xaj, fa2, first ? 0f : o[q2 + j]))));
        o[q3 + j] = madd(gcj, xc3, madd(xcj, fc3, madd(gaj, xa3, madd(xaj, fa3, first ? 0f : o[q3 + j]))));
        part[colA + j] = madd(t3, fa3, madd(t2, fa2, madd(t1, fa1, madd(t0, fa0, part[colA + j]))));
        part[colC + j] = madd(t3, fc3, madd(t2, fc2, madd(t1, fc1, madd(t0, fc0, part[colC + j]))));
        sa0 += (double) t0 * gaj;
        sa1 += (double) t1 * gaj;
        sa2 += (double) t2 * gaj;
        sa3 += (double) t3 * gaj;
        sc0 += (double) t0 * gcj;
        sc1 += (double) t1 * gcj;
        sc2 += (double) t2 * gcj;
        sc3 += (double) t3 * gcj;
      }
      // lane sums of ra0..ra3, the fold of SimdLanes' four-row lane sums (inline: see there)
      FloatVector fs = ra0.blend(ra1, HIGH_HALVES).add(ra1.blend(ra0, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector f23 = ra2.blend(ra3, HIGH_HALVES).add(ra3.blend(ra2, HIGH_HALVES).rearrange(SWAP_HALVES));
      fs = fs.blend(f23, ODD_QUARTERS).add(f23.blend(fs, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      fs = SWAP_8 == null ? fs : fs.add(fs.rearrange(SWAP_8));
      fs = SWAP_4 == null ? fs : fs.add(fs.rearrange(SWAP_4));
      fs = SWAP_2 == null ? fs : fs.add(fs.rearrange(SWAP_2));
      fs = SWAP_1 == null ? fs : fs.add(fs.rearrange(SWAP_1));
      part[colA + i] += (float) (sa0 + fs.lane(0));
      part[colA + i + 1] += (float) (sa1 + fs.lane(LANE_OF_F1));
      part[colA + i + 2] += (float) (sa2 + fs.lane(LANE_OF_F2));
      part[colA + i + 3] += (float) (sa3 + fs.lane(LANE_OF_F3));
      // lane sums of rc0..rc3, likewise
      FloatVector gs = rc0.blend(rc1, HIGH_HALVES).add(rc1.blend(rc0, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector g23 = rc2.blend(rc3, HIGH_HALVES).add(rc3.blend(rc2, HIGH_HALVES).rearrange(SWAP_HALVES));
      gs = gs.blend(g23, ODD_QUARTERS).add(g23.blend(gs, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      gs = SWAP_8 == null ? gs : gs.add(gs.rearrange(SWAP_8));
      gs = SWAP_4 == null ? gs : gs.add(gs.rearrange(SWAP_4));
      gs = SWAP_2 == null ? gs : gs.add(gs.rearrange(SWAP_2));
      gs = SWAP_1 == null ? gs : gs.add(gs.rearrange(SWAP_1));
      part[colC + i] += (float) (sc0 + gs.lane(0));
      part[colC + i + 1] += (float) (sc1 + gs.lane(LANE_OF_F1));
      part[colC + i + 2] += (float) (sc2 + gs.lane(LANE_OF_F2));
      part[colC + i + 3] += (float) (sc3 + gs.lane(LANE_OF_F3));
    }
  }

  /** {@link #pairRows} for the single read head a. */
  private static void headRows(float[] src, int s0, int sn, int on, int n, float[] x, int xa, float[] gf, int fa, float[] gb,
      int ga, float[] o, int o0, boolean first, float[] part, int colA, int i0, int i1) {
    int bound = FLOAT.loopBound(n);
    FloatVector zero = FloatVector.zero(FLOAT);
    for (int i = i0; i < i1; i += 4) {
      int r0 = s0 + (i - i0) * sn, r1 = r0 + sn, r2 = r1 + sn, r3 = r2 + sn;
      int q0 = o0 + (i - i0) * on, q1 = q0 + on, q2 = q1 + on, q3 = q2 + on;
      float fa0 = gf[fa + i], fa1 = gf[fa + i + 1], fa2 = gf[fa + i + 2], fa3 = gf[fa + i + 3];
      float xa0 = x[xa + i], xa1 = x[xa + i + 1], xa2 = x[xa + i + 2], xa3 = x[xa + i + 3];
      FloatVector vfa0 = FloatVector.broadcast(FLOAT, fa0), vfa1 = FloatVector.broadcast(FLOAT, fa1);
      FloatVector vfa2 = FloatVector.broadcast(FLOAT, fa2), vfa3 = FloatVector.broadcast(FLOAT, fa3);
      FloatVector vxa0 = FloatVector.broadcast(FLOAT, xa0), vxa1 = FloatVector.broadcast(FLOAT, xa1);
      FloatVector vxa2 = FloatVector.broadcast(FLOAT, xa2), vxa3 = FloatVector.broadcast(FLOAT, xa3);
      FloatVector ra0 = zero, ra1 = zero, ra2 = zero, ra3 = zero;
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector xaj = FloatVector.fromArray(FLOAT, x, xa + j), gaj = FloatVector.fromArray(FLOAT, gb, ga + j);
        FloatVector ca = FloatVector.fromArray(FLOAT, part, colA + j);
        FloatVector t0 = FloatVector.fromArray(FLOAT, src, r0 + j), t1 = FloatVector.fromArray(FLOAT, src, r1 + j);
        FloatVector t2 = FloatVector.fromArray(FLOAT, src, r2 + j), t3 = FloatVector.fromArray(FLOAT, src, r3 + j);
        FloatVector o0v = first ? zero : FloatVector.fromArray(FLOAT, o, q0 + j);
        FloatVector o1v = first ? zero : FloatVector.fromArray(FLOAT, o, q1 + j);
        FloatVector o2v = first ? zero : FloatVector.fromArray(FLOAT, o, q2 + j);
        FloatVector o3v = first ? zero : FloatVector.fromArray(FLOAT, o, q3 + j);
        o0v = USE_FMA ? xaj.fma(vfa0, o0v) : xaj.mul(vfa0).add(o0v);
        o1v = USE_FMA ? xaj.fma(vfa1, o1v) : xaj.mul(vfa1).add(o1v);
        o2v = USE_FMA ? xaj.fma(vfa2, o2v) : xaj.mul(vfa2).add(o2v);
        o3v = USE_FMA ? xaj.fma(vfa3, o3v) : xaj.mul(vfa3).add(o3v);
        (USE_FMA ? gaj.fma(vxa0, o0v) : gaj.mul(vxa0).add(o0v)).intoArray(o, q0 + j);
        (USE_FMA ? gaj.fma(vxa1, o1v) : gaj.mul(vxa1).add(o1v)).intoArray(o, q1 + j);
        (USE_FMA ? gaj.fma(vxa2, o2v) : gaj.mul(vxa2).add(o2v)).intoArray(o, q2 + j);
        (USE_FMA ? gaj.fma(vxa3, o3v) : gaj.mul(vxa3).add(o3v)).intoArray(o, q3 + j);
        ca = USE_FMA ? t0.fma(vfa0, ca) : t0.mul(vfa0).add(ca);
        ca = USE_FMA ? t1.fma(vfa1, ca) : t1.mul(vfa1).add(ca);
        ca = USE_FMA ? t2.fma(vfa2, ca) : t2.mul(vfa2).add(ca);
        ca = USE_FMA ? t3.fma(vfa3, ca) : t3.mul(vfa3).add(ca);
        ca.intoArray(part, colA + j);
        ra0 = USE_FMA ? t0.fma(gaj, ra0) : t0.mul(gaj).add(ra0);
        ra1 = USE_FMA ? t1.fma(gaj, ra1) : t1.mul(gaj).add(ra1);
        ra2 = USE_FMA ? t2.fma(gaj, ra2) : t2.mul(gaj).add(ra2);
        ra3 = USE_FMA ? t3.fma(gaj, ra3) : t3.mul(gaj).add(ra3);
      }
      double sa0 = 0, sa1 = 0, sa2 = 0, sa3 = 0;
      // scalar tail
      for (; j < n; j++) {
        float xaj = x[xa + j], gaj = gb[ga + j];
        float t0 = src[r0 + j], t1 = src[r1 + j], t2 = src[r2 + j], t3 = src[r3 + j];
        o[q0 + j] = madd(gaj, xa0, madd(xaj, fa0, first ? 0f : o[q0 + j]));
        o[q1 + j] = madd(gaj, xa1, madd(xaj, fa1, first ? 0f : o[q1 + j]));
        o[q2 + j] = madd(gaj, xa2, madd(xaj, fa2, first ? 0f : o[q2 + j]));
        o[q3 + j] = madd(gaj, xa3, madd(xaj, fa3, first ? 0f : o[q3 + j]));
        part[colA + j] = madd(t3, fa3, madd(t2, fa2, madd(t1, fa1, madd(t0, fa0, part[colA + j]))));
        sa0 += (double) t0 * gaj;
        sa1 += (double) t1 * gaj;
        sa2 += (double) t2 * gaj;
        sa3 += (double) t3 * gaj;
      }
      // lane sums of ra0..ra3, the fold of SimdLanes' four-row lane sums (inline: see there)
      FloatVector fs = ra0.blend(ra1, HIGH_HALVES).add(ra1.blend(ra0, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector f23 = ra2.blend(ra3, HIGH_HALVES).add(ra3.blend(ra2, HIGH_HALVES).rearrange(SWAP_HALVES));
      fs = fs.blend(f23, ODD_QUARTERS).add(f23.blend(fs, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      fs = SWAP_8 == null ? fs : fs.add(fs.rearrange(SWAP_8));
      fs = SWAP_4 == null ? fs : fs.add(fs.rearrange(SWAP_4));
      fs = SWAP_2 == null ? fs : fs.add(fs.rearrange(SWAP_2));
      fs = SWAP_1 == null ? fs : fs.add(fs.rearrange(SWAP_1));
      part[colA + i] += (float) (sa0 + fs.lane(0));
      part[colA + i + 1] += (float) (sa1 + fs.lane(LANE_OF_F1));
      part[colA + i + 2] += (float) (sa2 + fs.lane(LANE_OF_F2));
      part[colA + i + 3] += (float) (sa3 + fs.lane(LANE_OF_F3));
    }
  }

  /**
   * The link update's part on rows [i0, i1) (four at a time): G' = G (plus the forward/backward part's rows of
   * {@code o} from {@code o0} when not null), its diagonal 0; gradW[i] += Σ_j G'(p_j − L[i,j]) (float lanes along
   * the row) into {@code wColumn} at i, the column sums −Σ_i G' L and Σ_i G' w_i into {@code wColumn} and
   * {@code pColumn} (rows in ascending order), and G ← (1 − w_i − w_j) G'.
   */
  private static void updateRows(float[] l, int lb, float[] g, int gb, int n, float[] p, int pb, float[] w, int wb,
      float[] o, int o0, int on, float[] part, int wColumn, int pColumn, int i0, int i1) {
    int bound = FLOAT.loopBound(n);
    boolean outer = o != null;
    FloatVector index = FloatVector.zero(FLOAT).addIndex(1), zero = FloatVector.zero(FLOAT);
    for (int i = i0; i < i1; i += 4) {
      int r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      int q0 = o0 + (i - i0) * on, q1 = q0 + on, q2 = q1 + on, q3 = q2 + on;
      float w0 = w[wb + i], w1 = w[wb + i + 1], w2 = w[wb + i + 2], w3 = w[wb + i + 3];
      FloatVector c0 = FloatVector.broadcast(FLOAT, 1f - w0), c1 = FloatVector.broadcast(FLOAT, 1f - w1);
      FloatVector c2 = FloatVector.broadcast(FLOAT, 1f - w2), c3 = FloatVector.broadcast(FLOAT, 1f - w3);
      FloatVector v0 = FloatVector.broadcast(FLOAT, w0), v1 = FloatVector.broadcast(FLOAT, w1);
      FloatVector v2 = FloatVector.broadcast(FLOAT, w2), v3 = FloatVector.broadcast(FLOAT, w3);
      FloatVector s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector wj = FloatVector.fromArray(FLOAT, w, wb + j), pj = FloatVector.fromArray(FLOAT, p, pb + j);
        FloatVector cw = FloatVector.fromArray(FLOAT, part, wColumn + j);
        FloatVector cp = FloatVector.fromArray(FLOAT, part, pColumn + j);
        FloatVector lv = FloatVector.fromArray(FLOAT, l, lb + r0 + j), gv = FloatVector.fromArray(FLOAT, g, gb + r0 + j);
        gv = outer ? gv.add(FloatVector.fromArray(FLOAT, o, q0 + j)) : gv;
        // no gradient flows through the constant diagonal of L_t
        gv = gv.blend(0f, index.compare(VectorOperators.EQ, (float) (i - j)));
        s0 = USE_FMA ? gv.fma(pj.sub(lv), s0) : gv.mul(pj.sub(lv)).add(s0);
        cw = USE_FMA ? gv.fma(lv.neg(), cw) : gv.mul(lv.neg()).add(cw);
        cp = USE_FMA ? gv.fma(v0, cp) : gv.mul(v0).add(cp);
        c0.sub(wj).mul(gv).intoArray(g, gb + r0 + j);
        lv = FloatVector.fromArray(FLOAT, l, lb + r1 + j);
        gv = FloatVector.fromArray(FLOAT, g, gb + r1 + j);
        gv = outer ? gv.add(FloatVector.fromArray(FLOAT, o, q1 + j)) : gv;
        gv = gv.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 1 - j)));
        s1 = USE_FMA ? gv.fma(pj.sub(lv), s1) : gv.mul(pj.sub(lv)).add(s1);
        cw = USE_FMA ? gv.fma(lv.neg(), cw) : gv.mul(lv.neg()).add(cw);
        cp = USE_FMA ? gv.fma(v1, cp) : gv.mul(v1).add(cp);
        c1.sub(wj).mul(gv).intoArray(g, gb + r1 + j);
        lv = FloatVector.fromArray(FLOAT, l, lb + r2 + j);
        gv = FloatVector.fromArray(FLOAT, g, gb + r2 + j);
        gv = outer ? gv.add(FloatVector.fromArray(FLOAT, o, q2 + j)) : gv;
        gv = gv.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 2 - j)));
        s2 = USE_FMA ? gv.fma(pj.sub(lv), s2) : gv.mul(pj.sub(lv)).add(s2);
        cw = USE_FMA ? gv.fma(lv.neg(), cw) : gv.mul(lv.neg()).add(cw);
        cp = USE_FMA ? gv.fma(v2, cp) : gv.mul(v2).add(cp);
        c2.sub(wj).mul(gv).intoArray(g, gb + r2 + j);
        lv = FloatVector.fromArray(FLOAT, l, lb + r3 + j);
        gv = FloatVector.fromArray(FLOAT, g, gb + r3 + j);
        gv = outer ? gv.add(FloatVector.fromArray(FLOAT, o, q3 + j)) : gv;
        gv = gv.blend(0f, index.compare(VectorOperators.EQ, (float) (i + 3 - j)));
        s3 = USE_FMA ? gv.fma(pj.sub(lv), s3) : gv.mul(pj.sub(lv)).add(s3);
        cw = USE_FMA ? gv.fma(lv.neg(), cw) : gv.mul(lv.neg()).add(cw);
        cp = USE_FMA ? gv.fma(v3, cp) : gv.mul(v3).add(cp);
        c3.sub(wj).mul(gv).intoArray(g, gb + r3 + j);
        cw.intoArray(part, wColumn + j);
        cp.intoArray(part, pColumn + j);
      }
      double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      // scalar tail
      for (; j < n; j++) {
        float wj = w[wb + j], pj = p[pb + j];
        float l0 = l[lb + r0 + j], l1 = l[lb + r1 + j], l2 = l[lb + r2 + j], l3 = l[lb + r3 + j];
        float g0 = g[gb + r0 + j], g1 = g[gb + r1 + j], g2 = g[gb + r2 + j], g3 = g[gb + r3 + j];
        if (outer) {
          g0 += o[q0 + j];
          g1 += o[q1 + j];
          g2 += o[q2 + j];
          g3 += o[q3 + j];
        }
        g0 = j == i ? 0f : g0;
        g1 = j == i + 1 ? 0f : g1;
        g2 = j == i + 2 ? 0f : g2;
        g3 = j == i + 3 ? 0f : g3;
        t0 += (double) g0 * (pj - l0);
        t1 += (double) g1 * (pj - l1);
        t2 += (double) g2 * (pj - l2);
        t3 += (double) g3 * (pj - l3);
        part[wColumn + j] = madd(g3, -l3, madd(g2, -l2, madd(g1, -l1, madd(g0, -l0, part[wColumn + j]))));
        part[pColumn + j] = madd(g3, w3, madd(g2, w2, madd(g1, w1, madd(g0, w0, part[pColumn + j]))));
        g[gb + r0 + j] = (1f - w0 - wj) * g0;
        g[gb + r1 + j] = (1f - w1 - wj) * g1;
        g[gb + r2 + j] = (1f - w2 - wj) * g2;
        g[gb + r3 + j] = (1f - w3 - wj) * g3;
      }
      // lane sums of s0..s3, the fold of SimdLanes' four-row lane sums (inline: see there)
      FloatVector fs = s0.blend(s1, HIGH_HALVES).add(s1.blend(s0, HIGH_HALVES).rearrange(SWAP_HALVES));
      FloatVector f23 = s2.blend(s3, HIGH_HALVES).add(s3.blend(s2, HIGH_HALVES).rearrange(SWAP_HALVES));
      fs = fs.blend(f23, ODD_QUARTERS).add(f23.blend(fs, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
      fs = SWAP_8 == null ? fs : fs.add(fs.rearrange(SWAP_8));
      fs = SWAP_4 == null ? fs : fs.add(fs.rearrange(SWAP_4));
      fs = SWAP_2 == null ? fs : fs.add(fs.rearrange(SWAP_2));
      fs = SWAP_1 == null ? fs : fs.add(fs.rearrange(SWAP_1));
      part[wColumn + i] += (float) (t0 + fs.lane(0));
      part[wColumn + i + 1] += (float) (t1 + fs.lane(LANE_OF_F1));
      part[wColumn + i + 2] += (float) (t2 + fs.lane(LANE_OF_F2));
      part[wColumn + i + 3] += (float) (t3 + fs.lane(LANE_OF_F3));
    }
  }

  /** G's rows [i0, i1) += the forward/backward part's rows of {@code o} from {@code o0}. */
  private static void addRows(float[] g, int gb, int n, float[] o, int o0, int on, int i0, int i1) {
    for (int i = i0; i < i1; i++) {
      add(g, gb + i * n, o, o0 + (i - i0) * on, n);
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
