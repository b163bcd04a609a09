package org.dnckernels.scalar;

import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * NTM location addressing, per head: interpolation with the previous weighting, circular shift and sharpening.
 *
 * <pre>
 *   interpolate: out = g c + (1 − g) w_prev
 *   shift:       out[i] = Σ_{d=−k..k} w[(i − d) mod N] s[d + k]
 *   sharpen:     out[i] = (w[i]/max w)^γ / Σ_j (w[j]/max w)^γ      (all-zero row → 1/N)
 * </pre>
 *
 * Arithmetic and sums are in double (the shift over ascending d, the sharpen sum over ascending j), rounded once.
 */
final class NtmAddressing implements KernelMath.NtmAddressing {
  NtmAddressing() {}

  /** content c [B,H,N], previous w_prev [B,H,N], gate g [B,H], out [B,H,N] (may be content or previous). */
  @Override
  public void ntmInterpolate(Tensor content, Tensor previous, Tensor gate, Tensor out, int b0, int b1) {
    int heads = content.dim(1), slots = content.dim(2);
    HostTensor c = (HostTensor) content, p = (HostTensor) previous, g = (HostTensor) gate, o = (HostTensor) out;
    float[] cd = c.array(), pd = p.array(), gd = g.array(), od = o.array();

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      double g1 = gd[g.offset() + bh];
      int row = bh * slots;
      for (int i = 0; i < slots; i++) {
        // both inputs read before the (possibly aliased) output is written
        double ci = cd[c.offset() + row + i];
        double pi = pd[p.offset() + row + i];
        od[o.offset() + row + i] = (float) (g1 * ci + (1 - g1) * pi);
      }
    }
  }

  /** weights w [B,H,N], shift s [B,H,2k+1] (s[0] is offset −k), out [B,H,N] (separate from w). */
  @Override
  public void ntmShift(Tensor weights, Tensor shift, Tensor out, int b0, int b1) {
    int heads = weights.dim(1), slots = weights.dim(2), width = shift.dim(2);
    int reach = width / 2;
    HostTensor w = (HostTensor) weights, s = (HostTensor) shift, o = (HostTensor) out;
    float[] wd = w.array(), sd = s.array(), od = o.array();

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      int wBase = w.offset() + bh * slots, sBase = s.offset() + bh * width, oBase = o.offset() + bh * slots;
      for (int i = 0; i < slots; i++) {
        double sum = 0;
        for (int d = -reach; d <= reach; d++) {
          // (i − d) mod N, non-negative; |d| ≤ k < N so one correction is enough
          int from = i - d;
          if (from < 0) {
            from += slots;
          } else if (from >= slots) {
            from -= slots;
          }
          sum += (double) wd[wBase + from] * sd[sBase + d + reach];
        }
        od[oBase + i] = (float) sum;
      }
    }
  }

  /** weights w [B,H,N] (expected ≥ 0), gamma γ [B,H] (≥ 1), out [B,H,N] (may be weights). */
  @Override
  public void ntmSharpen(Tensor weights, Tensor gamma, Tensor out, int b0, int b1) {
    int heads = weights.dim(1), slots = weights.dim(2);
    HostTensor w = (HostTensor) weights, g = (HostTensor) gamma, o = (HostTensor) out;
    float[] wd = w.array(), gd = g.array(), od = o.array();
    double[] powered = HostScratch.get().doubles(0, slots);

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      int wBase = w.offset() + bh * slots, oBase = o.offset() + bh * slots;
      // a NaN is skipped here and then propagates through pow and the sum
      float max = 0f;
      for (int i = 0; i < slots; i++) {
        float v = wd[wBase + i];
        if (v > max) {
          max = v;
        }
      }
      if (!(max > 0f)) {
        // nothing to sharpen (all zero): the uniform weighting
        float uniform = (float) (1.0 / slots);
        for (int i = 0; i < slots; i++) {
          od[oBase + i] = uniform;
        }
        continue;
      }
      // dividing by the max first keeps the largest term at 1, so the sum cannot underflow
      double exponent = gd[g.offset() + bh];
      double sum = 0;
      for (int i = 0; i < slots; i++) {
        double p = Math.pow(wd[wBase + i] / (double) max, exponent);
        powered[i] = p;
        sum += p;
      }
      for (int i = 0; i < slots; i++) {
        od[oBase + i] = (float) (powered[i] / sum);
      }
    }
  }
}
