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

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the read (see {@link org.dnckernels.DncKernels#readBackward}): {@code gradMemory[i,j] += Σ_h
 * w[h,i] g[h,j]} and {@code gradReadWeights[h,i] += Σ_j M[i,j] g[h,j]}.
 *
 * <p>Two passes per batch entry, each streaming its matrix once: the gradient rows of M, each the heads' g rows
 * (in L1) mixed by the row's R weights, summed in a register and added once; then the weight gradients, one dot
 * product per (head, row) in {@link SimdReductions#dot}'s order, four heads at a time with their lane sums folded
 * together (the content forward's four-row lane sums): one lane reduction per row and head cost more than the FMAs.
 */
final class SimdMemoryReadBackward implements KernelMath.MemoryReadBackward {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;
  /** lane FMA (inline at each use: a helper method taking vectors could box them). */
  private static final boolean FMA = SimdConfig.USE_FMA;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdMemoryReadBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory,
      Tensor gradReadWeights, int b0, int b1) {
    long work = 2L * (b1 - b0) * readWeights.dim(1) * memory.dim(1) * memory.dim(2);
    int parts = split.acquire(b0, b1, memory.dim(0), work);
    if (parts == 1) {
      readBackwardSlice(memory, readWeights, gradOut, gradMemory, gradReadWeights, b0, b1);
      return;
    }
    call.memory = memory;
    call.readWeights = readWeights;
    call.gradOut = gradOut;
    call.gradMemory = gradMemory;
    call.gradReadWeights = gradReadWeights;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor memory;
    Tensor readWeights;
    Tensor gradOut;
    Tensor gradMemory;
    Tensor gradReadWeights;

    @Override
    public void run(int b0, int b1) {
      readBackwardSlice(memory, readWeights, gradOut, gradMemory, gradReadWeights, b0, b1);
    }

    @Override
    public void clear() {
      memory = readWeights = gradOut = gradMemory = gradReadWeights = null;
    }
  }

  /** Batch entries [b0, b1). */
  static void readBackwardSlice(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory,
      Tensor gradReadWeights, int b0, int b1) {
    int n = memory.dim(1), w = memory.dim(2), r = readWeights.dim(1);
    float[] m = array(memory), rw = array(readWeights), g = array(gradOut), gm = array(gradMemory);
    float[] gw = array(gradReadWeights);
    int mBase = offset(memory), wBase = offset(readWeights), gBase = offset(gradOut), gmBase = offset(gradMemory);
    int gwBase = offset(gradReadWeights);
    for (int b = b0; b < b1; b++) {
      int wOff = wBase + b * r * n, gOff = gBase + b * r * w, gwOff = gwBase + b * r * n;
      memoryGradient(g, gOff, rw, wOff, n, w, r, gm, gmBase + b * n * w);
      weightDots(m, mBase + b * n * w, n, w, g, gOff, r, gw, gwOff);
    }
  }

  /**
   * gm[i,:] += Σ_h w[h,i] g[h,:]. Register tiles like the forward's: four heads' g over four vector columns stay
   * in registers while the tile walks the rows, so a row costs four broadcasts, sixteen FMAs and its own load and
   * store. A row's four heads are summed in one register chain (from zero, in head order) and then added to gm;
   * heads beyond a multiple of four are added one at a time.
   */
  private static void memoryGradient(float[] g, int gOff, float[] rw, int wOff, int n, int w, int r, float[] gm,
      int gmOff) {
    int bound = SPECIES.loopBound(w);
    int j = 0;
    for (; j + 4 * LANES <= w; j += 4 * LANES) {
      int h = 0;
      for (; h + 4 <= r; h += 4) {
        int ga = gOff + h * w + j, gb = ga + w, gc = gb + w, gd = gc + w;
        FloatVector a0 = FloatVector.fromArray(SPECIES, g, ga), a1 = FloatVector.fromArray(SPECIES, g, ga + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, g, ga + 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, g, ga + 3 * LANES);
        FloatVector b0 = FloatVector.fromArray(SPECIES, g, gb), b1 = FloatVector.fromArray(SPECIES, g, gb + LANES);
        FloatVector b2 = FloatVector.fromArray(SPECIES, g, gb + 2 * LANES);
        FloatVector b3 = FloatVector.fromArray(SPECIES, g, gb + 3 * LANES);
        FloatVector c0 = FloatVector.fromArray(SPECIES, g, gc), c1 = FloatVector.fromArray(SPECIES, g, gc + LANES);
        FloatVector c2 = FloatVector.fromArray(SPECIES, g, gc + 2 * LANES);
        FloatVector c3 = FloatVector.fromArray(SPECIES, g, gc + 3 * LANES);
        FloatVector d0 = FloatVector.fromArray(SPECIES, g, gd), d1 = FloatVector.fromArray(SPECIES, g, gd + LANES);
        FloatVector d2 = FloatVector.fromArray(SPECIES, g, gd + 2 * LANES);
        FloatVector d3 = FloatVector.fromArray(SPECIES, g, gd + 3 * LANES);
        int wa = wOff + h * n, row = gmOff + j;
        for (int i = 0; i < n; i++, row += w) {
          FloatVector wa0 = FloatVector.broadcast(SPECIES, rw[wa + i]);
          FloatVector wb0 = FloatVector.broadcast(SPECIES, rw[wa + n + i]);
          FloatVector wc0 = FloatVector.broadcast(SPECIES, rw[wa + 2 * n + i]);
          FloatVector wd0 = FloatVector.broadcast(SPECIES, rw[wa + 3 * n + i]);
          FloatVector s0 = a0.mul(wa0), s1 = a1.mul(wa0), s2 = a2.mul(wa0), s3 = a3.mul(wa0);
          s0 = FMA ? b0.fma(wb0, s0) : b0.mul(wb0).add(s0);
          s1 = FMA ? b1.fma(wb0, s1) : b1.mul(wb0).add(s1);
          s2 = FMA ? b2.fma(wb0, s2) : b2.mul(wb0).add(s2);
          s3 = FMA ? b3.fma(wb0, s3) : b3.mul(wb0).add(s3);
          s0 = FMA ? c0.fma(wc0, s0) : c0.mul(wc0).add(s0);
          s1 = FMA ? c1.fma(wc0, s1) : c1.mul(wc0).add(s1);
          s2 = FMA ? c2.fma(wc0, s2) : c2.mul(wc0).add(s2);
          s3 = FMA ? c3.fma(wc0, s3) : c3.mul(wc0).add(s3);
          s0 = FMA ? d0.fma(wd0, s0) : d0.mul(wd0).add(s0);
          s1 = FMA ? d1.fma(wd0, s1) : d1.mul(wd0).add(s1);
          s2 = FMA ? d2.fma(wd0, s2) : d2.mul(wd0).add(s2);
          s3 = FMA ? d3.fma(wd0, s3) : d3.mul(wd0).add(s3);
          FloatVector.fromArray(SPECIES, gm, row).add(s0).intoArray(gm, row);
          FloatVector.fromArray(SPECIES, gm, row + LANES).add(s1).intoArray(gm, row + LANES);
          FloatVector.fromArray(SPECIES, gm, row + 2 * LANES).add(s2).intoArray(gm, row + 2 * LANES);
          FloatVector.fromArray(SPECIES, gm, row + 3 * LANES).add(s3).intoArray(gm, row + 3 * LANES);
        }
      }
      for (; h < r; h++) {
        int ga = gOff + h * w + j;
        FloatVector a0 = FloatVector.fromArray(SPECIES, g, ga), a1 = FloatVector.fromArray(SPECIES, g, ga + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, g, ga + 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, g, ga + 3 * LANES);
        int wa = wOff + h * n, row = gmOff + j;
        for (int i = 0; i < n; i++, row += w) {
          FloatVector wv = FloatVector.broadcast(SPECIES, rw[wa + i]);
          FloatVector.fromArray(SPECIES, gm, row).add(a0.mul(wv)).intoArray(gm, row);
          FloatVector.fromArray(SPECIES, gm, row + LANES).add(a1.mul(wv)).intoArray(gm, row + LANES);
          FloatVector.fromArray(SPECIES, gm, row + 2 * LANES).add(a2.mul(wv)).intoArray(gm, row + 2 * LANES);
          FloatVector.fromArray(SPECIES, gm, row + 3 * LANES).add(a3.mul(wv)).intoArray(gm, row + 3 * LANES);
        }
      }
    }
    // one-vector columns, then scalar: the same operations per element
    for (; j < w; j += j < bound ? LANES : 1) {
      boolean vector = j < bound;
      int h = 0;
      for (; h + 4 <= r; h += 4) {
        int wa = wOff + h * n, row = gmOff + j, ga = gOff + h * w + j;
        if (vector) {
          FloatVector a0 = FloatVector.fromArray(SPECIES, g, ga), b0 = FloatVector.fromArray(SPECIES, g, ga + w);
          FloatVector c0 = FloatVector.fromArray(SPECIES, g, ga + 2 * w);
          FloatVector d0 = FloatVector.fromArray(SPECIES, g, ga + 3 * w);
          for (int i = 0; i < n; i++, row += w) {
            FloatVector s0 = a0.mul(rw[wa + i]);
            FloatVector wb0 = FloatVector.broadcast(SPECIES, rw[wa + n + i]);
            FloatVector wc0 = FloatVector.broadcast(SPECIES, rw[wa + 2 * n + i]);
            FloatVector wd0 = FloatVector.broadcast(SPECIES, rw[wa + 3 * n + i]);
            s0 = FMA ? b0.fma(wb0, s0) : b0.mul(wb0).add(s0);
            s0 = FMA ? c0.fma(wc0, s0) : c0.mul(wc0).add(s0);
            s0 = FMA ? d0.fma(wd0, s0) : d0.mul(wd0).add(s0);
            FloatVector.fromArray(SPECIES, gm, row).add(s0).intoArray(gm, row);
          }
        } else {
          float a0 = g[ga], b0 = g[ga + w], c0 = g[ga + 2 * w], d0 = g[ga + 3 * w];
          for (int i = 0; i < n; i++, row += w) {
            float s0 = a0 * rw[wa + i];
            s0 = madd(b0, rw[wa + n + i], s0);
            s0 = madd(c0, rw[wa + 2 * n + i], s0);
            s0 = madd(d0, rw[wa + 3 * n + i], s0);
            gm[row] += s0;
          }
        }
      }
      for (; h < r; h++) {
        int wa = wOff + h * n, row = gmOff + j, ga = gOff + h * w + j;
        if (vector) {
          FloatVector a0 = FloatVector.fromArray(SPECIES, g, ga);
          for (int i = 0; i < n; i++, row += w) {
            FloatVector.fromArray(SPECIES, gm, row).add(a0.mul(rw[wa + i])).intoArray(gm, row);
          }
        } else {
          float a0 = g[ga];
          for (int i = 0; i < n; i++, row += w) {
            gm[row] += a0 * rw[wa + i];
          }
        }
      }
    }
  }

  /**
   * gw[h,i] += M[i]·g[h] over the rows, row by row, four heads at a time: each (head, row) dot in
   * {@link SimdReductions#dot}'s accumulators and order (four accumulators over the word, a one-vector tail, a
   * scalar tail), one memory load feeding the four heads' FMAs, and the four heads' lane sums folded together in
   * {@link SimdLanes}' four-row order (the same bits as sumLanes of each, so the same bits as {@code dot}, at a
   * quarter of its lane permutations). Heads left over from a multiple of four fold with zero accumulators.
   */
  private static void weightDots(float[] m, int mOff, int n, int w, float[] g, int gOff, int r, float[] gw,
      int gwOff) {
    int bound = SPECIES.loopBound(w);
    int bound4 = w - 4 * LANES + 1;
    for (int hh = 0; hh < r; hh += 4) {
      int heads = Math.min(4, r - hh);
      // missing heads read head hh's g (their sums are dropped)
      int ka = gOff + hh * w, kb = heads > 1 ? ka + w : ka, kc = heads > 2 ? kb + w : ka, kd = heads > 3 ? kc + w : ka;
      int oa = gwOff + hh * n;
      for (int i = 0, row = mOff; i < n; i++, row += w) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        int j = 0;
        if (w >= LANES) {
          // four accumulators per head over the word, as dot's
          for (; j < bound4; j += 4 * LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, m, row + j);
            FloatVector x1 = FloatVector.fromArray(SPECIES, m, row + j + LANES);
            FloatVector x2 = FloatVector.fromArray(SPECIES, m, row + j + 2 * LANES);
            FloatVector x3 = FloatVector.fromArray(SPECIES, m, row + j + 3 * LANES);
            FloatVector k = FloatVector.fromArray(SPECIES, g, ka + j);
            a0 = FMA ? x0.fma(k, a0) : x0.mul(k).add(a0);
            k = FloatVector.fromArray(SPECIES, g, ka + j + LANES);
            a1 = FMA ? x1.fma(k, a1) : x1.mul(k).add(a1);
            k = FloatVector.fromArray(SPECIES, g, ka + j + 2 * LANES);
            a2 = FMA ? x2.fma(k, a2) : x2.mul(k).add(a2);
            k = FloatVector.fromArray(SPECIES, g, ka + j + 3 * LANES);
            a3 = FMA ? x3.fma(k, a3) : x3.mul(k).add(a3);
            k = FloatVector.fromArray(SPECIES, g, kb + j);
            b0 = FMA ? x0.fma(k, b0) : x0.mul(k).add(b0);
            k = FloatVector.fromArray(SPECIES, g, kb + j + LANES);
            b1 = FMA ? x1.fma(k, b1) : x1.mul(k).add(b1);
            k = FloatVector.fromArray(SPECIES, g, kb + j + 2 * LANES);
            b2 = FMA ? x2.fma(k, b2) : x2.mul(k).add(b2);
            k = FloatVector.fromArray(SPECIES, g, kb + j + 3 * LANES);
            b3 = FMA ? x3.fma(k, b3) : x3.mul(k).add(b3);
            k = FloatVector.fromArray(SPECIES, g, kc + j);
            c0 = FMA ? x0.fma(k, c0) : x0.mul(k).add(c0);
            k = FloatVector.fromArray(SPECIES, g, kc + j + LANES);
            c1 = FMA ? x1.fma(k, c1) : x1.mul(k).add(c1);
            k = FloatVector.fromArray(SPECIES, g, kc + j + 2 * LANES);
            c2 = FMA ? x2.fma(k, c2) : x2.mul(k).add(c2);
            k = FloatVector.fromArray(SPECIES, g, kc + j + 3 * LANES);
            c3 = FMA ? x3.fma(k, c3) : x3.mul(k).add(c3);
            k = FloatVector.fromArray(SPECIES, g, kd + j);
            d0 = FMA ? x0.fma(k, d0) : x0.mul(k).add(d0);
            k = FloatVector.fromArray(SPECIES, g, kd + j + LANES);
            d1 = FMA ? x1.fma(k, d1) : x1.mul(k).add(d1);
            k = FloatVector.fromArray(SPECIES, g, kd + j + 2 * LANES);
            d2 = FMA ? x2.fma(k, d2) : x2.mul(k).add(d2);
            k = FloatVector.fromArray(SPECIES, g, kd + j + 3 * LANES);
            d3 = FMA ? x3.fma(k, d3) : x3.mul(k).add(d3);
          }
          // one-vector tail, into the first accumulator
          for (; j < bound; j += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, m, row + j);
            FloatVector k = FloatVector.fromArray(SPECIES, g, ka + j);
            a0 = FMA ? x.fma(k, a0) : x.mul(k).add(a0);
            k = FloatVector.fromArray(SPECIES, g, kb + j);
            b0 = FMA ? x.fma(k, b0) : x.mul(k).add(b0);
            k = FloatVector.fromArray(SPECIES, g, kc + j);
            c0 = FMA ? x.fma(k, c0) : x.mul(k).add(c0);
            k = FloatVector.fromArray(SPECIES, g, kd + j);
            d0 = FMA ? x.fma(k, d0) : x.mul(k).add(d0);
          }
        }
        // each head's accumulators as dot adds them, then the four heads' lane sums (SimdLanes' four-row sums)
        FloatVector v0 = a0.add(a1).add(a2.add(a3)), v1 = b0.add(b1).add(b2.add(b3));
        FloatVector v2 = c0.add(c1).add(c2.add(c3)), v3 = d0.add(d1).add(d2.add(d3));
        FloatVector s = v0.blend(v1, HIGH_HALVES).add(v1.blend(v0, HIGH_HALVES).rearrange(SWAP_HALVES));
        FloatVector s23 = v2.blend(v3, HIGH_HALVES).add(v3.blend(v2, HIGH_HALVES).rearrange(SWAP_HALVES));
        s = s.blend(s23, ODD_QUARTERS).add(s23.blend(s, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
        s = SWAP_8 == null ? s : s.add(s.rearrange(SWAP_8));
        s = SWAP_4 == null ? s : s.add(s.rearrange(SWAP_4));
        s = SWAP_2 == null ? s : s.add(s.rearrange(SWAP_2));
        s = SWAP_1 == null ? s : s.add(s.rearrange(SWAP_1));
        float e0 = s.lane(0), e1 = s.lane(LANE_OF_F1), e2 = s.lane(LANE_OF_F2), e3 = s.lane(LANE_OF_F3);
        // scalar tail
        for (; j < w; j++) {
          float x = m[row + j];
          e0 += x * g[ka + j];
          e1 += x * g[kb + j];
          e2 += x * g[kc + j];
          e3 += x * g[kd + j];
        }
        gw[oa + i] += e0;
        if (heads > 1) {
          gw[oa + n + i] += e1;
        }
        if (heads > 2) {
          gw[oa + 2 * n + i] += e2;
        }
        if (heads > 3) {
          gw[oa + 3 * n + i] += e3;
        }
      }
    }
  }
}
