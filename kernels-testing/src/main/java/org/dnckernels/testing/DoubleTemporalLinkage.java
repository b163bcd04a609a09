package org.dnckernels.testing;

/**
 * Temporal linkage in double precision, for finite differences: the scalar forward's equations, clamps included
 * (precedence at [0, 1], the link's keep factor at 0), on row-major batch-first arrays. Every method returns new
 * arrays and leaves its inputs unchanged.
 */
public final class DoubleTemporalLinkage {
  private DoubleTemporalLinkage() {}

  /** p_t [B,Wh,N] from p_{t−1} [B,Wh,N] and w [B,Wh,N]: {@code min(1, max(0, 1 − Σw) p + w)}. */
  public static double[] precedence(double[] precedence, double[] writeWeights, int b, int wh, int n) {
    double[] out = new double[b * wh * n];
    for (int m = 0; m < b * wh; m++) {
      double written = 0;
      for (int i = 0; i < n; i++) {
        written += writeWeights[m * n + i];
      }
      double keep = Math.max(0, 1 - written);
      for (int i = 0; i < n; i++) {
        out[m * n + i] = Math.min(1, keep * precedence[m * n + i] + writeWeights[m * n + i]);
      }
    }
    return out;
  }

  /**
   * L_t [B,Wh,N,N] from L_{t−1} [B,Wh,N,N], p_{t−1} [B,Wh,N] and w [B,Wh,N]:
   * {@code max(0, 1 − w_i − w_j) L_ij + w_i p_j} off the diagonal, 0 on it.
   */
  public static double[] linkUpdate(double[] link, double[] prevPrecedence, double[] writeWeights, int b, int wh,
      int n) {
    double[] out = new double[b * wh * n * n];
    for (int m = 0; m < b * wh; m++) {
      for (int i = 0; i < n; i++) {
        double wi = writeWeights[m * n + i];
        for (int j = 0; j < n; j++) {
          int k = (m * n + i) * n + j;
          out[k] = i == j ? 0 : Math.max(0, 1 - wi - writeWeights[m * n + j]) * link[k] + wi * prevPrecedence[m * n + j];
        }
      }
    }
    return out;
  }

  /**
   * {@code {forward, backward}}, each [B,R,Wh,N], from L [B,Wh,N,N] and the previous read weights [B,R,N]:
   * {@code forward[i] = Σ_j L[i,j] x[j]}, {@code backward[j] = Σ_i L[i,j] x[i]}.
   */
  public static double[][] forwardBackward(double[] link, double[] prevReadWeights, int b, int wh, int n, int r) {
    double[] forward = new double[b * r * wh * n], backward = new double[b * r * wh * n];
    for (int bi = 0; bi < b; bi++) {
      for (int k = 0; k < r; k++) {
        int x = (bi * r + k) * n;
        for (int h = 0; h < wh; h++) {
          int l = (bi * wh + h) * n * n, o = ((bi * r + k) * wh + h) * n;
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
              double lij = link[l + i * n + j];
              forward[o + i] += lij * prevReadWeights[x + j];
              backward[o + j] += lij * prevReadWeights[x + i];
            }
          }
        }
      }
    }
    return new double[][] {forward, backward};
  }
}
