package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of {@link SimdAllocation}, its sort permutation held constant. The forward is recomputed with the
 * forward's own sorts ({@link SimdAllocation#sortFirstHead}, {@link SimdAllocation#sortLaterHead}) and its double
 * usage copy, so every head's order, ũ and weights are the forward's (and the scalar reference's), bit for bit.
 * Then, heads in reverse with s_h = g^a_h g^w_h and du^(Wh+1) = 0:
 *
 * <pre>
 *   g_h                  = gradOut[h] + s_h (1 − u^(h)) ∘ du^(h+1)
 *   gradAllocationGates += g^w_h Σ_i du^(h+1)[i] (1 − u^(h)[i]) a_h[i];  gradWriteGates += g^a_h (same sum)
 *   in sorted order j, with P_j = Π_{i&lt;j} ũ_i:  S_{N−1} = 0,  S_{j−1} = g_j (1 − ũ_j) + ũ_j S_j,
 *                                             dũ_j = P_j (S_j − g_j)
 *   du^(h)               = du^(h+1) ∘ (1 − s_h a_h) + (1 − ε) dũ
 *   gradUsage           += du^(1)
 * </pre>
 *
 * Like the forward's product, the two recurrences are serial and in double; the element-wise passes (g_h and the
 * gate sum, the du update, the final rounding and addition) run in double lanes, in the reference's order of
 * operations, so only the gate sums' order differs from it.
 */
