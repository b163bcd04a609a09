package org.dnckernels.scalar;

import java.util.Arrays;
import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Temporal linkage, per write head: the precedence weighting, the link matrix and the forward and backward
 * weightings read through it.
 *
 * <pre>
 *   p ← (1 − Σ_i w[i]) p + w
 *   L[i,j] ← (1 − w[i] − w[j]) L[i,j] + w[i] p[j]     for i ≠ j;   L[i,i] = 0 exactly
 *   forward[b,r,h]  = L[b,h] w^r[b,r]       (forward[i]  = Σ_j L[i,j] w^r[j])
 *   backward[b,r,h] = L[b,h]ᵀ w^r[b,r]      (backward[j] = Σ_i L[i,j] w^r[i])
 * </pre>
 *
 * Sums are in double (forward over ascending j, backward over ascending i); every element is rounded once.
 * Rounding can take {@code 1 − Σw} or {@code 1 − w[i] − w[j]} a little below 0, which the equations never do
 * for weightings: those factors are clamped at 0, and precedence at 1 (the bound the equations give for inputs in
 * [0, 1]), so both stay inside [0, 1] exactly; in their domain that changes a result by at most its rounding
 * error. A link entry cannot round above 1 from L in [0, 1] (docs/contract.md).
 */
final class TemporalLinkage implements KernelMath.TemporalLinkage {
  TemporalLinkage() {}

  /** precedence p [B,Wh,N] (in place), writeWeights w [B,Wh,N]. */
  @Override
  public void precedence(Tensor precedence, Tensor writeWeights, int b0, int b1) {
    int heads = precedence.dim(1), slots = precedence.dim(2);
    HostTensor p = (HostTensor) precedence, w = (HostTensor) writeWeights;
    float[] pd = p.array(), wd = w.array();

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      int pBase = p.offset() + bh * slots, wBase = w.offset() + bh * slots;
      double written = 0;
      for (int i = 0; i < slots; i++) {
        written += wd[wBase + i];
      }
      double keep = Math.max(0, 1 - written);
      for (int i = 0; i < slots; i++) {
        pd[pBase + i] = (float) Math.min(1, keep * pd[pBase + i] + wd[wBase + i]);
      }
    }
  }

  /** link L [B,Wh,N,N] (in place), prevPrecedence p [B,Wh,N], writeWeights w [B,Wh,N]. */
  @Override
  public void linkUpdate(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int b0, int b1) {
    int heads = link.dim(1), slots = link.dim(2);
    HostTensor l = (HostTensor) link, p = (HostTensor) prevPrecedence, w = (HostTensor) writeWeights;
    float[] ld = l.array(), pd = p.array(), wd = w.array();

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      int lBase = l.offset() + bh * slots * slots;
      int pBase = p.offset() + bh * slots, wBase = w.offset() + bh * slots;
      for (int i = 0; i < slots; i++) {
        double wi = wd[wBase + i];
        int row = lBase + i * slots;
        for (int j = 0; j < slots; j++) {
          if (i == j) {
            // no self-links: exactly zero whatever was stored
            ld[row + j] = 0f;
          } else {
            double wj = wd[wBase + j];
            ld[row + j] = (float) (Math.max(0, 1 - wi - wj) * ld[row + j] + wi * pd[pBase + j]);
          }
        }
      }
    }
  }

  /** link L [B,Wh,N,N], prevReadWeights w [B,R,N], forward [B,R,Wh,N], backward [B,R,Wh,N]. */
  @Override
  public void forwardBackward(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
    int writeHeads = link.dim(1), slots = link.dim(2), readHeads = prevReadWeights.dim(1);
    HostTensor l = (HostTensor) link, w = (HostTensor) prevReadWeights, f = (HostTensor) forward,
        bw = (HostTensor) backward;
    float[] ld = l.array(), wd = w.array(), fd = f.array(), bwd = bw.array();
    double[] columnSums = HostScratch.get().doubles(0, slots);

    for (int b = b0; b < b1; b++) {
      for (int r = 0; r < readHeads; r++) {
        int wBase = w.offset() + (b * readHeads + r) * slots;
        for (int h = 0; h < writeHeads; h++) {
          int lBase = l.offset() + (b * writeHeads + h) * slots * slots;
          int outBase = ((b * readHeads + r) * writeHeads + h) * slots;
          Arrays.fill(columnSums, 0, slots, 0.0);
          // one pass over L: row i gives forward[i] and adds L[i,·] w[i] to every backward[j]
          for (int i = 0; i < slots; i++) {
            int row = lBase + i * slots;
            double wi = wd[wBase + i];
            double rowSum = 0;
            for (int j = 0; j < slots; j++) {
              double lij = ld[row + j];
              rowSum += lij * wd[wBase + j];
              columnSums[j] += lij * wi;
            }
            fd[f.offset() + outBase + i] = (float) rowSum;
          }
          for (int j = 0; j < slots; j++) {
            bwd[bw.offset() + outBase + j] = (float) columnSums[j];
          }
        }
      }
    }
  }
}
