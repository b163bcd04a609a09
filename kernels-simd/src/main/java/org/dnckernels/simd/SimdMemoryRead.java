package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Read: {@code out[h,j] = Σ_i w[h,i] M[i,j]} (see {@link org.dnckernels.DncKernels#read}).
 *
 * <p>Register tiles: a tile is up to four heads × four (or two, or one) vector columns of the word, each a float-lane
 * accumulator, and it walks the rows in order, so one memory vector load feeds up to four FMAs and the rows
 * stream sequentially from L2/DRAM (a word of 4 vectors, e.g. W = 64 on AVX-512, is one tile: the memory is
 * read exactly once for four heads). The rows are cut into blocks; at the end of a block the tiles' float sums
 * are added to double accumulators, so float rounding grows over one block only and the total is in double
 * like the scalar backend's. Heads beyond a multiple of four take one-head tiles (a second pass over the
 * block, from cache).
 */
final class SimdMemoryRead implements KernelMath.MemoryRead {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;
  /** lane FMA (inline at each use: a helper method taking vectors could box them). */
  private static final boolean FMA = SimdConfig.USE_FMA;
  /**
   * Bytes of memory rows per block: a block stays in L2 while several tiles walk it, and its float sums are added
   * to the double ones once per block (rarely enough to cost nothing).
   */
  private static final int BLOCK_BYTES = 256 * 1024;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdMemoryRead(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void read(Tensor memory, Tensor readWeights, Tensor out, int b0, int b1) {
    long work = (long) (b1 - b0) * readWeights.dim(1) * memory.dim(1) * memory.dim(2);
    int parts = split.acquire(b0, b1, memory.dim(0), work);
    if (parts == 1) {
      readSlice(memory, readWeights, out, b0, b1);
      return;
    }
    call.memory = memory;
    call.readWeights = readWeights;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor memory;
    Tensor readWeights;
    Tensor out;

    @Override
    public void run(int b0, int b1) {
      readSlice(memory, readWeights, out, b0, b1);
    }

    @Override
    public void clear() {
      memory = readWeights = out = null;
    }
  }

  static void readSlice(Tensor memory, Tensor readWeights, Tensor out, int b0, int b1) {
    int n = memory.dim(1), w = memory.dim(2), r = readWeights.dim(1);
    float[] m = array(memory), rw = array(readWeights), o = array(out);
    int mBase = offset(memory), wBase = offset(readWeights), oBase = offset(out);
    HostScratch scratch = HostScratch.get();
    double[] sums = scratch.doubles(0, r * w);
    float[] partial = scratch.floats(0, 16 * LANES);
    int blockRows = Math.max(16, Math.min(4096, BLOCK_BYTES / (4 * w)));
    int chunks = w / LANES;
    for (int b = b0; b < b1; b++) {
      int mOff = mBase + b * n * w, wOff = wBase + b * r * n, oOff = oBase + b * r * w;
      Arrays.fill(sums, 0, r * w, 0.0);
      for (int i0 = 0; i0 < n; i0 += blockRows) {
        int i1 = Math.min(n, i0 + blockRows);
        int h = 0;
        for (; h + 4 <= r; h += 4) {
          int c = 0;
          for (; c + 4 <= chunks; c += 4) {
            heads4Chunks4(m, mOff + c * LANES, w, rw, wOff + h * n, n, i0, i1, partial);
            for (int k = 0; k < 4; k++) {
              flush(partial, 4 * k * LANES, 4 * LANES, sums, (h + k) * w + c * LANES);
            }
          }
          if (c + 2 <= chunks) {
            heads4Chunks2(m, mOff, w, rw, wOff + h * n, n, i0, i1, c * LANES, sums, h * w, partial);
            c += 2;
          }
          for (; c < chunks; c++) {
            heads4Chunks1(m, mOff, w, rw, wOff + h * n, n, i0, i1, c * LANES, sums, h * w, partial);
          }
        }
        for (; h < r; h++) {
          int c = 0;
          for (; c + 4 <= chunks; c += 4) {
            head1Chunks4(m, mOff, w, rw, wOff + h * n, i0, i1, c * LANES, sums, h * w, partial);
          }
          for (; c < chunks; c++) {
            head1Chunks1(m, mOff, w, rw, wOff + h * n, i0, i1, c * LANES, sums, h * w, partial);
          }
        }
        // scalar tail of the word, straight into double
        for (int j = chunks * LANES; j < w; j++) {
          for (h = 0; h < r; h++) {
            double s = 0;
            for (int i = i0; i < i1; i++) {
              s += rw[wOff + h * n + i] * m[mOff + i * w + j];
            }
            sums[h * w + j] += s;
          }
        }
      }
      for (int t = 0; t < r * w; t++) {
        o[oOff + t] = (float) sums[t];
      }
    }
  }

  /** heads h..h+3 (weights from wh, head stride n) × columns [0, 4·LANES) from mOff, rows [i0, i1), into partial. */
  private static void heads4Chunks4(float[] m, int mOff, int w, float[] rw, int wh, int n, int i0, int i1,
      float[] partial) {
    FloatVector z = FloatVector.zero(SPECIES);
    FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
    FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
    // the row index advances by w: C2 schedules this loop better than one that recomputes i·w
    int row = mOff + i0 * w;
    for (int i = i0; i < i1; i++, row += w) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, m, row);
      FloatVector x1 = FloatVector.fromArray(SPECIES, m, row + LANES);
      FloatVector x2 = FloatVector.fromArray(SPECIES, m, row + 2 * LANES);
      FloatVector x3 = FloatVector.fromArray(SPECIES, m, row + 3 * LANES);
      FloatVector w0 = FloatVector.broadcast(SPECIES, rw[wh + i]);
      FloatVector w1 = FloatVector.broadcast(SPECIES, rw[wh + n + i]);
      FloatVector w2 = FloatVector.broadcast(SPECIES, rw[wh + 2 * n + i]);
      FloatVector w3 = FloatVector.broadcast(SPECIES, rw[wh + 3 * n + i]);
      a00 = FMA ? x0.fma(w0, a00) : x0.mul(w0).add(a00);
      a01 = FMA ? x1.fma(w0, a01) : x1.mul(w0).add(a01);
      a02 = FMA ? x2.fma(w0, a02) : x2.mul(w0).add(a02);
      a03 = FMA ? x3.fma(w0, a03) : x3.mul(w0).add(a03);
      a10 = FMA ? x0.fma(w1, a10) : x0.mul(w1).add(a10);
      a11 = FMA ? x1.fma(w1, a11) : x1.mul(w1).add(a11);
      a12 = FMA ? x2.fma(w1, a12) : x2.mul(w1).add(a12);
      a13 = FMA ? x3.fma(w1, a13) : x3.mul(w1).add(a13);
      a20 = FMA ? x0.fma(w2, a20) : x0.mul(w2).add(a20);
      a21 = FMA ? x1.fma(w2, a21) : x1.mul(w2).add(a21);
      a22 = FMA ? x2.fma(w2, a22) : x2.mul(w2).add(a22);
      a23 = FMA ? x3.fma(w2, a23) : x3.mul(w2).add(a23);
      a30 = FMA ? x0.fma(w3, a30) : x0.mul(w3).add(a30);
      a31 = FMA ? x1.fma(w3, a31) : x1.mul(w3).add(a31);
      a32 = FMA ? x2.fma(w3, a32) : x2.mul(w3).add(a32);
      a33 = FMA ? x3.fma(w3, a33) : x3.mul(w3).add(a33);
    }
    // head k's four columns at partial[4k·LANES, (4k+4)·LANES)
    a00.intoArray(partial, 0);
    a01.intoArray(partial, LANES);
    a02.intoArray(partial, 2 * LANES);
    a03.intoArray(partial, 3 * LANES);
    a10.intoArray(partial, 4 * LANES);
    a11.intoArray(partial, 5 * LANES);
    a12.intoArray(partial, 6 * LANES);
    a13.intoArray(partial, 7 * LANES);
    a20.intoArray(partial, 8 * LANES);
    a21.intoArray(partial, 9 * LANES);
    a22.intoArray(partial, 10 * LANES);
    a23.intoArray(partial, 11 * LANES);
    a30.intoArray(partial, 12 * LANES);
    a31.intoArray(partial, 13 * LANES);
    a32.intoArray(partial, 14 * LANES);
    a33.intoArray(partial, 15 * LANES);
  }

  /** heads h..h+3 × columns [j, j+2·LANES): e.g. the whole W = 32 row on AVX-512. */
  private static void heads4Chunks2(float[] m, int mOff, int w, float[] rw, int wh, int n, int i0, int i1, int j,
      double[] sums, int s, float[] partial) {
    FloatVector z = FloatVector.zero(SPECIES);
    FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
    int row = mOff + i0 * w + j;
    for (int i = i0; i < i1; i++, row += w) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, m, row);
      FloatVector x1 = FloatVector.fromArray(SPECIES, m, row + LANES);
      FloatVector w0 = FloatVector.broadcast(SPECIES, rw[wh + i]);
      FloatVector w1 = FloatVector.broadcast(SPECIES, rw[wh + n + i]);
      FloatVector w2 = FloatVector.broadcast(SPECIES, rw[wh + 2 * n + i]);
      FloatVector w3 = FloatVector.broadcast(SPECIES, rw[wh + 3 * n + i]);
      a00 = FMA ? x0.fma(w0, a00) : x0.mul(w0).add(a00);
      a01 = FMA ? x1.fma(w0, a01) : x1.mul(w0).add(a01);
      a10 = FMA ? x0.fma(w1, a10) : x0.mul(w1).add(a10);
      a11 = FMA ? x1.fma(w1, a11) : x1.mul(w1).add(a11);
      a20 = FMA ? x0.fma(w2, a20) : x0.mul(w2).add(a20);
      a21 = FMA ? x1.fma(w2, a21) : x1.mul(w2).add(a21);
      a30 = FMA ? x0.fma(w3, a30) : x0.mul(w3).add(a30);
      a31 = FMA ? x1.fma(w3, a31) : x1.mul(w3).add(a31);
    }
    a00.intoArray(partial, 0);
    a01.intoArray(partial, LANES);
    flush(partial, 0, 2 * LANES, sums, s + j);
    a10.intoArray(partial, 0);
    a11.intoArray(partial, LANES);
    flush(partial, 0, 2 * LANES, sums, s + w + j);
    a20.intoArray(partial, 0);
    a21.intoArray(partial, LANES);
    flush(partial, 0, 2 * LANES, sums, s + 2 * w + j);
    a30.intoArray(partial, 0);
    a31.intoArray(partial, LANES);
    flush(partial, 0, 2 * LANES, sums, s + 3 * w + j);
  }

  /** heads h..h+3 × columns [j, j+LANES). */
  private static void heads4Chunks1(float[] m, int mOff, int w, float[] rw, int wh, int n, int i0, int i1, int j,
      double[] sums, int s, float[] partial) {
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    int row = mOff + i0 * w + j;
    for (int i = i0; i < i1; i++, row += w) {
      FloatVector x = FloatVector.fromArray(SPECIES, m, row);
      FloatVector w0 = FloatVector.broadcast(SPECIES, rw[wh + i]);
      FloatVector w1 = FloatVector.broadcast(SPECIES, rw[wh + n + i]);
      FloatVector w2 = FloatVector.broadcast(SPECIES, rw[wh + 2 * n + i]);
      FloatVector w3 = FloatVector.broadcast(SPECIES, rw[wh + 3 * n + i]);
      a0 = FMA ? x.fma(w0, a0) : x.mul(w0).add(a0);
      a1 = FMA ? x.fma(w1, a1) : x.mul(w1).add(a1);
      a2 = FMA ? x.fma(w2, a2) : x.mul(w2).add(a2);
      a3 = FMA ? x.fma(w3, a3) : x.mul(w3).add(a3);
    }
    a0.intoArray(partial, 0);
    flush(partial, 0, LANES, sums, s + j);
    a1.intoArray(partial, 0);
    flush(partial, 0, LANES, sums, s + w + j);
    a2.intoArray(partial, 0);
    flush(partial, 0, LANES, sums, s + 2 * w + j);
    a3.intoArray(partial, 0);
    flush(partial, 0, LANES, sums, s + 3 * w + j);
  }

  /** one head × columns [j, j+4·LANES). */
  private static void head1Chunks4(float[] m, int mOff, int w, float[] rw, int wh, int i0, int i1, int j,
      double[] sums, int s, float[] partial) {
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    int row = mOff + i0 * w + j;
    for (int i = i0; i < i1; i++, row += w) {
      FloatVector wi = FloatVector.broadcast(SPECIES, rw[wh + i]);
      FloatVector x0 = FloatVector.fromArray(SPECIES, m, row);
      FloatVector x1 = FloatVector.fromArray(SPECIES, m, row + LANES);
      FloatVector x2 = FloatVector.fromArray(SPECIES, m, row + 2 * LANES);
      FloatVector x3 = FloatVector.fromArray(SPECIES, m, row + 3 * LANES);
      a0 = FMA ? x0.fma(wi, a0) : x0.mul(wi).add(a0);
      a1 = FMA ? x1.fma(wi, a1) : x1.mul(wi).add(a1);
      a2 = FMA ? x2.fma(wi, a2) : x2.mul(wi).add(a2);
      a3 = FMA ? x3.fma(wi, a3) : x3.mul(wi).add(a3);
    }
    a0.intoArray(partial, 0);
    a1.intoArray(partial, LANES);
    a2.intoArray(partial, 2 * LANES);
    a3.intoArray(partial, 3 * LANES);
    flush(partial, 0, 4 * LANES, sums, s + j);
  }

  /** one head × columns [j, j+LANES): two rows per iteration, two accumulators. */
  private static void head1Chunks1(float[] m, int mOff, int w, float[] rw, int wh, int i0, int i1, int j,
      double[] sums, int s, float[] partial) {
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0;
    int i = i0;
    int row = mOff + i0 * w + j;
    for (; i + 1 < i1; i += 2, row += 2 * w) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, m, row);
      FloatVector x1 = FloatVector.fromArray(SPECIES, m, row + w);
      FloatVector w0 = FloatVector.broadcast(SPECIES, rw[wh + i]);
      FloatVector w1 = FloatVector.broadcast(SPECIES, rw[wh + i + 1]);
      a0 = FMA ? x0.fma(w0, a0) : x0.mul(w0).add(a0);
      a1 = FMA ? x1.fma(w1, a1) : x1.mul(w1).add(a1);
    }
    if (i < i1) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, m, row);
      FloatVector w0 = FloatVector.broadcast(SPECIES, rw[wh + i]);
      a0 = FMA ? x0.fma(w0, a0) : x0.mul(w0).add(a0);
    }
    a0.add(a1).intoArray(partial, 0);
    flush(partial, 0, LANES, sums, s + j);
  }

  /**
   * sums[s, s+count) += partial[0, count), in double. Vectors never cross a call that might not be inlined
   * (that would box them): the tiles store their accumulators to {@code partial} first.
   */
  private static void flush(float[] partial, int from, int count, double[] sums, int s) {
    for (int l = 0; l < count; l++) {
      sums[s + l] += partial[from + l];
    }
  }
}
