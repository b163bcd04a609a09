package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.madd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the read (see {@link org.dnckernels.DncKernels#readBackward}): {@code gradMemory[i,j] += Σ_h
 * w[h,i] g[h,j]} and {@code gradReadWeights[h,i] += Σ_j M[i,j] g[h,j]}.
 *
 * <p>Row by row: the gradient row of M is the heads' g rows (in L1) mixed by the row's R weights, summed in a
 * register and added once; then each head's weight gradient is a dot product of the memory row (now in L1) with
 * its g row, {@link SimdReductions#dot}'s lanes. Memory and its gradient stream once.
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
    int bound = SPECIES.loopBound(w);
    for (int b = b0; b < b1; b++) {
      int wOff = wBase + b * r * n, gOff = gBase + b * r * w, gwOff = gwBase + b * r * n;
      for (int i = 0; i < n; i++) {
        int mRow = mBase + (b * n + i) * w, gmRow = gmBase + (b * n + i) * w;
        int j = 0;
        for (; j < bound; j += LANES) {
          FloatVector acc = FloatVector.zero(SPECIES);
          for (int h = 0; h < r; h++) {
            FloatVector wv = FloatVector.broadcast(SPECIES, rw[wOff + h * n + i]);
            FloatVector gv = FloatVector.fromArray(SPECIES, g, gOff + h * w + j);
            acc = FMA ? gv.fma(wv, acc) : gv.mul(wv).add(acc);
          }
          FloatVector.fromArray(SPECIES, gm, gmRow + j).add(acc).intoArray(gm, gmRow + j);
        }
        // scalar tail: the lanes' operations
        for (; j < w; j++) {
          float acc = 0f;
          for (int h = 0; h < r; h++) {
            acc = madd(g[gOff + h * w + j], rw[wOff + h * n + i], acc);
          }
          gm[gmRow + j] += acc;
        }
        for (int h = 0; h < r; h++) {
          gw[gwOff + h * n + i] += (float) SimdReductions.dot(m, mRow, g, gOff + h * w, w);
        }
      }
    }
  }
}
