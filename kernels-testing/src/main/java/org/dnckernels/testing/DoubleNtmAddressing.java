package org.dnckernels.testing;

/**
 * The NTM addressing forwards in double precision, for finite differences and a double-precision memory step:
 * the scalar forward's equations (max-scaled sharpening, all-zero row → 1/N) on {@code double[]} tensors,
 * row-major and batch first like the float ones. Every method returns a new array and leaves its inputs alone.
 */
public final class DoubleNtmAddressing {
  private DoubleNtmAddressing() {}

  /**
   * {@code out = g c + (1 − g) w_prev}, per head.
   *
   * @param content  c [B,H,N]
   * @param previous w_prev [B,H,N]
   * @param gate     g [B,H]
   * @return [B,H,N]
   */
  public static double[] ntmInterpolate(double[] content, double[] previous, double[] gate, int b, int h, int n) {
    double[] out = new double[b * h * n];
    for (int bh = 0; bh < b * h; bh++) {
      double g = gate[bh];
      for (int i = 0; i < n; i++) {
        int k = bh * n + i;
        out[k] = g * content[k] + (1 - g) * previous[k];
      }
    }
    return out;
  }

  /**
   * {@code out[i] = Σ_{d=−k..k} w[(i − d) mod N] s[d + k]}, per head, summed over ascending d.
   *
   * @param weights w [B,H,N]
   * @param shift   s [B,H,width], width = 2k + 1 ≤ N
   * @return [B,H,N]
   */
  public static double[] ntmShift(double[] weights, double[] shift, int b, int h, int n, int width) {
    int k = width / 2;
    double[] out = new double[b * h * n];
    for (int bh = 0; bh < b * h; bh++) {
      for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int d = -k; d <= k; d++) {
          sum += weights[bh * n + Math.floorMod(i - d, n)] * shift[bh * width + d + k];
        }
        out[bh * n + i] = sum;
      }
    }
    return out;
  }

  /**
   * {@code out[i] = (w[i]/max w)^γ / Σ_j (w[j]/max w)^γ}, per head; a row whose max is not positive gives 1/N.
   *
   * @param weights w [B,H,N], ≥ 0
   * @param gamma   γ [B,H]
   * @return [B,H,N]
   */
  public static double[] ntmSharpen(double[] weights, double[] gamma, int b, int h, int n) {
    double[] out = new double[b * h * n];
    for (int bh = 0; bh < b * h; bh++) {
      int base = bh * n;
      double max = 0;
      for (int i = 0; i < n; i++) {
        if (weights[base + i] > max) {
          max = weights[base + i];
        }
      }
      if (!(max > 0)) {
        for (int i = 0; i < n; i++) {
          out[base + i] = 1.0 / n;
        }
        continue;
      }
      double sum = 0;
      for (int i = 0; i < n; i++) {
        double p = Math.pow(weights[base + i] / max, gamma[bh]);
        out[base + i] = p;
        sum += p;
      }
      for (int i = 0; i < n; i++) {
        out[base + i] /= sum;
      }
    }
    return out;
  }
}
