package org.dnckernels.scalar;

import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the write weightings (see {@link org.dnckernels.DncKernels#writeWeightsBackward}), with g the
 * gradient of {@code g^w (g^a a + (1 − g^a) c)}:
 *
 * <pre>
 *   gradAllocation      += g^w g^a g
 *   gradContent         += g^w (1 − g^a) g
 *   gradWriteGates      += Σ_i g[i] (g^a a[i] + (1 − g^a) c[i])
 *   gradAllocationGates += g^w Σ_i g[i] (a[i] − c[i])
 * </pre>
 *
 * In double, each result rounded to float once.
 */
final class WriteWeightingBackward implements KernelMath.WriteWeightingBackward {
  WriteWeightingBackward() {}

  /**
   * allocation a [B,Wh,N], content c [B,Wh,N], writeGates g^w [B,Wh], allocationGates g^a [B,Wh], gradOut g
   * [B,Wh,N]; gradAllocation, gradContent [B,Wh,N] and gradWriteGates, gradAllocationGates [B,Wh] accumulated.
   */
  @Override
  public void writeWeightsBackward(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates,
      Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates, Tensor gradAllocationGates,
      int b0, int b1) {
    int writeHeads = allocation.dim(1), slots = allocation.dim(2);
    HostTensor a = (HostTensor) allocation, c = (HostTensor) content, gw = (HostTensor) writeGates,
        ga = (HostTensor) allocationGates, g = (HostTensor) gradOut, gra = (HostTensor) gradAllocation,
        grc = (HostTensor) gradContent, grgw = (HostTensor) gradWriteGates, grga = (HostTensor) gradAllocationGates;
    float[] ad = a.array(), cd = c.array(), gwd = gw.array(), gad = ga.array(), gd = g.array(), grad = gra.array(),
        grcd = grc.array(), grgwd = grgw.array(), grgad = grga.array();

    for (int bh = b0 * writeHeads; bh < b1 * writeHeads; bh++) {
      double write = gwd[gw.offset() + bh];
      double alloc = gad[ga.offset() + bh];
      double toAllocation = write * alloc, toContent = write * (1 - alloc);
      int row = bh * slots;
      double mixed = 0, difference = 0;
      for (int i = 0; i < slots; i++) {
        double gi = gd[g.offset() + row + i];
        double ai = ad[a.offset() + row + i];
        double ci = cd[c.offset() + row + i];
        grad[gra.offset() + row + i] += (float) (toAllocation * gi);
        grcd[grc.offset() + row + i] += (float) (toContent * gi);
        mixed += gi * (alloc * ai + (1 - alloc) * ci);
        difference += gi * (ai - ci);
      }
      grgwd[grgw.offset() + bh] += (float) mixed;
      grgad[grga.offset() + bh] += (float) (write * difference);
    }
  }
}
