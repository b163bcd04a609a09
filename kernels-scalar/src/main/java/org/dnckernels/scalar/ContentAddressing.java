package org.dnckernels.scalar;

import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Content-based addressing: cosine similarity of each key with each memory row, then a softmax over the slots
 * sharpened by the key strength.
 *
 * <pre>
 *   ‖x‖        = sqrt(Σ x² + ε)
 *   D[b,h,i]   = k[b,h]·M[b,i] / (‖k[b,h]‖ ‖M[b,i]‖ + ε)
 *   out[b,h,i] = exp(β D[b,h,i] − max_j β D[b,h,j]) / Σ_j exp(β D[b,h,j] − max_j β D[b,h,j])
 * </pre>
 *
 * Dot products, norms, similarities, exponents and the softmax sum are all in double; each weight is rounded
 * to float once.
 */
final class ContentAddressing implements KernelMath.ContentAddressing {
  // the contract's float constant widened, i.e. (double) 1e-6f (9.99999997e-7), not the double literal 1e-6
  private static final double EPSILON = DncKernels.EPSILON;

  ContentAddressing() {}

  /** memory M [B,N,W], keys k [B,H,W], strengths β [B,H], out [B,H,N]. */
  @Override
  public void contentWeights(Tensor memory, Tensor keys, Tensor strengths, Tensor out, int b0, int b1) {
    int slots = memory.dim(1), word = memory.dim(2), heads = keys.dim(1);
    HostTensor m = (HostTensor) memory, k = (HostTensor) keys, beta = (HostTensor) strengths, o = (HostTensor) out;
    float[] md = m.array(), kd = k.array(), betad = beta.array(), od = o.array();

    HostScratch scratch = HostScratch.get();
    double[] rowNorm = scratch.doubles(0, slots);
    double[] logits = scratch.doubles(1, slots);

    for (int b = b0; b < b1; b++) {
      int memBase = m.offset() + b * slots * word;
      // ‖M[b,i]‖ once per batch row, shared by all heads
      for (int i = 0; i < slots; i++) {
        rowNorm[i] = norm(md, memBase + i * word, word);
      }
      for (int h = 0; h < heads; h++) {
        int bh = b * heads + h;
        int keyBase = k.offset() + bh * word;
        double keyNorm = norm(kd, keyBase, word);
        double strength = betad[beta.offset() + bh];

        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < slots; i++) {
          int rowBase = memBase + i * word;
          double dot = 0;
          for (int j = 0; j < word; j++) {
            dot += (double) kd[keyBase + j] * md[rowBase + j];
          }
          double similarity = dot / (keyNorm * rowNorm[i] + EPSILON);
          double logit = strength * similarity;
          logits[i] = logit;
          max = Math.max(max, logit);
        }

        // subtracting the max keeps exp finite for any β (β = 1e30 gives a one-hot)
        double sum = 0;
        for (int i = 0; i < slots; i++) {
          double e = Math.exp(logits[i] - max);
          logits[i] = e;
          sum += e;
        }
        int outBase = o.offset() + bh * slots;
        for (int i = 0; i < slots; i++) {
          od[outBase + i] = (float) (logits[i] / sum);
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
