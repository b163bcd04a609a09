package org.dnckernels.scalar;

import java.util.Arrays;
import org.dnckernels.HostScratch;
import org.dnckernels.HostTensor;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backwards of temporal linkage, per write head (DncKernels gives the equations), with G the incoming
 * gradient of the link matrix or precedence:
 *
 * <pre>
 *   precedence:      gradW[i] += G[i] − Σ_j G[j] p[j] ,  G ← (1 − Σ w) G
 *   link update:     gradW[i] += Σ_{j≠i} G[i,j] (p[j] − L[i,j]) − Σ_{j≠i} G[j,i] L[j,i]
 *                    gradP[j] += Σ_{i≠j} G[i,j] w[i] ,   G[i,j] ← (1 − w[i] − w[j]) G[i,j],  G[i,i] ← 0
 *   forward/backward: gradL[h,i,j] += Σ_r (gf[r,h,i] x[r,j] + gb[r,h,j] x[r,i])
 *                    gradX[r,j] += Σ_h Σ_i (L[h,i,j] gf[r,h,i] + L[h,j,i] gb[r,h,i])
 * </pre>
 *
 * All three link backwards are one pass over each matrix ({@link #linkPass}): row i, column j gives the terms of
 * element (i,j) to the row and column sums at once, kept in double and rounded once. The fused backward rebuilds
 * L_t from L_{t−1} with the forward's own arithmetic and rounds the forward/backward part of the gradient to
 * float before the link update's part, as the two kernels called in turn would: so it equals
 * forwardBackwardBackward on L_t followed by linkUpdateBackward bit for bit. The forward's clamps of
 * {@code 1 − Σw} and {@code 1 − w_i − w_j} at 0 are inactive for weightings (they only catch rounding), so the
 * backward uses the factors as they are, as the contract writes them.
 */
final class TemporalLinkageBackward implements KernelMath.TemporalLinkageBackward {
  TemporalLinkageBackward() {}

  @Override
  public void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
      Tensor gradWriteWeights, int b0, int b1) {
    int heads = prevPrecedence.dim(1), slots = prevPrecedence.dim(2);
    HostTensor p = (HostTensor) prevPrecedence, w = (HostTensor) writeWeights, g = (HostTensor) gradPrecedence,
        gw = (HostTensor) gradWriteWeights;
    float[] pd = p.array(), wd = w.array(), gd = g.array(), gwd = gw.array();

    for (int bh = b0 * heads; bh < b1 * heads; bh++) {
      int pBase = p.offset() + bh * slots, wBase = w.offset() + bh * slots;
      int gBase = g.offset() + bh * slots, gwBase = gw.offset() + bh * slots;
      double written = 0, projected = 0;
      for (int i = 0; i < slots; i++) {
        written += wd[wBase + i];
        projected += (double) gd[gBase + i] * pd[pBase + i];
      }
      double keep = 1 - written;
      for (int i = 0; i < slots; i++) {
        double gi = gd[gBase + i];
        gwd[gwBase + i] += (float) (gi - projected);
        gd[gBase + i] = (float) (keep * gi);
      }
    }
  }

  @Override
  public void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights, Tensor gradLink,
      Tensor gradPrevPrecedence, Tensor gradWriteWeights, int b0, int b1) {
    linkPass(prevLink, prevPrecedence, writeWeights, null, null, null, gradLink, gradPrevPrecedence,
        gradWriteWeights, null, b0, b1);
  }

  @Override
  public void forwardBackwardBackward(Tensor link, Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward,
      Tensor gradLink, Tensor gradPrevReadWeights, int b0, int b1) {
    linkPass(link, null, null, prevReadWeights, gradForward, gradBackward, gradLink, null, null, gradPrevReadWeights,
        b0, b1);
  }

  @Override
  public void linkUpdateAndWeightingsBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
      Tensor gradWriteWeights, Tensor gradPrevReadWeights, int b0, int b1) {
    linkPass(prevLink, prevPrecedence, writeWeights, prevReadWeights, gradForward, gradBackward, gradLink,
        gradPrevPrecedence, gradWriteWeights, gradPrevReadWeights, b0, b1);
  }

  /**
   * One pass over each link matrix of batch entries [b0, b1): the link update's backward when
   * {@code prevPrecedence} is not null (then {@code link} is L_{t−1} and L_t is rebuilt element by element), the
   * forward/backward weightings' backward when {@code prevReadWeights} is not null (on L_t), both when both.
   */
  private static void linkPass(Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights,
      Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence, Tensor gradWriteWeights,
      Tensor gradPrevReadWeights, int b0, int b1) {
    boolean update = prevPrecedence != null, reads = prevReadWeights != null;
    int wh = link.dim(1), n = link.dim(2), r = reads ? prevReadWeights.dim(1) : 0;
    HostTensor l = (HostTensor) link, g = (HostTensor) gradLink;
    float[] ld = l.array(), gd = g.array();
    float[] pd = update ? ((HostTensor) prevPrecedence).array() : null;
    float[] wd = update ? ((HostTensor) writeWeights).array() : null;
    float[] gpd = update ? ((HostTensor) gradPrevPrecedence).array() : null;
    float[] gwd = update ? ((HostTensor) gradWriteWeights).array() : null;
    int pOff = update ? ((HostTensor) prevPrecedence).offset() : 0;
    int wOff = update ? ((HostTensor) writeWeights).offset() : 0;
    int gpOff = update ? ((HostTensor) gradPrevPrecedence).offset() : 0;
    int gwOff = update ? ((HostTensor) gradWriteWeights).offset() : 0;
    float[] xd = reads ? ((HostTensor) prevReadWeights).array() : null;
    float[] gfd = reads ? ((HostTensor) gradForward).array() : null;
    float[] gbd = reads ? ((HostTensor) gradBackward).array() : null;
    float[] gxd = reads ? ((HostTensor) gradPrevReadWeights).array() : null;
    int xOff = reads ? ((HostTensor) prevReadWeights).offset() : 0;
    int gfOff = reads ? ((HostTensor) gradForward).offset() : 0;
    int gbOff = reads ? ((HostTensor) gradBackward).offset() : 0;
    int gxOff = reads ? ((HostTensor) gradPrevReadWeights).offset() : 0;
    HostScratch scratch = HostScratch.get();
    // gradX of one batch entry (summed over its write heads), gradW and gradP of one matrix
    double[] accX = scratch.doubles(0, r * n), accW = scratch.doubles(1, n), accP = scratch.doubles(2, n);

    for (int b = b0; b < b1; b++) {
      Arrays.fill(accX, 0, r * n, 0.0);
      for (int h = 0; h < wh; h++) {
        int m = b * wh + h;
        int lBase = l.offset() + m * n * n, gBase = g.offset() + m * n * n;
        int pBase = pOff + m * n, wBase = wOff + m * n;
        if (update) {
          Arrays.fill(accW, 0, n, 0.0);
          Arrays.fill(accP, 0, n, 0.0);
        }
        for (int i = 0; i < n; i++) {
          double wi = update ? wd[wBase + i] : 0;
          for (int j = 0; j < n; j++) {
            float l0 = ld[lBase + i * n + j];
            float lt = l0;
            if (update) {
              double wj = wd[wBase + j];
              // L_t as the forward computes it
              lt = i == j ? 0f : (float) (Math.max(0, 1 - wi - wj) * l0 + wi * pd[pBase + j]);
            }
            float gij = gd[gBase + i * n + j];
            if (reads) {
              double outer = 0;
              for (int k = 0; k < r; k++) {
                int xk = xOff + (b * r + k) * n, fb = ((b * r + k) * wh + h) * n;
                float gfi = gfd[gfOff + fb + i], gbj = gbd[gbOff + fb + j];
                outer += (double) gfi * xd[xk + j] + (double) gbj * xd[xk + i];
                accX[k * n + j] += (double) lt * gfi;
                accX[k * n + i] += (double) lt * gbj;
              }
              // what forwardBackwardBackward would have left in gradLink
              gij += (float) outer;
            }
            if (update) {
              if (i == j) {
                // L_t[i,i] is the constant 0: no gradient flows through it
                gd[gBase + i * n + j] = 0f;
                continue;
              }
              double wj = wd[wBase + j];
              accW[i] += gij * (pd[pBase + j] - (double) l0);
              accW[j] -= (double) gij * l0;
              accP[j] += gij * wi;
              gd[gBase + i * n + j] = (float) ((1 - wi - wj) * gij);
            } else {
              gd[gBase + i * n + j] = gij;
            }
          }
        }
        if (update) {
          for (int i = 0; i < n; i++) {
            gwd[gwOff + m * n + i] += (float) accW[i];
            gpd[gpOff + m * n + i] += (float) accP[i];
          }
        }
      }
      for (int k = 0; k < r * n; k++) {
        gxd[gxOff + b * r * n + k] += (float) accX[k];
      }
    }
  }
}
