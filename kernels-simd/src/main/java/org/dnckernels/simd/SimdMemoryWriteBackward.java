package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
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

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of erase then add (see {@link org.dnckernels.DncKernels#eraseAndAddBackward}):
 *
 * <pre>
 *   gradAdd[h,j]          += Σ_i w[h,i] G[i,j]
 *   gradErase[h,j]        −= Σ_i w[h,i] M[i,j] R_¬h[i,j] G[i,j]
 *   gradWriteWeights[h,i] += Σ_j G[i,j] (a[h,j] − e[h,j] M[i,j] R_¬h[i,j])
 *   gradMemory            ← G ∘ R   (in place)
 * </pre>
 *
 * <p>Row by row, like the forward: each memory and gradient row is streamed once from memory (the head passes of
 * several write heads re-read it from L1), the erase and add vectors stay in L1. The write-weight gradient of a
 * row is a lane reduction over the word; the column sums of gradAdd and gradErase are float vectors in scratch,
 * added to double sums once per block of rows, so float rounding grows over one block only. With several heads,
 * R_¬h is the product of the other heads' factors, rebuilt per head (Wh is small): never R divided by a factor,
 * which a full erase makes exactly 0.
 */
final class SimdMemoryWriteBackward implements KernelMath.MemoryWriteBackward {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;
  /** lane FMA (inline at each use: a helper method taking vectors could box them). */
  private static final boolean FMA = SimdConfig.USE_FMA;
  /** Rows whose float column sums are added to the double ones at once. */
  private static final int BLOCK_ROWS = 256;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdMemoryWriteBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add,
      Tensor gradMemory, Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1) {
    int wh = writeWeights.dim(1);
    long work = (long) (b1 - b0) * wh * wh * prevMemory.dim(1) * prevMemory.dim(2);
    int parts = split.acquire(b0, b1, prevMemory.dim(0), work);
    if (parts == 1) {
      eraseAndAddBackwardSlice(prevMemory, writeWeights, erase, add, gradMemory, gradWriteWeights, gradErase,
          gradAdd, b0, b1);
      return;
    }
    call.prevMemory = prevMemory;
    call.writeWeights = writeWeights;
    call.erase = erase;
    call.add = add;
    call.gradMemory = gradMemory;
    call.gradWriteWeights = gradWriteWeights;
    call.gradErase = gradErase;
    call.gradAdd = gradAdd;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor prevMemory;
    Tensor writeWeights;
    Tensor erase;
    Tensor add;
    Tensor gradMemory;
    Tensor gradWriteWeights;
    Tensor gradErase;
    Tensor gradAdd;

    @Override
    public void run(int b0, int b1) {
      eraseAndAddBackwardSlice(prevMemory, writeWeights, erase, add, gradMemory, gradWriteWeights, gradErase,
          gradAdd, b0, b1);
    }

    @Override
    public void clear() {
      prevMemory = writeWeights = erase = add = gradMemory = gradWriteWeights = gradErase = gradAdd = null;
    }
  }

  /** Batch entries [b0, b1). */
  static void eraseAndAddBackwardSlice(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add,
      Tensor gradMemory, Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1) {
    int n = prevMemory.dim(1), w = prevMemory.dim(2), wh = writeWeights.dim(1), hw = wh * w;
    float[] m = array(prevMemory), ww = array(writeWeights), e = array(erase), a = array(add);
    float[] gm = array(gradMemory), gw = array(gradWriteWeights), ge = array(gradErase), ga = array(gradAdd);
    int mBase = offset(prevMemory), wBase = offset(writeWeights), eBase = offset(erase), aBase = offset(add);
    int gmBase = offset(gradMemory), gwBase = offset(gradWriteWeights), geBase = offset(gradErase);
    int gaBase = offset(gradAdd);
    HostScratch scratch = HostScratch.get();
    // [0, WhW): Σ_i w G per (h, j); [WhW, 2WhW): Σ_i w M R_¬h G
    double[] sums = scratch.doubles(0, 2 * hw);
    float[] partial = scratch.floats(0, 2 * hw);
    for (int b = b0; b < b1; b++) {
      int mOff = mBase + b * n * w, gmOff = gmBase + b * n * w, wOff = wBase + b * wh * n;
      int eOff = eBase + b * hw, aOff = aBase + b * hw, gwOff = gwBase + b * wh * n;
      Arrays.fill(sums, 0, 2 * hw, 0.0);
      for (int i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
        int i1 = Math.min(n, i0 + BLOCK_ROWS);
        Arrays.fill(partial, 0, 2 * hw, 0f);
        int i = i0;
        if (wh == 1) {
          for (; i + 4 <= i1; i += 4) {
            oneHeadRows4(m, mOff + i * w, gm, gmOff + i * w, w, ww, wOff + i, e, eOff, a, aOff, partial, gw,
                gwOff + i);
          }
        }
        for (; i < i1; i++) {
          int mRow = mOff + i * w, gRow = gmOff + i * w;
          if (wh == 1) {
            gw[gwOff + i] += (float) oneHeadRow(m, mRow, gm, gRow, w, ww[wOff + i], e, eOff, a, aOff, partial);
          } else {
            for (int h = 0; h < wh; h++) {
              gw[gwOff + h * n + i] += (float) headRow(m, mRow, gm, gRow, w, wh, h, ww, wOff + i, n, e, eOff, a,
                  aOff, partial);
            }
            retain(gm, gRow, w, wh, ww, wOff + i, n, e, eOff);
          }
        }
        for (int k = 0; k < 2 * hw; k++) {
          sums[k] += partial[k];
        }
      }
      int gOff = b * hw;
      for (int k = 0; k < hw; k++) {
        ga[gaBase + gOff + k] += (float) sums[k];
        ge[geBase + gOff + k] -= (float) sums[hw + k];
      }
    }
  }

  /**
   * One write head, four rows from mRow / gRow (R_¬h = 1): {@link #oneHeadRow}'s operations on each row, in row
   * order where they meet (the column sums), with the column sums in registers over the four rows and the four
   * rows' dot lanes folded together in {@link SimdLanes}' four-row order (the same bits as sumLanes of each, so
   * a row gives the same bits here as alone). Adds the four Σ_j G (a − e M) to gw[gwAt, gwAt + 4).
   */
  private static void oneHeadRows4(float[] m, int mRow, float[] gm, int gRow, int w, float[] ww, int wAt,
      float[] e, int eOff, float[] a, int aOff, float[] partial, float[] gw, int gwAt) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    float wi0 = ww[wAt], wi1 = ww[wAt + 1], wi2 = ww[wAt + 2], wi3 = ww[wAt + 3];
    FloatVector w0 = FloatVector.broadcast(SPECIES, wi0), w1 = FloatVector.broadcast(SPECIES, wi1);
    FloatVector w2 = FloatVector.broadcast(SPECIES, wi2), w3 = FloatVector.broadcast(SPECIES, wi3);
    FloatVector d0 = FloatVector.zero(SPECIES), d1 = d0, d2 = d0, d3 = d0;
    int m1 = mRow + w, m2 = m1 + w, m3 = m2 + w, g1r = gRow + w, g2r = g1r + w, g3r = g2r + w;
    int bound = SPECIES.loopBound(w);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector ev = FloatVector.fromArray(SPECIES, e, eOff + j);
      FloatVector av = FloatVector.fromArray(SPECIES, a, aOff + j);
      FloatVector pa = FloatVector.fromArray(SPECIES, partial, j);
      FloatVector pe = FloatVector.fromArray(SPECIES, partial, w + j);
      FloatVector g0 = FloatVector.fromArray(SPECIES, gm, gRow + j);
      FloatVector x0 = FloatVector.fromArray(SPECIES, m, mRow + j);
      FloatVector wg = g0.mul(w0);
      pa = pa.add(wg);
      pe = FMA ? wg.fma(x0, pe) : wg.mul(x0).add(pe);
      FloatVector written = av.sub(ev.mul(x0));
      d0 = FMA ? g0.fma(written, d0) : g0.mul(written).add(d0);
      g0.mul(one.sub(ev.mul(w0))).intoArray(gm, gRow + j);
      FloatVector g1 = FloatVector.fromArray(SPECIES, gm, g1r + j);
      FloatVector x1 = FloatVector.fromArray(SPECIES, m, m1 + j);
      wg = g1.mul(w1);
      pa = pa.add(wg);
      pe = FMA ? wg.fma(x1, pe) : wg.mul(x1).add(pe);
      written = av.sub(ev.mul(x1));
      d1 = FMA ? g1.fma(written, d1) : g1.mul(written).add(d1);
      g1.mul(one.sub(ev.mul(w1))).intoArray(gm, g1r + j);
      FloatVector g2 = FloatVector.fromArray(SPECIES, gm, g2r + j);
      FloatVector x2 = FloatVector.fromArray(SPECIES, m, m2 + j);
      wg = g2.mul(w2);
      pa = pa.add(wg);
      pe = FMA ? wg.fma(x2, pe) : wg.mul(x2).add(pe);
      written = av.sub(ev.mul(x2));
      d2 = FMA ? g2.fma(written, d2) : g2.mul(written).add(d2);
      g2.mul(one.sub(ev.mul(w2))).intoArray(gm, g2r + j);
      FloatVector g3 = FloatVector.fromArray(SPECIES, gm, g3r + j);
      FloatVector x3 = FloatVector.fromArray(SPECIES, m, m3 + j);
      wg = g3.mul(w3);
      pa = pa.add(wg);
      pe = FMA ? wg.fma(x3, pe) : wg.mul(x3).add(pe);
      written = av.sub(ev.mul(x3));
      d3 = FMA ? g3.fma(written, d3) : g3.mul(written).add(d3);
      g3.mul(one.sub(ev.mul(w3))).intoArray(gm, g3r + j);
      pa.intoArray(partial, j);
      pe.intoArray(partial, w + j);
    }
    // the four rows' lane sums (SimdLanes' four-row sums)
    FloatVector s = d0.blend(d1, HIGH_HALVES).add(d1.blend(d0, HIGH_HALVES).rearrange(SWAP_HALVES));
    FloatVector s23 = d2.blend(d3, HIGH_HALVES).add(d3.blend(d2, HIGH_HALVES).rearrange(SWAP_HALVES));
    s = s.blend(s23, ODD_QUARTERS).add(s23.blend(s, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
    s = SWAP_8 == null ? s : s.add(s.rearrange(SWAP_8));
    s = SWAP_4 == null ? s : s.add(s.rearrange(SWAP_4));
    s = SWAP_2 == null ? s : s.add(s.rearrange(SWAP_2));
    s = SWAP_1 == null ? s : s.add(s.rearrange(SWAP_1));
    double sum0 = s.lane(0), sum1 = s.lane(LANE_OF_F1), sum2 = s.lane(LANE_OF_F2), sum3 = s.lane(LANE_OF_F3);
    // scalar tail: oneHeadRow's, the rows in order
    for (; j < w; j++) {
      float ej = e[eOff + j], aj = a[aOff + j];
      float g = gm[gRow + j], mj = m[mRow + j], wg = g * wi0;
      partial[j] += wg;
      partial[w + j] = madd(wg, mj, partial[w + j]);
      sum0 += g * (aj - ej * mj);
      gm[gRow + j] = g * (1f - ej * wi0);
      g = gm[g1r + j];
      mj = m[m1 + j];
      wg = g * wi1;
      partial[j] += wg;
      partial[w + j] = madd(wg, mj, partial[w + j]);
      sum1 += g * (aj - ej * mj);
      gm[g1r + j] = g * (1f - ej * wi1);
      g = gm[g2r + j];
      mj = m[m2 + j];
      wg = g * wi2;
      partial[j] += wg;
      partial[w + j] = madd(wg, mj, partial[w + j]);
      sum2 += g * (aj - ej * mj);
      gm[g2r + j] = g * (1f - ej * wi2);
      g = gm[g3r + j];
      mj = m[m3 + j];
      wg = g * wi3;
      partial[j] += wg;
      partial[w + j] = madd(wg, mj, partial[w + j]);
      sum3 += g * (aj - ej * mj);
      gm[g3r + j] = g * (1f - ej * wi3);
    }
    gw[gwAt] += (float) sum0;
    gw[gwAt + 1] += (float) sum1;
    gw[gwAt + 2] += (float) sum2;
    gw[gwAt + 3] += (float) sum3;
  }

  /**
   * One write head, one row (R_¬h = 1): adds w G and w M G to the block's column sums, replaces G by G (1 − w e),
   * and returns Σ_j G (a − e M).
   */
  private static double oneHeadRow(float[] m, int mRow, float[] gm, int gRow, int w, float wi, float[] e, int eOff,
      float[] a, int aOff, float[] partial) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    FloatVector wv = FloatVector.broadcast(SPECIES, wi);
    FloatVector dot = FloatVector.zero(SPECIES);
    int bound = SPECIES.loopBound(w);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector g = FloatVector.fromArray(SPECIES, gm, gRow + j);
      FloatVector mv = FloatVector.fromArray(SPECIES, m, mRow + j);
      FloatVector ev = FloatVector.fromArray(SPECIES, e, eOff + j);
      FloatVector av = FloatVector.fromArray(SPECIES, a, aOff + j);
      FloatVector wg = g.mul(wv);
      FloatVector.fromArray(SPECIES, partial, j).add(wg).intoArray(partial, j);
      FloatVector pe = FloatVector.fromArray(SPECIES, partial, w + j);
      (FMA ? wg.fma(mv, pe) : wg.mul(mv).add(pe)).intoArray(partial, w + j);
      FloatVector written = av.sub(ev.mul(mv));
      dot = FMA ? g.fma(written, dot) : g.mul(written).add(dot);
      g.mul(one.sub(ev.mul(wv))).intoArray(gm, gRow + j);
    }
    // lanes summed in SimdLanes#sumLanes' order, in registers: the same bits on every JIT tier (reduceLanes'
    // order is unspecified and differs between the interpreter and C2)
    FloatVector lanes = dot;
    lanes = lanes.add(lanes.rearrange(SimdLanes.SWAP_HALVES));
    lanes = lanes.add(lanes.rearrange(SimdLanes.SWAP_QUARTERS));
    lanes = SimdLanes.SWAP_8 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_8));
    lanes = SimdLanes.SWAP_4 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_4));
    lanes = SimdLanes.SWAP_2 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_2));
    lanes = SimdLanes.SWAP_1 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_1));
    double sum = lanes.lane(0);
    // scalar tail
    for (; j < w; j++) {
      float g = gm[gRow + j], mj = m[mRow + j], ej = e[eOff + j];
      float wg = g * wi;
      partial[j] += wg;
      partial[w + j] = madd(wg, mj, partial[w + j]);
      sum += g * (a[aOff + j] - ej * mj);
      gm[gRow + j] = g * (1f - ej * wi);
    }
    return sum;
  }

  /**
   * Head h of several, one row: adds w G and w M R_¬h G to the block's column sums and returns
   * Σ_j G (a − e M R_¬h), R_¬h the product of the other heads' factors. G is only read.
   *
   * @param wAt index of w[0, i] in ww; head h' is at wAt + h'·n
   */
  private static double headRow(float[] m, int mRow, float[] gm, int gRow, int w, int wh, int h, float[] ww,
      int wAt, int n, float[] e, int eOff, float[] a, int aOff, float[] partial) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    float wi = ww[wAt + h * n];
    FloatVector wv = FloatVector.broadcast(SPECIES, wi);
    FloatVector dot = FloatVector.zero(SPECIES);
    int addAt = h * w, eraseAt = wh * w + h * w, headE = eOff + h * w, headA = aOff + h * w;
    int bound = SPECIES.loopBound(w);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector others = one;
      for (int o = 0; o < wh; o++) {
        if (o != h) {
          FloatVector wo = FloatVector.broadcast(SPECIES, ww[wAt + o * n]);
          others = others.mul(one.sub(FloatVector.fromArray(SPECIES, e, eOff + o * w + j).mul(wo)));
        }
      }
      FloatVector g = FloatVector.fromArray(SPECIES, gm, gRow + j);
      FloatVector kept = FloatVector.fromArray(SPECIES, m, mRow + j).mul(others);
      FloatVector ev = FloatVector.fromArray(SPECIES, e, headE + j);
      FloatVector av = FloatVector.fromArray(SPECIES, a, headA + j);
      FloatVector wg = g.mul(wv);
      FloatVector.fromArray(SPECIES, partial, addAt + j).add(wg).intoArray(partial, addAt + j);
      FloatVector pe = FloatVector.fromArray(SPECIES, partial, eraseAt + j);
      (FMA ? wg.fma(kept, pe) : wg.mul(kept).add(pe)).intoArray(partial, eraseAt + j);
      FloatVector written = av.sub(ev.mul(kept));
      dot = FMA ? g.fma(written, dot) : g.mul(written).add(dot);
    }
    // lanes summed in SimdLanes#sumLanes' order, in registers: the same bits on every JIT tier (reduceLanes'
    // order is unspecified and differs between the interpreter and C2)
    FloatVector lanes = dot;
    lanes = lanes.add(lanes.rearrange(SimdLanes.SWAP_HALVES));
    lanes = lanes.add(lanes.rearrange(SimdLanes.SWAP_QUARTERS));
    lanes = SimdLanes.SWAP_8 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_8));
    lanes = SimdLanes.SWAP_4 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_4));
    lanes = SimdLanes.SWAP_2 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_2));
    lanes = SimdLanes.SWAP_1 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_1));
    double sum = lanes.lane(0);
    // scalar tail
    for (; j < w; j++) {
      float others = 1f;
      for (int o = 0; o < wh; o++) {
        if (o != h) {
          others *= 1f - e[eOff + o * w + j] * ww[wAt + o * n];
        }
      }
      float g = gm[gRow + j], kept = m[mRow + j] * others;
      float wg = g * wi;
      partial[addAt + j] += wg;
      partial[eraseAt + j] = madd(wg, kept, partial[eraseAt + j]);
      sum += g * (a[headA + j] - e[headE + j] * kept);
    }
    return sum;
  }

  /** G ← G ∘ R over one row, R the product of every head's factor (after the head passes have read G). */
  private static void retain(float[] gm, int gRow, int w, int wh, float[] ww, int wAt, int n, float[] e, int eOff) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    int bound = SPECIES.loopBound(w);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector keep = one;
      for (int h = 0; h < wh; h++) {
        FloatVector wv = FloatVector.broadcast(SPECIES, ww[wAt + h * n]);
        keep = keep.mul(one.sub(FloatVector.fromArray(SPECIES, e, eOff + h * w + j).mul(wv)));
      }
      FloatVector.fromArray(SPECIES, gm, gRow + j).mul(keep).intoArray(gm, gRow + j);
    }
    // scalar tail
    for (; j < w; j++) {
      float keep = 1f;
      for (int h = 0; h < wh; h++) {
        keep *= 1f - e[eOff + h * w + j] * ww[wAt + h * n];
      }
      gm[gRow + j] *= keep;
    }
  }
}
