package org.dnckernels.scalar;

import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Write weightings: {@code out[b,h] = g^w[b,h] (g^a[b,h] a[b,h] + (1 − g^a[b,h]) c[b,h])}, computed in double
 * and rounded once. Elementwise, so {@code out} may be {@code allocation} or {@code content}: each element is
 * read before it is written.
 */
final class WriteWeighting implements KernelMath.WriteWeighting {
  WriteWeighting() {}

  /** allocation a [B,Wh,N], content c [B,Wh,N], writeGates g^w [B,Wh], allocationGates g^a [B,Wh], out [B,Wh,N]. */
  @Override
  public void writeWeights(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
    int writeHeads = allocation.dim(1), slots = allocation.dim(2);
    HostTensor a = (HostTensor) allocation, c = (HostTensor) content, gw = (HostTensor) writeGates,
        ga = (HostTensor) allocationGates, o = (HostTensor) out;
    float[] ad = a.array(), cd = c.array(), gwd = gw.array(), gad = ga.array(), od = o.array();

    for (int bh = b0 * writeHeads; bh < b1 * writeHeads; bh++) {
      double write = gwd[gw.offset() + bh];
      double alloc = gad[ga.offset() + bh];
      int row = bh * slots;
      for (int i = 0; i < slots; i++) {
        double ai = ad[a.offset() + row + i];
        double ci = cd[c.offset() + row + i];
        od[o.offset() + row + i] = (float) (write * (alloc * ai + (1 - alloc) * ci));
      }
    }
  }
}
