package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Erase then add, in place: {@code M[i,j] ← M[i,j] · Π_h (1 − w[h,i] e[h,j]) + Σ_h w[h,i] a[h,j]} (see
 * {@link org.dnckernels.DncKernels#eraseAndAdd}).
 *
 * <p>A streaming kernel: each memory element is loaded and stored once; the erase and add vectors stay in L1 (for
 * one write head, in registers). One write head (the DNC's usual case) has its own tiled loop; more heads build the
 * retention product and the added sum in registers, then one multiply and add with M. Products in float lanes
 * (the scalar backend uses double): with Wh factors in [0,1] the rounding stays within a few ulps.
 */
final class SimdMemoryWrite implements KernelMath.MemoryWrite {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;
  /** bytes of memory rows per block: a block stays in L1 while its column tiles walk it. */
  private static final int BLOCK_BYTES = 16 * 1024;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdMemoryWrite(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void eraseAndAdd(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add, int b0, int b1) {
    long work = (long) (b1 - b0) * writeWeights.dim(1) * memory.dim(1) * memory.dim(2);
    int parts = split.acquire(b0, b1, memory.dim(0), work);
    if (parts == 1) {
      eraseAndAddSlice(memory, writeWeights, erase, add, b0, b1);
      return;
    }
    call.memory = memory;
    call.writeWeights = writeWeights;
    call.erase = erase;
    call.add = add;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor memory;
    Tensor writeWeights;
    Tensor erase;
    Tensor add;

    @Override
    public void run(int b0, int b1) {
      eraseAndAddSlice(memory, writeWeights, erase, add, b0, b1);
    }

    @Override
    public void clear() {
      memory = writeWeights = erase = add = null;
    }
  }

  static void eraseAndAddSlice(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add, int b0, int b1) {
    int n = memory.dim(1), w = memory.dim(2), wh = writeWeights.dim(1);
    float[] m = array(memory), ww = array(writeWeights), e = array(erase), a = array(add);
    int mBase = offset(memory), wBase = offset(writeWeights), eBase = offset(erase), aBase = offset(add);
    for (int b = b0; b < b1; b++) {
      int mOff = mBase + b * n * w, wOff = wBase + b * wh * n, eOff = eBase + b * wh * w, aOff = aBase + b * wh * w;
      if (wh == 1) {
        oneHead(m, mOff, n, w, ww, wOff, e, eOff, a, aOff);
      } else {
        heads(m, mOff, n, w, wh, ww, wOff, e, eOff, a, aOff);
      }
    }
  }

  /**
   * One write head. Rows in blocks that stay in L1; within a block, column tiles of four (then two, then one)
   * vectors whose e and a vectors are loaded once per tile and kept in registers, so the row loop only loads,
   * updates and stores memory. At W = 4 vectors (W = 64 on AVX-512) a tile is a whole row and the memory streams
   * in order. No FMA: the kernel is memory-bound, and {@code M·(1 − w e) + w a} in plain multiplies and adds
   * gives the same bits on every CPU.
   */
  private static void oneHead(float[] m, int mOff, int n, int w, float[] ww, int wOff, float[] e, int eOff,
      float[] a, int aOff) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    int blockRows = Math.max(8, BLOCK_BYTES / (4 * w));
    int bound = SPECIES.loopBound(w);
    for (int i0 = 0; i0 < n; i0 += blockRows) {
      int i1 = Math.min(n, i0 + blockRows);
      int j = 0;
      for (; j + 4 * LANES <= w; j += 4 * LANES) {
        FloatVector e0 = FloatVector.fromArray(SPECIES, e, eOff + j);
        FloatVector e1 = FloatVector.fromArray(SPECIES, e, eOff + j + LANES);
        FloatVector e2 = FloatVector.fromArray(SPECIES, e, eOff + j + 2 * LANES);
        FloatVector e3 = FloatVector.fromArray(SPECIES, e, eOff + j + 3 * LANES);
        FloatVector a0 = FloatVector.fromArray(SPECIES, a, aOff + j);
        FloatVector a1 = FloatVector.fromArray(SPECIES, a, aOff + j + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, a, aOff + j + 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, a, aOff + j + 3 * LANES);
        int r = mOff + i0 * w + j;
        for (int i = i0; i < i1; i++, r += w) {
          FloatVector wi = FloatVector.broadcast(SPECIES, ww[wOff + i]);
          FloatVector m0 = FloatVector.fromArray(SPECIES, m, r);
          FloatVector m1 = FloatVector.fromArray(SPECIES, m, r + LANES);
          FloatVector m2 = FloatVector.fromArray(SPECIES, m, r + 2 * LANES);
          FloatVector m3 = FloatVector.fromArray(SPECIES, m, r + 3 * LANES);
          m0.mul(one.sub(e0.mul(wi))).add(a0.mul(wi)).intoArray(m, r);
          m1.mul(one.sub(e1.mul(wi))).add(a1.mul(wi)).intoArray(m, r + LANES);
          m2.mul(one.sub(e2.mul(wi))).add(a2.mul(wi)).intoArray(m, r + 2 * LANES);
          m3.mul(one.sub(e3.mul(wi))).add(a3.mul(wi)).intoArray(m, r + 3 * LANES);
        }
      }
      if (j + 2 * LANES <= w) {
        FloatVector e0 = FloatVector.fromArray(SPECIES, e, eOff + j);
        FloatVector e1 = FloatVector.fromArray(SPECIES, e, eOff + j + LANES);
        FloatVector a0 = FloatVector.fromArray(SPECIES, a, aOff + j);
        FloatVector a1 = FloatVector.fromArray(SPECIES, a, aOff + j + LANES);
        int r = mOff + i0 * w + j;
        for (int i = i0; i < i1; i++, r += w) {
          FloatVector wi = FloatVector.broadcast(SPECIES, ww[wOff + i]);
          FloatVector m0 = FloatVector.fromArray(SPECIES, m, r);
          FloatVector m1 = FloatVector.fromArray(SPECIES, m, r + LANES);
          m0.mul(one.sub(e0.mul(wi))).add(a0.mul(wi)).intoArray(m, r);
          m1.mul(one.sub(e1.mul(wi))).add(a1.mul(wi)).intoArray(m, r + LANES);
        }
        j += 2 * LANES;
      }
      // one-vector tiles
      for (; j < bound; j += LANES) {
        FloatVector e0 = FloatVector.fromArray(SPECIES, e, eOff + j);
        FloatVector a0 = FloatVector.fromArray(SPECIES, a, aOff + j);
        int r = mOff + i0 * w + j;
        for (int i = i0; i < i1; i++, r += w) {
          FloatVector wi = FloatVector.broadcast(SPECIES, ww[wOff + i]);
          FloatVector.fromArray(SPECIES, m, r).mul(one.sub(e0.mul(wi))).add(a0.mul(wi)).intoArray(m, r);
        }
      }
      // scalar tail
      for (; j < w; j++) {
        float ej = e[eOff + j], aj = a[aOff + j];
        for (int i = i0; i < i1; i++) {
          float wi = ww[wOff + i];
          int r = mOff + i * w + j;
          m[r] = m[r] * (1f - wi * ej) + wi * aj;
        }
      }
    }
  }

  /** Several write heads: the retention product and the added sum in registers, then one update of M. */
  private static void heads(float[] m, int mOff, int n, int w, int wh, float[] ww, int wOff, float[] e, int eOff,
      float[] a, int aOff) {
    int bound = SPECIES.loopBound(w);
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    for (int i = 0; i < n; i++) {
      int row = mOff + i * w;
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector keep = one;
        FloatVector added = FloatVector.zero(SPECIES);
        for (int h = 0; h < wh; h++) {
          FloatVector wi = FloatVector.broadcast(SPECIES, ww[wOff + h * n + i]);
          keep = keep.mul(one.sub(FloatVector.fromArray(SPECIES, e, eOff + h * w + j).mul(wi)));
          added = added.add(FloatVector.fromArray(SPECIES, a, aOff + h * w + j).mul(wi));
        }
        FloatVector.fromArray(SPECIES, m, row + j).mul(keep).add(added).intoArray(m, row + j);
      }
      // scalar tail
      for (; j < w; j++) {
        float keep = 1f, added = 0f;
        for (int h = 0; h < wh; h++) {
          float wi = ww[wOff + h * n + i];
          keep *= 1f - wi * e[eOff + h * w + j];
          added += wi * a[aOff + h * w + j];
        }
        m[row + j] = m[row + j] * keep + added;
      }
    }
  }
}
