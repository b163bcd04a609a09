package org.dnckernels.scalar;

import java.util.Arrays;
import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Read: {@code r[b,h] = M[b]ᵀ w[b,h]}, i.e. {@code out[b,h,j] = Σ_i w[b,h,i] M[b,i,j]}, summed in double over
 * ascending i and rounded to float once.
 */
final class MemoryRead implements KernelMath.MemoryRead {
  MemoryRead() {}

  /** memory M [B,N,W], readWeights w [B,R,N], out r [B,R,W]. */
  @Override
  public void read(Tensor memory, Tensor readWeights, Tensor out, int b0, int b1) {
    int slots = memory.dim(1), word = memory.dim(2), heads = readWeights.dim(1);
    HostTensor m = (HostTensor) memory, w = (HostTensor) readWeights, o = (HostTensor) out;
    float[] md = m.array(), wd = w.array(), od = o.array();
    double[] acc = HostScratch.get().doubles(0, word);

    for (int b = b0; b < b1; b++) {
      int memBase = m.offset() + b * slots * word;
      for (int h = 0; h < heads; h++) {
        int bh = b * heads + h;
        int weightBase = w.offset() + bh * slots;
        Arrays.fill(acc, 0, word, 0.0);
        // row by row: reads M contiguously, one double accumulator per word element
        for (int i = 0; i < slots; i++) {
          double wi = wd[weightBase + i];
          int row = memBase + i * word;
          for (int j = 0; j < word; j++) {
            acc[j] += wi * md[row + j];
          }
        }
        int outBase = o.offset() + bh * word;
        for (int j = 0; j < word; j++) {
          od[outBase + j] = (float) acc[j];
        }
      }
    }
  }
}
