package org.dnckernels.scalar;

import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Erase then add, in place, for all write heads at once:
 *
 * <pre>
 *   M[b,i,j] ← M[b,i,j] · Π_h (1 − w[b,h,i] e[b,h,j]) + Σ_h w[b,h,i] a[b,h,j]
 * </pre>
 *
 * The product and the sum are in double; each memory element is rounded to float once.
 */
final class MemoryWrite implements KernelMath.MemoryWrite {
  MemoryWrite() {}

  /** memory M [B,N,W] (in place), writeWeights w [B,Wh,N], erase e [B,Wh,W], add a [B,Wh,W]. */
  @Override
  public void eraseAndAdd(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add, int b0, int b1) {
    int slots = memory.dim(1), word = memory.dim(2), writeHeads = writeWeights.dim(1);
    HostTensor m = (HostTensor) memory, w = (HostTensor) writeWeights, e = (HostTensor) erase,
        a = (HostTensor) add;
    float[] md = m.array(), wd = w.array(), ed = e.array(), ad = a.array();

    for (int b = b0; b < b1; b++) {
      for (int i = 0; i < slots; i++) {
        int row = m.offset() + (b * slots + i) * word;
        for (int j = 0; j < word; j++) {
          double keep = 1;
          double added = 0;
          for (int h = 0; h < writeHeads; h++) {
            int bh = b * writeHeads + h;
            double wi = wd[w.offset() + bh * slots + i];
            keep *= 1 - wi * ed[e.offset() + bh * word + j];
            added += wi * ad[a.offset() + bh * word + j];
          }
          md[row + j] = (float) (md[row + j] * keep + added);
        }
      }
    }
  }
}
