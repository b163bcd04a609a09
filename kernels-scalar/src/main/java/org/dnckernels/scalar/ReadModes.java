package org.dnckernels.scalar;

import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Read-mode mix: the read weightings from the backward, content and forward weightings.
 *
 * <pre>
 *   out[b,r] = Σ_h π[b,r,h] backward[b,r,h] + π[b,r,Wh] c[b,r] + Σ_h π[b,r,Wh+1+h] forward[b,r,h]
 * </pre>
 *
 * Summed in double in that order (backward heads, content, forward heads) and rounded once.
 */
final class ReadModes implements KernelMath.ReadModes {
  ReadModes() {}

  /** modes π [B,R,2Wh+1], backward [B,R,Wh,N], content [B,R,N], forward [B,R,Wh,N], out [B,R,N]. */
  @Override
  public void readModeMix(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out, int b0, int b1) {
    int readHeads = backward.dim(1), writeHeads = backward.dim(2), slots = backward.dim(3);
    int modeCount = 2 * writeHeads + 1;
    HostTensor pi = (HostTensor) modes, bw = (HostTensor) backward, c = (HostTensor) content,
        f = (HostTensor) forward, o = (HostTensor) out;
    float[] pid = pi.array(), bwd = bw.array(), cd = c.array(), fd = f.array(), od = o.array();

    for (int br = b0 * readHeads; br < b1 * readHeads; br++) {
      int piBase = pi.offset() + br * modeCount;
      int headsBase = br * writeHeads * slots;
      double contentMode = pid[piBase + writeHeads];
      for (int i = 0; i < slots; i++) {
        double sum = 0;
        for (int h = 0; h < writeHeads; h++) {
          sum += (double) pid[piBase + h] * bwd[bw.offset() + headsBase + h * slots + i];
        }
        sum += contentMode * cd[c.offset() + br * slots + i];
        for (int h = 0; h < writeHeads; h++) {
          sum += (double) pid[piBase + writeHeads + 1 + h] * fd[f.offset() + headsBase + h * slots + i];
        }
        // at most 1 for modes summing to 1 over weightings; their float rounding may not take it above
        od[o.offset() + br * slots + i] = (float) Math.min(1, sum);
      }
    }
  }
}
