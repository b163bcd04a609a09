package org.dnckernels.scalar;

import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the read-mode mix (see {@link org.dnckernels.DncKernels#readModeMixBackward}), modes ordered
 * [backward_1..Wh, content, forward_1..Wh]: each mode's gradient is {@code Σ_i g[i] x[i]} of its weighting x (in
 * double, rounded once), each weighting's gradient is {@code π g} (one product, rounded once). The forward's
 * clamp at 1 only absorbs float rounding of sums that are at most 1, so it has no gradient of its own.
 */
final class ReadModesBackward implements KernelMath.ReadModesBackward {
  ReadModesBackward() {}

  /**
   * modes π [B,R,2Wh+1], backward [B,R,Wh,N], content [B,R,N], forward [B,R,Wh,N], gradOut g [B,R,N]; gradModes,
   * gradBackward, gradContent and gradForward accumulated.
   */
  @Override
  public void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor gradOut,
      Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0, int b1) {
    int readHeads = backward.dim(1), writeHeads = backward.dim(2), slots = backward.dim(3);
    int modeCount = 2 * writeHeads + 1;
    HostTensor pi = (HostTensor) modes, bw = (HostTensor) backward, c = (HostTensor) content,
        f = (HostTensor) forward, g = (HostTensor) gradOut, gpi = (HostTensor) gradModes,
        gbw = (HostTensor) gradBackward, gc = (HostTensor) gradContent, gf = (HostTensor) gradForward;
    float[] pid = pi.array(), bwd = bw.array(), cd = c.array(), fd = f.array(), gd = g.array(), gpid = gpi.array(),
        gbwd = gbw.array(), gcd = gc.array(), gfd = gf.array();

    for (int br = b0 * readHeads; br < b1 * readHeads; br++) {
      int piBase = br * modeCount;
      int gBase = g.offset() + br * slots;
      int headsBase = br * writeHeads * slots;
      for (int h = 0; h < writeHeads; h++) {
        int row = headsBase + h * slots;
        gpid[gpi.offset() + piBase + h] += (float) mix(pid[pi.offset() + piBase + h], gd, gBase, bwd,
            bw.offset() + row, gbwd, gbw.offset() + row, slots);
        gpid[gpi.offset() + piBase + writeHeads + 1 + h] += (float) mix(pid[pi.offset() + piBase + writeHeads + 1 + h],
            gd, gBase, fd, f.offset() + row, gfd, gf.offset() + row, slots);
      }
      gpid[gpi.offset() + piBase + writeHeads] += (float) mix(pid[pi.offset() + piBase + writeHeads], gd, gBase, cd,
          c.offset() + br * slots, gcd, gc.offset() + br * slots, slots);
    }
  }

  /** One mode: gradX[i] += (float)(mode·g[i]); returns Σ_i g[i] x[i] in double. */
  private static double mix(double mode, float[] g, int gOff, float[] x, int xOff, float[] gradX, int gradOff,
      int slots) {
    double dot = 0;
    for (int i = 0; i < slots; i++) {
      double gi = g[gOff + i];
      dot += gi * x[xOff + i];
      gradX[gradOff + i] += (float) (mode * gi);
    }
    return dot;
  }
}
