package org.dnckernels.testing;

import org.dnckernels.DncKernels;

/**
 * The usage and allocation forwards in double precision, for finite differences and the double memory step:
 * the equations of {@link DncKernels#usage} and {@link DncKernels#allocation} as the scalar reference computes
 * them (ε = (double) {@link DncKernels#EPSILON}, the usage copy between heads updated from the unrounded
 * allocation, ties to the lower index), on row-major batch-first arrays. Inputs are never modified; every result is
 * a new array.
 */
public final class DoubleAllocation {
  private static final double EPSILON = DncKernels.EPSILON;

  private DoubleAllocation() {}

  /**
   * {@code (u + (1 − u) ŵ) ψ} with {@code ŵ = 1 − Π_h (1 − w^w_h)} and {@code ψ = Π_r (1 − f_r w^r_r)}.
   *
   * @param prevUsage        u [B,N]
   * @param prevWriteWeights w^w [B,Wh,N]
   * @param freeGates        f [B,R]
   * @param prevReadWeights  w^r [B,R,N]
   * @return the usage [B,N]
   */
  public static double[] usage(double[] prevUsage, double[] prevWriteWeights, double[] freeGates,
      double[] prevReadWeights, int b, int n, int wh, int r) {
    double[] out = new double[b * n];
    for (int bi = 0; bi < b; bi++) {
      for (int i = 0; i < n; i++) {
        double notWritten = 1;
        for (int h = 0; h < wh; h++) {
          notWritten *= 1 - prevWriteWeights[(bi * wh + h) * n + i];
        }
        double retention = 1;
        for (int k = 0; k < r; k++) {
          retention *= 1 - freeGates[bi * r + k] * prevReadWeights[(bi * r + k) * n + i];
        }
        double u = prevUsage[bi * n + i];
        out[bi * n + i] = (u + (1 - u) * (1 - notWritten)) * retention;
      }
    }
    return out;
  }

  /**
   * Each write head in turn: ũ = ε + (1 − ε) u, φ = argsort ũ (stable: ties to the lower index),
   * {@code a[φ_j] = (1 − ũ[φ_j]) Π_{i<j} ũ[φ_i]}, then {@code u ← u + (1 − u) g^a g^w a}.
   *
   * @param usage           u [B,N]
   * @param writeGates      g^w [B,Wh]
   * @param allocationGates g^a [B,Wh]
   * @return the allocation weightings [B,Wh,N]
   */
  public static double[] allocation(double[] usage, double[] writeGates, double[] allocationGates, int b, int n,
      int wh) {
    return forward(usage, writeGates, allocationGates, b, n, wh, null, false, null);
  }

  /**
   * The allocation with the order of every head given ({@code orders} [B,Wh,N]: the slots in free-list order),
   * not sorted: the function whose gradient the backward is, the permutation held constant.
   */
  static double[] allocationInOrder(double[] usage, double[] writeGates, double[] allocationGates, int b, int n,
      int wh, int[] orders) {
    return forward(usage, writeGates, allocationGates, b, n, wh, orders, true, null);
  }

  /** The free-list order φ of every head [B,Wh,N] (slots, least used first), as the forward sorts them. */
  static int[] orders(double[] usage, double[] writeGates, double[] allocationGates, int b, int n, int wh) {
    int[] orders = new int[b * wh * n];
    forward(usage, writeGates, allocationGates, b, n, wh, orders, false, null);
    return orders;
  }

  /** The usage copy u^(h) each head sorts [B,Wh,N]: the input for head 0, then updated by the heads before. */
  static double[] headUsages(double[] usage, double[] writeGates, double[] allocationGates, int b, int n, int wh) {
    double[] usages = new double[b * wh * n];
    forward(usage, writeGates, allocationGates, b, n, wh, null, false, usages);
    return usages;
  }

  /** The allocation; sorts each head into {@code orders} (if not null) unless {@code fixed}, then uses them. */
  private static double[] forward(double[] usage, double[] writeGates, double[] allocationGates, int b, int n,
      int wh, int[] orders, boolean fixed, double[] usages) {
    double[] out = new double[b * wh * n];
    double[] used = new double[n], remapped = new double[n];
    Integer[] order = new Integer[n];
    for (int bi = 0; bi < b; bi++) {
      System.arraycopy(usage, bi * n, used, 0, n);
      for (int h = 0; h < wh; h++) {
        int bh = bi * wh + h;
        if (usages != null) {
          System.arraycopy(used, 0, usages, bh * n, n);
        }
        for (int i = 0; i < n; i++) {
          remapped[i] = EPSILON + (1 - EPSILON) * used[i];
          order[i] = fixed ? orders[bh * n + i] : i;
        }
        if (!fixed) {
          // a stable sort: equal keys keep ascending index order
          java.util.Arrays.sort(order, (x, y) -> Double.compare(remapped[x], remapped[y]));
          if (orders != null) {
            for (int j = 0; j < n; j++) {
              orders[bh * n + j] = order[j];
            }
          }
        }
        double product = 1;
        for (int j = 0; j < n; j++) {
          int slot = order[j];
          out[bh * n + slot] = (1 - remapped[slot]) * product;
          product *= remapped[slot];
        }
        double gate = allocationGates[bh] * writeGates[bh];
        for (int i = 0; i < n; i++) {
          used[i] += (1 - used[i]) * gate * out[bh * n + i];
        }
      }
    }
    return out;
  }
}
