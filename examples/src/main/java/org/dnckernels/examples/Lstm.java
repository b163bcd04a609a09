package org.dnckernels.examples;

import java.util.SplittableRandom;

/**
 * A one-layer LSTM over a batch, unrolled over at most {@code maxSteps} steps, keeping what its backward needs.
 *
 * <pre>
 *   z_t = [x_t ; h_{t−1}]
 *   (i, f, g, o) = (σ, σ, tanh, σ)(Wᵀ z_t + b)       four blocks of H
 *   c_t = f ∘ c_{t−1} + i ∘ g
 *   h_t = o ∘ tanh(c_t)                              h_{−1} = c_{−1} = 0
 * </pre>
 *
 * W is [in + H][4H] in the shared parameter array (see {@link Dense}), b [4H] after it.
 */
final class Lstm {
  final int inputSize;
  final int hidden;
  final int batch;
  private final Dense gatesLayer;
  // per step, per batch entry: z, the activated gates, c, tanh(c), h
  private final float[][] z;
  private final float[][] gates;
  private final float[][] cell;
  private final float[][] tanhCell;
  private final float[][] h;
  // gradients carried from step t + 1 to step t during the backward
  private final float[] dhNext;
  private final float[] dcNext;
  private final float[] dGates;
  private final float[] dz;

  Lstm(int inputSize, int hidden, int batch, int maxSteps, int offset) {
    this.inputSize = inputSize;
    this.hidden = hidden;
    this.batch = batch;
    this.gatesLayer = new Dense(inputSize + hidden, 4 * hidden, offset);
    z = new float[maxSteps][batch * (inputSize + hidden)];
    gates = new float[maxSteps][batch * 4 * hidden];
    cell = new float[maxSteps][batch * hidden];
    tanhCell = new float[maxSteps][batch * hidden];
    h = new float[maxSteps][batch * hidden];
    dhNext = new float[batch * hidden];
    dcNext = new float[batch * hidden];
    dGates = new float[4 * hidden];
    dz = new float[inputSize + hidden];
  }

  static int parameterCount(int inputSize, int hidden) {
    return Dense.parameterCount(inputSize + hidden, 4 * hidden);
  }

  /** PyTorch's U(−1/√H, 1/√H) for every weight; forget-gate bias 1 so the cell keeps its value early on. */
  void init(float[] params, SplittableRandom random) {
    double bound = 1 / Math.sqrt(hidden);
    int n = (inputSize + hidden) * 4 * hidden;
    for (int i = 0; i < n; i++) {
      params[gatesLayer.weights + i] = (float) ((2 * random.nextDouble() - 1) * bound);
    }
    for (int j = 0; j < 4 * hidden; j++) {
      params[gatesLayer.bias + j] = j >= hidden && j < 2 * hidden ? 1f : 0f;
    }
  }

  /** h_t of every batch entry, [B·H] (read only). */
  float[] hidden(int t) {
    return h[t];
  }

  /** Step t from the input x [B·in] (step t − 1 must have run, unless t = 0). */
  void forward(float[] params, int t, float[] x) {
    int zSize = inputSize + hidden, hs = hidden;
    for (int b = 0; b < batch; b++) {
      float[] zt = z[t];
      System.arraycopy(x, b * inputSize, zt, b * zSize, inputSize);
      if (t > 0) {
        System.arraycopy(h[t - 1], b * hs, zt, b * zSize + inputSize, hs);
      } else {
        java.util.Arrays.fill(zt, b * zSize + inputSize, (b + 1) * zSize, 0f);
      }
      int g0 = b * 4 * hs;
      float[] a = gates[t];
      gatesLayer.forward(params, zt, b * zSize, a, g0);
      for (int j = 0; j < hs; j++) {
        float i = sigmoid(a[g0 + j]);
        float f = sigmoid(a[g0 + hs + j]);
        float g = (float) Math.tanh(a[g0 + 2 * hs + j]);
        float o = sigmoid(a[g0 + 3 * hs + j]);
        a[g0 + j] = i;
        a[g0 + hs + j] = f;
        a[g0 + 2 * hs + j] = g;
        a[g0 + 3 * hs + j] = o;
        float cPrev = t > 0 ? cell[t - 1][b * hs + j] : 0f;
        float c = f * cPrev + i * g;
        float tc = (float) Math.tanh(c);
        cell[t][b * hs + j] = c;
        tanhCell[t][b * hs + j] = tc;
        h[t][b * hs + j] = o * tc;
      }
    }
  }

  /** Clears the gradients carried between steps: call before the backward of the last step. */
  void startBackward() {
    java.util.Arrays.fill(dhNext, 0f);
    java.util.Arrays.fill(dcNext, 0f);
  }

  /**
   * The backward of step t (steps in reverse order): {@code dh} [B·H] is ∂ℓ/∂h_t from outside the LSTM (the
   * layers on top); the part through step t + 1 is carried internally. Adds the weight gradients to
   * {@code grads} and writes ∂ℓ/∂x_t into {@code dx} [B·in].
   */
  void backward(float[] params, float[] grads, int t, float[] dh, float[] dx) {
    int zSize = inputSize + hidden, hs = hidden;
    for (int b = 0; b < batch; b++) {
      int g0 = b * 4 * hs;
      float[] a = gates[t];
      for (int j = 0; j < hs; j++) {
        int k = b * hs + j;
        float i = a[g0 + j], f = a[g0 + hs + j], g = a[g0 + 2 * hs + j], o = a[g0 + 3 * hs + j];
        float tc = tanhCell[t][k];
        float dhk = dh[k] + dhNext[k];
        float dc = dcNext[k] + dhk * o * (1 - tc * tc);
        float cPrev = t > 0 ? cell[t - 1][k] : 0f;
        dGates[j] = dc * g * i * (1 - i);
        dGates[hs + j] = dc * cPrev * f * (1 - f);
        dGates[2 * hs + j] = dc * i * (1 - g * g);
        dGates[3 * hs + j] = dhk * tc * o * (1 - o);
        dcNext[k] = dc * f;
      }
      java.util.Arrays.fill(dz, 0f);
      gatesLayer.backward(params, grads, z[t], b * zSize, dGates, 0, dz, 0);
      System.arraycopy(dz, 0, dx, b * inputSize, inputSize);
      System.arraycopy(dz, inputSize, dhNext, b * hs, hs);
    }
  }

  static float sigmoid(float x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }
}
