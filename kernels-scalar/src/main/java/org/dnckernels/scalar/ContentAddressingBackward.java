package org.dnckernels.scalar;

import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of content addressing ({@link DncKernels#contentWeightsBackward}). With z = βD, w the forward's
 * weights and g = ∂ℓ/∂w:
 *
 * <pre>
 *   dz[i]          = w[i] (g[i] − Σ_j w[j] g[j])
 *   gradStrengths += Σ_i dz[i] D[i]
 *   a[h,i]         = β dz[h,i] / den[h,i],   c[h,i] = a[h,i] D[h,i]      (den = ‖k_h‖ ‖M_i‖ + ε)
 *   gradKeys_h    += Σ_i a[h,i] M_i − (k_h / ‖k_h‖) Σ_i c[h,i] ‖M_i‖
 *   gradMemory_i  += Σ_h a[h,i] k_h − (M_i / ‖M_i‖) Σ_h c[h,i] ‖k_h‖
 * </pre>
 *
 * (the javadoc's equations with the common factors taken out of the sums). Three passes per batch entry: the
 * cosines D of every head and row, recomputed as the forward computes them (one pass over the rows for all
 * heads); the coefficients a and c per head; then one pass over the rows that adds to each row of gradMemory and
 * collects every head's Σ_i a M_i, so M and gradMemory are streamed once whatever H is. Everything in double;
 * each gradient is rounded to float once and then added.
 */
final class ContentAddressingBackward implements KernelMath.ContentAddressingBackward {
  // the contract's float constant widened, as in the forward
  private static final double EPSILON = DncKernels.EPSILON;

  ContentAddressingBackward() {}

  @Override
  public void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights,
      Tensor gradWeights, Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1) {
    int n = memory.dim(1), w = memory.dim(2), h = keys.dim(1);
    HostTensor m = (HostTensor) memory, k = (HostTensor) keys, beta = (HostTensor) strengths;
    HostTensor wt = (HostTensor) weights, g = (HostTensor) gradWeights;
    HostTensor gm = (HostTensor) gradMemory, gk = (HostTensor) gradKeys, gb = (HostTensor) gradStrengths;
    float[] md = m.array(), kd = k.array(), betad = beta.array(), wd = wt.array(), gd = g.array();
    float[] gmd = gm.array(), gkd = gk.array(), gbd = gb.array();

    HostScratch scratch = HostScratch.get();
    // [0, n): ‖M_i‖; [n, n + h): ‖k_h‖
    double[] norms = scratch.doubles(0, n + h);
    // [0, hn): D, then c; [hn, 2hn): a
    double[] coef = scratch.doubles(1, 2 * h * n);
    // Σ_i a[h,i] M_i per head
    double[] keySums = scratch.doubles(2, h * w);
    int hn = h * n;

    for (int b = b0; b < b1; b++) {
      int mBase = m.offset() + b * n * w, kBase = k.offset() + b * h * w;
      for (int hh = 0; hh < h; hh++) {
        norms[n + hh] = norm(kd, kBase + hh * w, w);
      }
      // cosines, one pass over the rows for all heads
      for (int i = 0; i < n; i++) {
        int row = mBase + i * w;
        double rowNorm = norm(md, row, w);
        norms[i] = rowNorm;
        for (int hh = 0; hh < h; hh++) {
          int key = kBase + hh * w;
          double dot = 0;
          for (int j = 0; j < w; j++) {
            dot += (double) kd[key + j] * md[row + j];
          }
          coef[hh * n + i] = dot / (norms[n + hh] * rowNorm + EPSILON);
        }
      }
      // the softmax's backward, then the coefficients of the cosine's
      for (int hh = 0; hh < h; hh++) {
        int bh = b * h + hh;
        int wBase = wt.offset() + bh * n, gBase = g.offset() + bh * n;
        double weighted = 0;
        for (int i = 0; i < n; i++) {
          weighted += (double) wd[wBase + i] * gd[gBase + i];
        }
        double strength = betad[beta.offset() + bh], keyNorm = norms[n + hh];
        double gradStrength = 0;
        for (int i = 0; i < n; i++) {
          double similarity = coef[hh * n + i];
          double dz = wd[wBase + i] * (gd[gBase + i] - weighted);
          gradStrength += dz * similarity;
          double a = strength * dz / (keyNorm * norms[i] + EPSILON);
          coef[hn + hh * n + i] = a;
          coef[hh * n + i] = a * similarity;
        }
        gbd[gb.offset() + bh] += (float) gradStrength;
      }
      // one pass over the rows: gradMemory_i, and Σ_i a M_i for every key
      java.util.Arrays.fill(keySums, 0, h * w, 0);
      for (int i = 0; i < n; i++) {
        int row = mBase + i * w, gRow = gm.offset() + (b * n + i) * w;
        double radial = 0;
        for (int hh = 0; hh < h; hh++) {
          radial += coef[hh * n + i] * norms[n + hh];
        }
        radial /= norms[i];
        for (int j = 0; j < w; j++) {
          double x = md[row + j];
          double sum = -radial * x;
          for (int hh = 0; hh < h; hh++) {
            double a = coef[hn + hh * n + i];
            sum += a * kd[kBase + hh * w + j];
            keySums[hh * w + j] += a * x;
          }
          gmd[gRow + j] += (float) sum;
        }
      }
      for (int hh = 0; hh < h; hh++) {
        double radial = 0;
        for (int i = 0; i < n; i++) {
          radial += coef[hh * n + i] * norms[i];
        }
        radial /= norms[n + hh];
        int key = kBase + hh * w, gKey = gk.offset() + (b * h + hh) * w;
        for (int j = 0; j < w; j++) {
          gkd[gKey + j] += (float) (keySums[hh * w + j] - radial * kd[key + j]);
        }
      }
    }
  }

  /** sqrt(Σ x² + ε) over {@code length} floats from {@code base}, in double. */
  private static double norm(float[] x, int base, int length) {
    double sumOfSquares = 0;
    for (int j = 0; j < length; j++) {
      double v = x[base + j];
      sumOfSquares += v * v;
    }
    return Math.sqrt(sumOfSquares + EPSILON);
  }
}
