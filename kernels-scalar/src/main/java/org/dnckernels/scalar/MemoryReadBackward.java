package org.dnckernels.scalar;

import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the read (see {@link org.dnckernels.DncKernels#readBackward}): {@code gradMemory[i,j] += Σ_h
 * w[h,i] g[h,j]} and {@code gradReadWeights[h,i] += Σ_j M[i,j] g[h,j]}, each sum in double, rounded once.
 */
final class MemoryReadBackward implements KernelMath.MemoryReadBackward {
  MemoryReadBackward() {}

  /** memory M [B,N,W], readWeights w [B,R,N], gradOut g [B,R,W]; gradMemory [B,N,W], gradReadWeights [B,R,N]. */
  @Override
  public void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory,
      Tensor gradReadWeights, int b0, int b1) {
    int slots = memory.dim(1), word = memory.dim(2), heads = readWeights.dim(1);
    HostTensor m = (HostTensor) memory, w = (HostTensor) readWeights, g = (HostTensor) gradOut,
        gm = (HostTensor) gradMemory, gw = (HostTensor) gradReadWeights;
    float[] md = m.array(), wd = w.array(), gd = g.array(), gmd = gm.array(), gwd = gw.array();

    for (int b = b0; b < b1; b++) {
      int memBase = b * slots * word;
      for (int i = 0; i < slots; i++) {
        int row = memBase + i * word;
        for (int j = 0; j < word; j++) {
          double sum = 0;
          for (int h = 0; h < heads; h++) {
            sum += (double) wd[w.offset() + (b * heads + h) * slots + i] * gd[g.offset() + (b * heads + h) * word + j];
          }
          gmd[gm.offset() + row + j] += (float) sum;
        }
        for (int h = 0; h < heads; h++) {
          int gBase = g.offset() + (b * heads + h) * word;
          double dot = 0;
          for (int j = 0; j < word; j++) {
            dot += (double) md[m.offset() + row + j] * gd[gBase + j];
          }
          gwd[gw.offset() + (b * heads + h) * slots + i] += (float) dot;
        }
      }
    }
  }
}
