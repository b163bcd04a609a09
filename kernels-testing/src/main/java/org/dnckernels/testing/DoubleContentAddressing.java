package org.dnckernels.testing;

import org.dnckernels.DncKernels;

/**
 * Content addressing in double precision, for finite-difference checks of the backward: the scalar forward's
 * equations (the ε-form norms and denominator, the max-subtracted softmax) with every value in double, so that
 * central differences are accurate far below float32 rounding (see {@link GradientCheck}).
 */
public final class DoubleContentAddressing {
  // the contract's float ε widened, as the backends use it
  private static final double EPSILON = DncKernels.EPSILON;

  private DoubleContentAddressing() {}

  /**
   * Content weights [B,H,N] of memory M [B,N,W], keys k [B,H,W] and strengths β [B,H] (see {@link
   * DncKernels#contentWeights}); the inputs are not modified.
   */
  public static double[] contentWeights(double[] memory, double[] keys, double[] strengths, int b, int n, int w,
      int h) {
    double[] out = new double[b * h * n];
    double[] rowNorm = new double[n];
    for (int bb = 0; bb < b; bb++) {
      int mBase = bb * n * w;
      for (int i = 0; i < n; i++) {
        rowNorm[i] = norm(memory, mBase + i * w, w);
      }
      for (int hh = 0; hh < h; hh++) {
        int bh = bb * h + hh, kBase = bh * w, oBase = bh * n;
        double keyNorm = norm(keys, kBase, w), beta = strengths[bh];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
          double dot = 0;
          for (int j = 0; j < w; j++) {
            dot += keys[kBase + j] * memory[mBase + i * w + j];
          }
          out[oBase + i] = beta * (dot / (keyNorm * rowNorm[i] + EPSILON));
          max = Math.max(max, out[oBase + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
          out[oBase + i] = Math.exp(out[oBase + i] - max);
          sum += out[oBase + i];
        }
        for (int i = 0; i < n; i++) {
          out[oBase + i] /= sum;
        }
      }
    }
    return out;
  }

  private static double norm(double[] x, int base, int length) {
    double s = 0;
    for (int j = 0; j < length; j++) {
      s += x[base + j] * x[base + j];
    }
    return Math.sqrt(s + EPSILON);
  }
}
