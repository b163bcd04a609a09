package org.dnckernels.examples;

import org.dnckernels.MemoryShape;
import org.dnckernels.testing.DoubleInterfaceSplit;
import org.dnckernels.testing.DoubleMemoryStep;

/**
 * The forward of {@link DncModel} in double precision, written again from its equations for finite differences:
 * the LSTM and the two layers here, the interface split and the memory step from kernels-testing's double
 * references. It reads the parameters in {@link DncModel#parameters()}' layout.
 */
final class DoubleDnc {
  private final DncModel.Sizes s;
  private final MemoryShape shape;

  DoubleDnc(DncModel.Sizes sizes) {
    this.s = sizes;
    this.shape = sizes.memoryShape();
  }

  /** The loss of {@code batch} from {@code initialState} (MemoryState's six arrays, widened). */
  double loss(double[] p, CopySequences.Batch batch, double[][] initialState) {
    return run(p, batch, initialState, null);
  }

  /**
   * The forward; if {@code usageGap} is not null, its element 0 gets the smallest distance between two slots'
   * usages over every step (the allocation's sort is only differentiable away from ties).
   */
  double run(double[] p, CopySequences.Batch batch, double[][] initialState, double[] usageGap) {
    int b = s.batch(), h = s.hidden(), rw = s.readSize(), x = s.inputSize(), bits = s.bits(), n = s.slots();
    int in = x + rw, xi = shape.interfaceSize();
    int lstmW = 0, lstmB = (in + h) * 4 * h;
    int ifW = lstmB + 4 * h, ifB = ifW + h * xi;
    int outW = ifB + xi, outB = outW + (h + rw) * bits;
    double[][] state = initialState.clone();
    double[] hPrev = new double[b * h], cPrev = new double[b * h], reads = new double[b * rw];
    double loss = 0, gap = Double.POSITIVE_INFINITY;
    for (int t = 0; t < batch.steps(); t++) {
      double[] hNow = new double[b * h], cNow = new double[b * h], raw = new double[b * xi];
      for (int bb = 0; bb < b; bb++) {
        double[] z = new double[in + h];
        for (int k = 0; k < x; k++) {
          z[k] = batch.input()[t][bb * x + k];
        }
        System.arraycopy(reads, bb * rw, z, x, rw);
        System.arraycopy(hPrev, bb * h, z, in, h);
        double[] a = dense(p, lstmW, lstmB, z, 4 * h);
        for (int j = 0; j < h; j++) {
          double i = sigmoid(a[j]), f = sigmoid(a[h + j]), g = Math.tanh(a[2 * h + j]), o = sigmoid(a[3 * h + j]);
          double c = f * cPrev[bb * h + j] + i * g;
          cNow[bb * h + j] = c;
          hNow[bb * h + j] = o * Math.tanh(c);
        }
        double[] hb = new double[h];
        System.arraycopy(hNow, bb * h, hb, 0, h);
        System.arraycopy(dense(p, ifW, ifB, hb, xi), 0, raw, bb * xi, xi);
      }
      double[][] split = DoubleInterfaceSplit.interfaceSplit(raw, b, s.wordSize(), s.readHeads());
      double[][] next = DoubleMemoryStep.step(state, split, shape);
      state = java.util.Arrays.copyOf(next, 6);
      reads = next[6];
      if (usageGap != null) {
        for (int bb = 0; bb < b; bb++) {
          for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
              gap = Math.min(gap, Math.abs(state[1][bb * n + i] - state[1][bb * n + j]));
            }
          }
        }
      }
      for (int bb = 0; bb < b; bb++) {
        if (batch.mask()[t][bb] == 0f) {
          continue;
        }
        double[] cat = new double[h + rw];
        System.arraycopy(hNow, bb * h, cat, 0, h);
        System.arraycopy(reads, bb * rw, cat, h, rw);
        double[] y = dense(p, outW, outB, cat, bits);
        for (int j = 0; j < bits; j++) {
          double target = batch.target()[t][bb * bits + j];
          loss += Math.max(y[j], 0) - y[j] * target + Math.log1p(Math.exp(-Math.abs(y[j])));
        }
      }
      hPrev = hNow;
      cPrev = cNow;
    }
    if (usageGap != null) {
      usageGap[0] = gap;
    }
    return loss / b;
  }

  /** b + Σ_k x_k W[k,:], W [x.length][out] at {@code w}, b at {@code bias}. */
  static double[] dense(double[] p, int w, int bias, double[] x, int out) {
    double[] y = new double[out];
    for (int j = 0; j < out; j++) {
      y[j] = p[bias + j];
    }
    for (int k = 0; k < x.length; k++) {
      for (int j = 0; j < out; j++) {
        y[j] += x[k] * p[w + k * out + j];
      }
    }
    return y;
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
