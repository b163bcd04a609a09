package org.dnckernels.scalar;

import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of {@link Usage}. With g = gradOut, ŵ = 1 − Π_h (1 − w^w_h) and ψ = Π_r (1 − f_r w^r_r):
 *
 * <pre>
 *   gradPrevUsage           += g ψ (1 − ŵ)
 *   gradPrevWriteWeights[h] += g ψ (1 − u) Π_{h'≠h} (1 − w^w_h')
 *   dψ                       = g (u + (1 − u) ŵ)
 *   gradPrevReadWeights[r]  −= dψ f_r Π_{r'≠r} (1 − f_r' w^r_r')
 *   gradFreeGates[r]        −= Σ_i dψ[i] w^r_r[i] Π_{r'≠r} (1 − f_r' w^r_r'[i])
 * </pre>
 *
 * The products over the other heads are a prefix times a suffix (never the whole product divided by one factor,
 * which can be 0). Everything is in double; each gradient is rounded to float once and then added. When
 * {@code gradPrevUsage} is {@code gradOut} itself it is overwritten: g[i] is read before the slot is written.
 */
final class UsageBackward implements KernelMath.UsageBackward {
  UsageBackward() {}

  @Override
  public void usageBackward(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights,
      Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights, Tensor gradFreeGates,
      Tensor gradPrevReadWeights, int b0, int b1) {
    int slots = prevUsage.dim(1);
    int writeHeads = prevWriteWeights.dim(1), readHeads = prevReadWeights.dim(1);
    HostTensor u = (HostTensor) prevUsage, ww = (HostTensor) prevWriteWeights, f = (HostTensor) freeGates,
        wr = (HostTensor) prevReadWeights, g = (HostTensor) gradOut, gu = (HostTensor) gradPrevUsage,
        gww = (HostTensor) gradPrevWriteWeights, gf = (HostTensor) gradFreeGates,
        gwr = (HostTensor) gradPrevReadWeights;
    float[] ud = u.array(), wwd = ww.array(), fd = f.array(), wrd = wr.array(), gd = g.array(), gud = gu.array();
    float[] gwwd = gww.array(), gfd = gf.array(), gwrd = gwr.array();
    // in place: ∂ℓ/∂out in, ∂ℓ/∂u out
    boolean inPlace = gradPrevUsage.sameStorage(gradOut);

    HostScratch scratch = HostScratch.get();
    // suffix products of the write factors (1 − w^w_h) and of the retention factors (1 − f_r w^r_r), entry k
    // holding the product over heads ≥ k; then the free gates' sums
    double[] writeSuffix = scratch.doubles(0, writeHeads + 1);
    double[] readSuffix = scratch.doubles(1, readHeads + 1);
    double[] freeSums = scratch.doubles(2, readHeads);

    for (int b = b0; b < b1; b++) {
      int wwBase = ww.offset() + b * writeHeads * slots, wrBase = wr.offset() + b * readHeads * slots;
      int gwwBase = gww.offset() + b * writeHeads * slots, gwrBase = gwr.offset() + b * readHeads * slots;
      int fBase = f.offset() + b * readHeads;
      for (int r = 0; r < readHeads; r++) {
        freeSums[r] = 0;
      }
      for (int i = 0; i < slots; i++) {
        writeSuffix[writeHeads] = 1;
        for (int h = writeHeads - 1; h >= 0; h--) {
          writeSuffix[h] = writeSuffix[h + 1] * (1 - (double) wwd[wwBase + h * slots + i]);
        }
        readSuffix[readHeads] = 1;
        for (int r = readHeads - 1; r >= 0; r--) {
          readSuffix[r] = readSuffix[r + 1] * (1 - (double) fd[fBase + r] * wrd[wrBase + r * slots + i]);
        }
        double notWritten = writeSuffix[0], retention = readSuffix[0];
        double previous = ud[u.offset() + b * slots + i];
        double grad = gd[g.offset() + b * slots + i];

        int k = gu.offset() + b * slots + i;
        float toUsage = (float) (grad * retention * notWritten);
        gud[k] = inPlace ? toUsage : gud[k] + toUsage;

        // the other heads' factors: the prefix before h times the suffix after it
        double toWrites = grad * retention * (1 - previous);
        double prefix = 1;
        for (int h = 0; h < writeHeads; h++) {
          gwwd[gwwBase + h * slots + i] += (float) (toWrites * prefix * writeSuffix[h + 1]);
          prefix *= 1 - (double) wwd[wwBase + h * slots + i];
        }

        double toRetention = grad * (previous + (1 - previous) * (1 - notWritten));
        prefix = 1;
        for (int r = 0; r < readHeads; r++) {
          double others = toRetention * prefix * readSuffix[r + 1];
          double gate = fd[fBase + r], read = wrd[wrBase + r * slots + i];
          gwrd[gwrBase + r * slots + i] -= (float) (others * gate);
          freeSums[r] += others * read;
          prefix *= 1 - gate * read;
        }
      }
      for (int r = 0; r < readHeads; r++) {
        gfd[gf.offset() + b * readHeads + r] -= (float) freeSums[r];
      }
    }
  }
}
