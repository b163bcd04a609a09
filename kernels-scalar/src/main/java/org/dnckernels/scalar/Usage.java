package org.dnckernels.scalar;

import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Usage update from the previous step's weightings:
 *
 * <pre>
 *   ŵ   = 1 − Π_h (1 − w^w_h)             (the write weights of all heads together)
 *   ψ   = Π_r (1 − f_r w^r_r)             (retention)
 *   out = (u + (1 − u) ∘ ŵ) ∘ ψ
 * </pre>
 *
 * Both products are in double; each usage is rounded to float once. Elementwise, so {@code out} may be the
 * previous usage itself: each u[i] is read before out[i] is written.
 */
final class Usage implements KernelMath.Usage {
  Usage() {}

  /**
   * prevUsage u [B,N], prevWriteWeights w^w [B,Wh,N], freeGates f [B,R], prevReadWeights w^r [B,R,N],
   * out [B,N] (may be prevUsage).
   */
  @Override
  public void usage(
      Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out, int b0, int b1) {
    int slots = prevUsage.dim(1);
    int writeHeads = prevWriteWeights.dim(1), readHeads = prevReadWeights.dim(1);
    HostTensor u = (HostTensor) prevUsage, ww = (HostTensor) prevWriteWeights, f = (HostTensor) freeGates,
        wr = (HostTensor) prevReadWeights, o = (HostTensor) out;
    float[] ud = u.array(), wwd = ww.array(), fd = f.array(), wrd = wr.array(), od = o.array();

    for (int b = b0; b < b1; b++) {
      for (int i = 0; i < slots; i++) {
        double notWritten = 1;
        for (int h = 0; h < writeHeads; h++) {
          notWritten *= 1 - (double) wwd[ww.offset() + (b * writeHeads + h) * slots + i];
        }
        double written = 1 - notWritten;

        double retention = 1;
        for (int r = 0; r < readHeads; r++) {
          int br = b * readHeads + r;
          retention *= 1 - (double) fd[f.offset() + br] * wrd[wr.offset() + br * slots + i];
        }

        double previous = ud[u.offset() + b * slots + i];
        od[o.offset() + b * slots + i] = (float) ((previous + (1 - previous) * written) * retention);
      }
    }
  }
}