final class SimdAllocationBackward implements KernelMath.AllocationBackward {
  private static final VectorSpecies<Double> DOUBLE = FLOAT.withLanes(double.class);
  private static final int HALF = LANES / 2;
  /** The contract's float ε widened to double, as the forward uses it. */
  private static final double EPS = DncKernels.EPSILON;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdAllocationBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut,
      Tensor gradUsage, Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1) {
    // the forward's sorts, then about as much again for the recurrences
    long work = (long) (b1 - b0) * writeGates.dim(1) * usage.dim(1) * (8 + SimdKernels.log2(usage.dim(1)));
    int parts = split.acquire(b0, b1, usage.dim(0), work);
    if (parts == 1) {
      allocationBackwardSlice(usage, writeGates, allocationGates, gradOut, gradUsage, gradWriteGates,
          gradAllocationGates, b0, b1);
      return;
    }
    call.usage = usage;
    call.writeGates = writeGates;
    call.allocationGates = allocationGates;
    call.gradOut = gradOut;
    call.gradUsage = gradUsage;
    call.gradWriteGates = gradWriteGates;
    call.gradAllocationGates = gradAllocationGates;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor usage;
    Tensor writeGates;
    Tensor allocationGates;
    Tensor gradOut;
    Tensor gradUsage;
    Tensor gradWriteGates;
    Tensor gradAllocationGates;

    @Override
    public void run(int b0, int b1) {
      allocationBackwardSlice(usage, writeGates, allocationGates, gradOut, gradUsage, gradWriteGates,
          gradAllocationGates, b0, b1);
    }

    @Override
    public void clear() {
      usage = writeGates = allocationGates = gradOut = gradUsage = gradWriteGates = gradAllocationGates = null;
    }
  }

  /** Batch entries [b0, b1). */
  static void allocationBackwardSlice(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut,
      Tensor gradUsage, Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1) {
    int n = usage.dim(1), wh = writeGates.dim(1);
    float[] us = array(usage), gw = array(writeGates), ga = array(allocationGates), go = array(gradOut);
    float[] gu = array(gradUsage), ggw = array(gradWriteGates), gga = array(gradAllocationGates);
    int usOff = offset(usage), gwOff = offset(writeGates), gaOff = offset(allocationGates), goOff = offset(gradOut);
    int guOff = offset(gradUsage), ggwOff = offset(gradWriteGates), ggaOff = offset(gradAllocationGates);
    HostScratch scratch = HostScratch.get();
    // sort keys [0,n) and the radix sort's buffer [n,2n)
    // sort keys and the sorts' buffer, as in SimdAllocation.allocationSlice
    long[] keys = scratch.longs(0, 3 * n);
    int[] counts = scratch.ints(0, SimdAllocation.COUNTS);
    // every head's order: slot of the j-th least used at h·N + j
    int[] orders = scratch.ints(1, wh * n);
    // every head's u^(h) [0, Wh·N), a_h [Wh·N, 2Wh·N) by slot, ũ [2Wh·N, 3Wh·N) in sorted order
    double[] saved = scratch.doubles(0, 3 * wh * n);
    int weightsAt = wh * n, remappedAt = 2 * wh * n;
    // the forward's work layout (usage, weights, sorted ũ); in the backward du, g_h, S
    double[] work = scratch.doubles(1, 3 * n);
    double[] dRemapped = scratch.doubles(2, n);

    for (int b = b0; b < b1; b++) {
      int gwb = gwOff + b * wh, gab = gaOff + b * wh;
      recompute(us, usOff + b * n, gw, gwb, ga, gab, wh, n, keys, counts, orders, saved, work);

      for (int i = 0; i < n; i++) {
        work[i] = 0;
      }
      for (int h = wh - 1; h >= 0; h--) {
        double gate = (double) ga[gab + h] * gw[gwb + h];
        int used = h * n, weights = weightsAt + h * n, remapped = remappedAt + h * n, order = h * n;
        double gateSum = gradients(go, goOff + (b * wh + h) * n, saved, used, weights, work, n, gate);
        gga[ggaOff + b * wh + h] += (float) (gw[gwb + h] * gateSum);
        ggw[ggwOff + b * wh + h] += (float) (ga[gab + h] * gateSum);

        // suffix recurrence, from the most used slot down: S_{j−1} = g_j (1 − ũ_j) + ũ_j S_j
        double suffix = 0;
        for (int j = n - 1; j >= 0; j--) {
          double key = saved[remapped + j];
          work[2 * n + j] = suffix;
          suffix = work[n + orders[order + j]] * (1 - key) + key * suffix;
        }
        double product = 1;
        for (int j = 0; j < n; j++) {
          int slot = orders[order + j];
          dRemapped[slot] = product * (work[2 * n + j] - work[n + slot]);
          product *= saved[remapped + j];
        }
        updateGradient(work, saved, weights, dRemapped, n, gate);
      }
      addRounded(work, gu, guOff + b * n, n);
    }
  }

  /**
   * One batch entry's forward as {@link SimdAllocation} computes it, keeping every head's usage copy, weights
   * (unrounded), order and sorted ũ.
   */
  private static void recompute(float[] us, int ub, float[] gw, int gwb, float[] ga, int gab, int wh, int n,
      long[] keys, int[] counts, int[] orders, double[] saved, double[] work) {
    int weightsAt = wh * n, remappedAt = 2 * wh * n;
    SimdAllocation.sortFirstHead(us, ub, n, keys, counts);
    double product = 1;
    for (int j = 0; j < n; j++) {
      long key = keys[j];
      int slot = (int) key;
      double remapped = SimdAllocation.remap(SimdAllocation.usageOf(key));
      orders[j] = slot;
      saved[remappedAt + j] = remapped;
      saved[slot] = us[ub + slot];
      double a = (1 - remapped) * product;
      saved[weightsAt + slot] = a;
      work[n + slot] = a;
      product *= remapped;
    }
    if (wh == 1) {
      return;
    }
    for (int i = 0; i < n; i++) {
      work[i] = us[ub + i];
    }
    for (int h = 1; h < wh; h++) {
      // the next head sees the slots the previous one will write as used
      SimdAllocation.updateUsage(work, n, (double) ga[gab + h - 1] * gw[gwb + h - 1]);
      System.arraycopy(work, 0, saved, h * n, n);
      SimdAllocation.sortLaterHead(work, n, keys, counts);
      System.arraycopy(work, 2 * n, saved, remappedAt + h * n, n);
      product = 1;
      int weights = weightsAt + h * n;
      for (int j = 0; j < n; j++) {
        int slot = (int) keys[j];
        double remapped = work[2 * n + j];
        orders[h * n + j] = slot;
        double a = (1 - remapped) * product;
        saved[weights + slot] = a;
        work[n + slot] = a;
        product *= remapped;
      }
    }
  }

  /**
   * g_h = gradOut_h + s_h (1 − u^(h)) du^(h+1) into work[n, 2n), du^(h+1) at work[0, n); returns the gates' sum
   * Σ_i du^(h+1)[i] (1 − u^(h)[i]) a_h[i].
   */
  private static double gradients(float[] go, int gob, double[] saved, int used, int weights, double[] work, int n,
      double gate) {
    DoubleVector sum0 = DoubleVector.zero(DOUBLE), sum1 = sum0;
    int bound = FLOAT.loopBound(n);
    int i = 0;
    // one float vector of gradOut is two double vectors
    for (; i < bound; i += LANES) {
      FloatVector g = FloatVector.fromArray(FLOAT, go, gob + i);
      DoubleVector g0 = (DoubleVector) g.convert(VectorOperators.F2D, 0);
      DoubleVector g1 = (DoubleVector) g.convert(VectorOperators.F2D, 1);
      DoubleVector later0 = DoubleVector.fromArray(DOUBLE, work, i)
          .mul(DoubleVector.fromArray(DOUBLE, saved, used + i).neg().add(1.0));
      DoubleVector later1 = DoubleVector.fromArray(DOUBLE, work, i + HALF)
          .mul(DoubleVector.fromArray(DOUBLE, saved, used + i + HALF).neg().add(1.0));
      g0.add(later0.mul(gate)).intoArray(work, n + i);
      g1.add(later1.mul(gate)).intoArray(work, n + i + HALF);
      sum0 = sum0.add(later0.mul(DoubleVector.fromArray(DOUBLE, saved, weights + i)));
      sum1 = sum1.add(later1.mul(DoubleVector.fromArray(DOUBLE, saved, weights + i + HALF)));
    }
    // lanes in ascending order: reduceLanes' order is unspecified and differs between JIT tiers
    DoubleVector lanes = sum0.add(sum1);
    double sum = 0;
    for (int l = 0; l < HALF; l++) {
      sum += lanes.lane(l);
    }
    // scalar tail
    for (; i < n; i++) {
      double later = work[i] * (1 - saved[used + i]);
      work[n + i] = go[gob + i] + gate * later;
      sum += later * saved[weights + i];
    }
    return sum;
  }

  /** du^(h) = du^(h+1) (1 − s_h a_h) + (1 − ε) dũ, in place at work[0, n). */
  private static void updateGradient(double[] work, double[] saved, int weights, double[] dRemapped, int n,
      double gate) {
    int lanes = DOUBLE.length();
    int bound = DOUBLE.loopBound(n);
    int i = 0;
    for (; i < bound; i += lanes) {
      DoubleVector kept = DoubleVector.fromArray(DOUBLE, saved, weights + i).mul(gate).neg().add(1.0);
      DoubleVector.fromArray(DOUBLE, work, i).mul(kept)
          .add(DoubleVector.fromArray(DOUBLE, dRemapped, i).mul(1 - EPS)).intoArray(work, i);
    }
    // scalar tail
    for (; i < n; i++) {
      work[i] = work[i] * (1 - gate * saved[weights + i]) + (1 - EPS) * dRemapped[i];
    }
  }

  /** gu[gub + i] += (float) du[i]: each rounded once, then added. */
  private static void addRounded(double[] du, float[] gu, int gub, int n) {
    int bound = FLOAT.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      // each half of the doubles fills its half of the floats, the other half zero
      FloatVector lo = (FloatVector) DoubleVector.fromArray(DOUBLE, du, i).convert(VectorOperators.D2F, 0);
      FloatVector hi = (FloatVector) DoubleVector.fromArray(DOUBLE, du, i + HALF).convert(VectorOperators.D2F, -1);
      FloatVector.fromArray(FLOAT, gu, gub + i).add(lo.add(hi)).intoArray(gu, gub + i);
    }
    // scalar tail
    for (; i < n; i++) {
      gu[gub + i] += (float) du[i];
    }
  }
}
