package org.dnckernels.scalar;

import java.util.Arrays;
import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of erase then add (see {@link org.dnckernels.DncKernels#eraseAndAddBackward}). With G the gradient
 * of the updated memory, R_¬h the product of the other heads' erase factors and R the product of all of them:
 *
 * <pre>
 *   gradAdd[h,j]          += Σ_i w[h,i] G[i,j]
 *   gradErase[h,j]        −= Σ_i w[h,i] M[i,j] R_¬h[i,j] G[i,j]
 *   gradWriteWeights[h,i] += Σ_j G[i,j] (a[h,j] − e[h,j] M[i,j] R_¬h[i,j])
 *   gradMemory            ← G ∘ R   (in place)
 * </pre>
 *
 * R_¬h comes from prefix and suffix products, never from R divided by a factor: a full erase (w = e = 1) makes
 * a factor exactly 0. Products and sums in double; each result rounded to float once.
 */
final class MemoryWriteBackward implements KernelMath.MemoryWriteBackward {
  MemoryWriteBackward() {}

  /**
   * prevMemory M [B,N,W], writeWeights w [B,Wh,N], erase e [B,Wh,W], add a [B,Wh,W]; gradMemory [B,N,W] (in
   * place), gradWriteWeights [B,Wh,N], gradErase and gradAdd [B,Wh,W] (accumulated).
   */
  @Override
  public void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add,
      Tensor gradMemory, Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1) {
    int slots = prevMemory.dim(1), word = prevMemory.dim(2), writeHeads = writeWeights.dim(1);
    HostTensor m = (HostTensor) prevMemory, w = (HostTensor) writeWeights, e = (HostTensor) erase,
        a = (HostTensor) add, gm = (HostTensor) gradMemory, gw = (HostTensor) gradWriteWeights,
        ge = (HostTensor) gradErase, ga = (HostTensor) gradAdd;
    float[] md = m.array(), wd = w.array(), ed = e.array(), ad = a.array(), gmd = gm.array(), gwd = gw.array(),
        ged = ge.array(), gad = ga.array();
    HostScratch scratch = HostScratch.get();
    // [0, WhW): Σ_i w G per (h, j); [WhW, 2WhW): Σ_i w M R_¬h G per (h, j)
    double[] sums = scratch.doubles(0, 2 * writeHeads * word);
    // [0, Wh): Σ_j per head of the current row; [Wh, 2Wh): the factors; [2Wh, 3Wh): prefix products
    double[] heads = scratch.doubles(1, 3 * writeHeads);
    int hw = writeHeads * word;

    for (int b = b0; b < b1; b++) {
      Arrays.fill(sums, 0, 2 * hw, 0.0);
      int memBase = b * slots * word;
      int headBase = b * writeHeads;
      for (int i = 0; i < slots; i++) {
        Arrays.fill(heads, 0, writeHeads, 0.0);
        int row = memBase + i * word;
        for (int j = 0; j < word; j++) {
          double g = gmd[gm.offset() + row + j];
          double mij = md[m.offset() + row + j];
          double prefix = 1;
          for (int h = 0; h < writeHeads; h++) {
            double f = 1 - (double) wd[w.offset() + (headBase + h) * slots + i] * ed[e.offset() + (headBase + h) * word + j];
            heads[writeHeads + h] = f;
            heads[2 * writeHeads + h] = prefix;
            prefix *= f;
          }
          double suffix = 1;
          for (int h = writeHeads - 1; h >= 0; h--) {
            double others = heads[2 * writeHeads + h] * suffix;
            suffix *= heads[writeHeads + h];
            double wi = wd[w.offset() + (headBase + h) * slots + i];
            int hj = (headBase + h) * word + j;
            double wg = wi * g;
            sums[h * word + j] += wg;
            sums[hw + h * word + j] += wg * mij * others;
            heads[h] += g * (ad[a.offset() + hj] - ed[e.offset() + hj] * mij * others);
          }
          // prefix is now R, the product of every head's factor
          gmd[gm.offset() + row + j] = (float) (g * prefix);
        }
        for (int h = 0; h < writeHeads; h++) {
          gwd[gw.offset() + (headBase + h) * slots + i] += (float) heads[h];
        }
      }
      for (int k = 0; k < hw; k++) {
        gad[ga.offset() + headBase * word + k] += (float) sums[k];
        ged[ge.offset() + headBase * word + k] -= (float) sums[hw + k];
      }
    }
  }
}
