package org.dnckernels.examples;

/**
 * A fully connected layer {@code y = Wᵀx + b} whose weights live in a shared parameter array: W as [in][out]
 * (row k holds input k's weights to every output) so that both the forward and the weight gradient run along
 * contiguous rows, which the JIT vectorises; b as [out].
 */
final class Dense {
  final int in;
  final int out;
  /** Offset of W [in][out] in the parameter array. */
  final int weights;
  /** Offset of b [out]. */
  final int bias;

  Dense(int in, int out, int offset) {
    this.in = in;
    this.out = out;
    this.weights = offset;
    this.bias = offset + in * out;
  }

  static int parameterCount(int in, int out) {
    return in * out + out;
  }

  /** U(−1/√in, 1/√in) weights (PyTorch's default for a linear layer), zero bias. */
  void init(float[] params, java.util.SplittableRandom random) {
    double bound = 1 / Math.sqrt(in);
    for (int i = 0; i < in * out; i++) {
      params[weights + i] = (float) ((2 * random.nextDouble() - 1) * bound);
    }
  }

  /** y[yOff..] = b + Σ_k x[xOff + k]·W[k,:] for one batch entry. */
  void forward(float[] params, float[] x, int xOff, float[] y, int yOff) {
    System.arraycopy(params, bias, y, yOff, out);
    for (int k = 0; k < in; k++) {
      float xk = x[xOff + k];
      if (xk == 0f) {
        continue; // the copy task's inputs are mostly zeros
      }
      int row = weights + k * out;
      for (int j = 0; j < out; j++) {
        y[yOff + j] += xk * params[row + j];
      }
    }
  }

  /**
   * For one batch entry: gW[k,:] += x_k·dy, gb += dy, and dx[dxOff + k] += Σ_j W[k,j]·dy_j (dx may be null when
   * the input's gradient is not needed).
   */
  void backward(float[] params, float[] grads, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    for (int j = 0; j < out; j++) {
      grads[bias + j] += dy[dyOff + j];
    }
    for (int k = 0; k < in; k++) {
      int row = weights + k * out;
      float xk = x[xOff + k];
      if (xk != 0f) {
        for (int j = 0; j < out; j++) {
          grads[row + j] += xk * dy[dyOff + j];
        }
      }
      if (dx != null) {
        float s = 0f;
        for (int j = 0; j < out; j++) {
          s += params[row + j] * dy[dyOff + j];
        }
        dx[dxOff + k] += s;
      }
    }
  }
}
