package org.dnckernels.examples;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.dnckernels.testing.GradientCheck;
import org.junit.jupiter.api.Test;

/**
 * The controller alone: {@link Lstm}'s backward against central differences of the same LSTM in double, for the
 * loss ℓ = Σ_t Σ g_t·h_t over four steps (random g), w.r.t. every weight and every input.
 *
 * <p>The bar is {@code 1e-5·(|numeric| + 1e-3·max|numeric|)}, kernels-testing's {@code GradientCheck} bar for
 * one kernel: the float forward and backward round each sum of at most in + H = 11 products once per step
 * (≈ 11u ≈ 7e-7 of its terms' magnitudes), and the differences, taken in double with h = 1e-6·max(1, |θ|), err
 * by about 1e-10. A gradient whose float trajectory differs from the double one by such roundings moves by as
 * little times the LSTM's conditioning (gates in (0, 1), tanh′ ≤ 1: below one per step).
 */
class LstmGradientTest {
  @Test
  void lstmMatchesFiniteDifferences() {
    int in = 3, hidden = 4, batch = 2, steps = 4;
    int count = Lstm.parameterCount(in, hidden);
    float[] params = new float[count], grads = new float[count];
    SplittableRandom r = new SplittableRandom(21);
    Lstm lstm = new Lstm(in, hidden, batch, steps, 0);
    lstm.init(params, r);
    float[][] x = new float[steps][batch * in], g = new float[steps][batch * hidden];
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < x[t].length; i++) {
        x[t][i] = (float) (2 * r.nextDouble() - 1);
      }
      for (int i = 0; i < g[t].length; i++) {
        g[t][i] = (float) (2 * r.nextDouble() - 1);
      }
    }
    for (int t = 0; t < steps; t++) {
      lstm.forward(params, t, x[t]);
    }
    lstm.startBackward();
    float[][] dx = new float[steps][batch * in];
    for (int t = steps - 1; t >= 0; t--) {
      lstm.backward(params, grads, t, g[t], dx[t]);
    }

    double[] theta = GradientCheck.widen(params);
    double[][] xd = new double[steps][];
    for (int t = 0; t < steps; t++) {
      xd[t] = GradientCheck.widen(x[t]);
    }
    double base = loss(theta, xd, g, in, hidden, batch);
    double[] numeric = new double[count];
    for (int i = 0; i < count; i++) {
      double saved = theta[i], h = GradientCheck.STEP * Math.max(1, Math.abs(saved));
      theta[i] = saved + h;
      double up = loss(theta, xd, g, in, hidden, batch) - base;
      theta[i] = saved - h;
      double down = loss(theta, xd, g, in, hidden, batch) - base;
      theta[i] = saved;
      numeric[i] = (up - down) / (2 * h);
    }
    assertNull(GradientCheck.compare(grads, numeric, GradientCheck.RTOL, GradientCheck.FLOOR), "weights");
    for (int t = 0; t < steps; t++) {
      double[] numericX = new double[batch * in];
      for (int i = 0; i < numericX.length; i++) {
        double saved = xd[t][i], h = GradientCheck.STEP * Math.max(1, Math.abs(saved));
        xd[t][i] = saved + h;
        double up = loss(theta, xd, g, in, hidden, batch) - base;
        xd[t][i] = saved - h;
        double down = loss(theta, xd, g, in, hidden, batch) - base;
        xd[t][i] = saved;
        numericX[i] = (up - down) / (2 * h);
      }
      assertNull(GradientCheck.compare(dx[t], numericX, GradientCheck.RTOL, GradientCheck.FLOOR), "input " + t);
    }
  }

  /** Σ_t Σ g_t·h_t of the LSTM in double (its class javadoc's equations). */
  private static double loss(double[] p, double[][] x, float[][] g, int in, int hidden, int batch) {
    int h = hidden, bias = (in + h) * 4 * h;
    double loss = 0;
    double[] hPrev = new double[batch * h], cPrev = new double[batch * h];
    for (int t = 0; t < x.length; t++) {
      double[] hNow = new double[batch * h], cNow = new double[batch * h];
      for (int b = 0; b < batch; b++) {
        double[] z = new double[in + h];
        System.arraycopy(x[t], b * in, z, 0, in);
        System.arraycopy(hPrev, b * h, z, in, h);
        double[] a = DoubleDnc.dense(p, 0, bias, z, 4 * h);
        for (int j = 0; j < h; j++) {
          double i = DoubleDnc.sigmoid(a[j]), f = DoubleDnc.sigmoid(a[h + j]), gg = Math.tanh(a[2 * h + j]);
          double o = DoubleDnc.sigmoid(a[3 * h + j]);
          double c = f * cPrev[b * h + j] + i * gg;
          cNow[b * h + j] = c;
          hNow[b * h + j] = o * Math.tanh(c);
          loss += g[t][b * h + j] * hNow[b * h + j];
        }
      }
      hPrev = hNow;
      cPrev = cNow;
    }
    return loss;
  }
}
