package org.dnckernels.scalar;

import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of {@link Allocation}, its sort permutation held constant. The forward is recomputed exactly as
 * {@link Allocation} runs it (double usage copy u^(h), ũ = ε + (1 − ε) u^(h), the same stable sort, the unrounded
 * double weights a_h), keeping u^(h), a_h and the order φ of every head. Then the heads are walked in reverse with
 * s_h = g^a_h g^w_h and du^(Wh+1) = 0:
 *
 * <pre>
 *   g_h                  = gradOut[h] + s_h (1 − u^(h)) ∘ du^(h+1)
 *   gradAllocationGates += g^w_h Σ_i du^(h+1)[i] (1 − u^(h)[i]) a_h[i];  gradWriteGates += g^a_h (same sum)
 *   in sorted order j, with ũ_j = ũ[φ_j] and P_j = Π_{i&lt;j} ũ_i:
 *     S_{N−1} = 0,  S_{j−1} = g_j (1 − ũ_j) + ũ_j S_j
 *     dũ_j    = P_j (S_j − g_j)
 *   du^(h)               = du^(h+1) ∘ (1 − s_h a_h) + (1 − ε) dũ
 *   gradUsage           += du^(1)
 * </pre>
 *
 * The suffix S_j is the derivative of the weights after j with respect to ũ_j, divided by P_j, built without a
 * division: a ũ_i of 0 zeroes the later P_j and their terms, and its own derivative P_i S_i stays finite. All in
 * double; each gradient is rounded to float once and then added.
 */
final class AllocationBackward implements KernelMath.AllocationBackward {
  // the contract's float constant widened, as the forward uses it
  private static final double EPSILON = DncKernels.EPSILON;

  AllocationBackward() {}

  @Override
  public void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut,
      Tensor gradUsage, Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1) {
    int slots = usage.dim(1), writeHeads = writeGates.dim(1);
    HostTensor u = (HostTensor) usage, gw = (HostTensor) writeGates, ga = (HostTensor) allocationGates,
        g = (HostTensor) gradOut, gu = (HostTensor) gradUsage, ggw = (HostTensor) gradWriteGates,
        gga = (HostTensor) gradAllocationGates;
    float[] ud = u.array(), gwd = gw.array(), gad = ga.array(), gd = g.array(), gud = gu.array();
    float[] ggwd = ggw.array(), ggad = gga.array();

    HostScratch scratch = HostScratch.get();
    // per head h: the usage copy u^(h) at [h·N, (h+1)·N) and the weights a_h at [(Wh + h)·N, ...)
    double[] saved = scratch.doubles(0, 2 * writeHeads * slots);
    // du, then g_h, then S in sorted order
    double[] work = scratch.doubles(1, 3 * slots);
    int grad = slots, sorted = 2 * slots;
    // the forward's sort: its key ũ, its order and its merge buffer
    double[] remapped = scratch.doubles(2, slots);
    int[] order = scratch.ints(1, slots), merged = scratch.ints(2, slots);
    // per head h: the order φ at [h·N, (h+1)·N)
    int[] orders = scratch.ints(0, writeHeads * slots);

    for (int b = b0; b < b1; b++) {
      forward(ud, u.offset() + b * slots, gwd, gw.offset() + b * writeHeads, gad, ga.offset() + b * writeHeads,
          slots, writeHeads, saved, remapped, order, merged, orders);

      for (int i = 0; i < slots; i++) {
        work[i] = 0;
      }
      for (int h = writeHeads - 1; h >= 0; h--) {
        int bh = b * writeHeads + h;
        int used = h * slots, weights = (writeHeads + h) * slots, phi = h * slots;
        double gate = (double) gad[ga.offset() + bh] * gwd[gw.offset() + bh];
        int outBase = g.offset() + bh * slots;

        // the weights feed the output and, through the usage update, every later head
        double gateSum = 0;
        for (int i = 0; i < slots; i++) {
          double fromLater = work[i] * (1 - saved[used + i]);
          work[grad + i] = gd[outBase + i] + gate * fromLater;
          gateSum += fromLater * saved[weights + i];
        }
        ggad[gga.offset() + bh] += (float) (gwd[gw.offset() + bh] * gateSum);
        ggwd[ggw.offset() + bh] += (float) (gad[ga.offset() + bh] * gateSum);

        // suffix recurrence, from the most used slot down: S_{j−1} = g_j (1 − ũ_j) + ũ_j S_j
        double suffix = 0;
        for (int j = slots - 1; j >= 0; j--) {
          int slot = orders[phi + j];
          work[sorted + j] = suffix;
          double key = EPSILON + (1 - EPSILON) * saved[used + slot];
          suffix = work[grad + slot] * (1 - key) + key * suffix;
        }
        // dũ_j = P_j (S_j − g_j), then du^(h) = du^(h+1) (1 − s_h a_h) + (1 − ε) dũ
        double product = 1;
        for (int j = 0; j < slots; j++) {
          int slot = orders[phi + j];
          double dRemapped = product * (work[sorted + j] - work[grad + slot]);
          work[slot] = work[slot] * (1 - gate * saved[weights + slot]) + (1 - EPSILON) * dRemapped;
          product *= EPSILON + (1 - EPSILON) * saved[used + slot];
        }
      }

      int gradBase = gu.offset() + b * slots;
      for (int i = 0; i < slots; i++) {
        gud[gradBase + i] += (float) work[i];
      }
    }
  }

  /**
   * One batch entry's forward, as {@link Allocation} computes it: u^(h), a_h and φ of every head into
   * {@code saved} and {@code orders}; {@code remapped}, {@code order} and {@code merged} are the sort's scratch.
   */
  private static void forward(float[] ud, int usageBase, float[] gwd, int gwBase, float[] gad, int gaBase,
      int slots, int writeHeads, double[] saved, double[] remapped, int[] order, int[] merged, int[] orders) {
    for (int i = 0; i < slots; i++) {
      saved[i] = ud[usageBase + i];
    }
    for (int h = 0; h < writeHeads; h++) {
      int used = h * slots, weights = (writeHeads + h) * slots;
      if (h > 0) {
        // the slots the previous head will write count as used, from its unrounded weights
        double gate = (double) gad[gaBase + h - 1] * gwd[gwBase + h - 1];
        int before = used - slots, written = weights - slots;
        for (int i = 0; i < slots; i++) {
          saved[used + i] = saved[before + i] + (1 - saved[before + i]) * gate * saved[written + i];
        }
      }
      for (int i = 0; i < slots; i++) {
        remapped[i] = EPSILON + (1 - EPSILON) * saved[used + i];
        order[i] = i;
      }
      Allocation.sortByKey(remapped, order, merged, slots);
      System.arraycopy(order, 0, orders, h * slots, slots);
      double product = 1;
      for (int j = 0; j < slots; j++) {
        int slot = order[j];
        saved[weights + slot] = (1 - remapped[slot]) * product;
        product *= remapped[slot];
      }
    }
  }
}
