package org.dnckernels.scalar;

import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Allocation weightings for each write head in turn (DeepMind {@code dnc} semantics):
 *
 * <pre>
 *   u ← usage[b]                                  (a private double copy: usage is not modified)
 *   for h = 1..Wh:
 *     ũ = ε + (1 − ε) u
 *     φ = indices sorted by ascending ũ, ties broken by lower index first
 *     out[b,h,φ_j] = (1 − ũ[φ_j]) Π_{i&lt;j} ũ[φ_i]
 *     u ← u + (1 − u) ∘ (g^a[b,h] g^w[b,h]) out[b,h]
 * </pre>
 *
 * ũ, the running product and the usage copy are in double; the usage update uses the unrounded double
 * allocation. Each weight is rounded to float once. The sort is a stable merge sort on indices (insertion sort
 * for short runs), so equal ũ keep ascending index order.
 */
final class Allocation implements KernelMath.Allocation {
  // the contract's float constant widened, i.e. (double) 1e-6f (9.99999997e-7), not the double literal 1e-6
  private static final double EPSILON = DncKernels.EPSILON;
  // runs up to this length are insertion-sorted before merging
  private static final int RUN = 32;

  Allocation() {}

  /** usage u [B,N] (not modified), writeGates g^w [B,Wh], allocationGates g^a [B,Wh], out a [B,Wh,N]. */
  @Override
  public void allocation(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
    int slots = usage.dim(1), writeHeads = writeGates.dim(1);
    HostTensor u = (HostTensor) usage, gw = (HostTensor) writeGates, ga = (HostTensor) allocationGates,
        o = (HostTensor) out;
    float[] ud = u.array(), gwd = gw.array(), gad = ga.array(), od = o.array();

    HostScratch scratch = HostScratch.get();
    double[] used = scratch.doubles(0, slots);
    double[] remapped = scratch.doubles(1, slots);
    double[] allocation = scratch.doubles(2, slots);
    int[] order = scratch.ints(0, slots);
    int[] merged = scratch.ints(1, slots);

    for (int b = b0; b < b1; b++) {
      int usageBase = u.offset() + b * slots;
      for (int i = 0; i < slots; i++) {
        used[i] = ud[usageBase + i];
      }
      for (int h = 0; h < writeHeads; h++) {
        int bh = b * writeHeads + h;
        for (int i = 0; i < slots; i++) {
          remapped[i] = EPSILON + (1 - EPSILON) * used[i];
          order[i] = i;
        }
        sortByKey(remapped, order, merged, slots);

        // free list: the least used slot first, each later slot scaled by the usage of all before it
        double product = 1;
        for (int j = 0; j < slots; j++) {
          int slot = order[j];
          allocation[slot] = (1 - remapped[slot]) * product;
          product *= remapped[slot];
        }
        int outBase = o.offset() + bh * slots;
        for (int i = 0; i < slots; i++) {
          od[outBase + i] = (float) allocation[i];
        }

        // the next head sees the slots this one will write as used
        if (h + 1 < writeHeads) {
          double gate = (double) gad[ga.offset() + bh] * gwd[gw.offset() + bh];
          for (int i = 0; i < slots; i++) {
            used[i] += (1 - used[i]) * gate * allocation[i];
          }
        }
      }
    }
  }

  /**
   * Sorts {@code order[0..n)} (initially 0..n−1) by ascending {@code key[order[j]]}, stably: equal keys keep
   * ascending index order. {@code tmp} is scratch of length ≥ n. No boxing, no allocation.
   */
  static void sortByKey(double[] key, int[] order, int[] tmp, int n) {
    for (int lo = 0; lo < n; lo += RUN) {
      insertionSort(key, order, lo, Math.min(lo + RUN, n));
    }
    int[] src = order, dst = tmp;
    for (int width = RUN; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
        merge(key, src, dst, lo, mid, hi);
      }
      int[] swap = src;
      src = dst;
      dst = swap;
    }
    if (src != order) {
      System.arraycopy(src, 0, order, 0, n);
    }
  }

  private static void insertionSort(double[] key, int[] order, int lo, int hi) {
    for (int i = lo + 1; i < hi; i++) {
      int moving = order[i];
      double k = key[moving];
      int j = i - 1;
      // strictly greater: an equal key stays behind, which keeps the sort stable
      while (j >= lo && key[order[j]] > k) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = moving;
    }
  }

  private static void merge(double[] key, int[] src, int[] dst, int lo, int mid, int hi) {
    int left = lo, right = mid;
    for (int k = lo; k < hi; k++) {
      // take from the right only when strictly smaller: ties go to the left run (the lower indices)
      if (left < mid && (right >= hi || !(key[src[right]] < key[src[left]]))) {
        dst[k] = src[left++];
      } else {
        dst[k] = src[right++];
      }
    }
  }
}
