package org.dnckernels.scalar;

import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backwards of NTM location addressing, per head, with g = gradOut (the facade's javadoc gives the equations):
 *
 * <pre>
 *   interpolate: gradContent += γ g, gradPrevious += (1 − γ) g, gradGate += Σ_i g[i] (c[i] − w_prev[i])
 *   shift:       gradWeights[j] += Σ_d g[j + d] s[d + k],  gradShift[d + k] += Σ_i g[i] w[i − d]   (mod N)
 *   sharpen:     gradWeights[i] += γ (g[i] − ḡ) v[i]^(γ−1) / (m S),  gradGamma += Σ_{v>0} y[i] (g[i] − ḡ) ln v[i]
 * </pre>
 *
 * Arithmetic and sums are in double, each gradient rounded once to float and then added to the accumulated one.
 */
final class NtmAddressingBackward implements KernelMath.NtmAddressingBackward {
  NtmAddressingBackward() {}

  @Override
  public void ntmInterpolateBackward(Tensor content, Tensor previous, Tensor gate, Tensor gradOut,
      Tensor gradContent, Tensor gradPrevious, Tensor gradGate, int b0, int b1) {
    int heads = content.dim(1), slots = content.dim(2);
    HostTensor c = (HostTensor) content, p = (HostTensor) previous, g = (HostTensor) gate;
    HostTensor go = (HostTensor) gradOut, gc = (HostTensor) gradContent, gp = (HostTensor) gradPrevious;
    HostTensor gg = (HostTensor) gradGate;
    float[] cd = c.array(), pd = p.array(), gd = g.array(), god = go.array();
    float[] gcd = gc.array(), gpd = gp.array(), ggd = gg.array();

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      double gate1 = gd[g.offset() + bh];
      int row = bh * slots;
      double gateSum = 0;
      for (int i = 0; i < slots; i++) {
        double gi = god[go.offset() + row + i];
        gcd[gc.offset() + row + i] += (float) (gate1 * gi);
        gpd[gp.offset() + row + i] += (float) ((1 - gate1) * gi);
        gateSum += gi * ((double) cd[c.offset() + row + i] - pd[p.offset() + row + i]);
      }
      ggd[gg.offset() + bh] += (float) gateSum;
    }
  }

  @Override
  public void ntmShiftBackward(Tensor weights, Tensor shift, Tensor gradOut, Tensor gradWeights, Tensor gradShift,
      int b0, int b1) {
    int heads = weights.dim(1), slots = weights.dim(2), width = shift.dim(2);
    int reach = width / 2;
    HostTensor w = (HostTensor) weights, s = (HostTensor) shift, go = (HostTensor) gradOut;
    HostTensor gw = (HostTensor) gradWeights, gs = (HostTensor) gradShift;
    float[] wd = w.array(), sd = s.array(), god = go.array(), gwd = gw.array(), gsd = gs.array();

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      int wBase = w.offset() + bh * slots, sBase = s.offset() + bh * width, gBase = go.offset() + bh * slots;
      int gwBase = gw.offset() + bh * slots, gsBase = gs.offset() + bh * width;
      // weights: the forward's taps transposed, out[j + d] took w[j] s[d + k]
      for (int j = 0; j < slots; j++) {
        double sum = 0;
        for (int d = -reach; d <= reach; d++) {
          sum += (double) god[gBase + wrap(j + d, slots)] * sd[sBase + d + reach];
        }
        gwd[gwBase + j] += (float) sum;
      }
      // shift: each tap's correlation of g with w moved by d
      for (int d = -reach; d <= reach; d++) {
        double sum = 0;
        for (int i = 0; i < slots; i++) {
          sum += (double) god[gBase + i] * wd[wBase + wrap(i - d, slots)];
        }
        gsd[gsBase + d + reach] += (float) sum;
      }
    }
  }

  /** i mod N for i in (−N, 2N): |d| ≤ k < N, so one correction is enough. */
  private static int wrap(int i, int slots) {
    return i < 0 ? i + slots : i >= slots ? i - slots : i;
  }

  @Override
  public void ntmSharpenBackward(Tensor weights, Tensor gamma, Tensor gradOut, Tensor gradWeights, Tensor gradGamma,
      int b0, int b1) {
    int heads = weights.dim(1), slots = weights.dim(2);
    HostTensor w = (HostTensor) weights, ga = (HostTensor) gamma, go = (HostTensor) gradOut;
    HostTensor gw = (HostTensor) gradWeights, gg = (HostTensor) gradGamma;
    float[] wd = w.array(), gad = ga.array(), god = go.array(), gwd = gw.array(), ggd = gg.array();
    double[] powered = HostScratch.get().doubles(0, slots);

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      int wBase = w.offset() + bh * slots, gBase = go.offset() + bh * slots, gwBase = gw.offset() + bh * slots;
      // the forward's max: a NaN is skipped here and then propagates
      float max = 0f;
      for (int i = 0; i < slots; i++) {
        float v = wd[wBase + i];
        if (v > max) {
          max = v;
        }
      }
      if (!(max > 0f)) {
        // the output was the constant 1/N: no gradient
        continue;
      }
      double exponent = gad[ga.offset() + bh];
      double sum = 0;
      for (int i = 0; i < slots; i++) {
        double p = Math.pow(wd[wBase + i] / (double) max, exponent);
        powered[i] = p;
        sum += p;
      }
      // ḡ = Σ y g with y = p / S
      double mean = 0;
      for (int i = 0; i < slots; i++) {
        mean += powered[i] * god[gBase + i];
      }
      mean /= sum;
      // S ≥ 1 (the max's term is 1) and m > 0: the only divisors
      double scale = exponent / (max * sum);
      double gammaSum = 0;
      for (int i = 0; i < slots; i++) {
        double v = wd[wBase + i] / (double) max;
        double centred = god[gBase + i] - mean;
        // v^(γ−1), not p / v: no division by a weight (pow(0, 0) = 1 at γ = 1)
        gwd[gwBase + i] += (float) (scale * centred * Math.pow(v, exponent - 1));
        if (v > 0) {
          gammaSum += powered[i] * centred * Math.log(v);
        }
      }
      ggd[gg.offset() + bh] += (float) (gammaSum / sum);
    }
  }
}
