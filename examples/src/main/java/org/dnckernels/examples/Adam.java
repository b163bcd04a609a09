package org.dnckernels.examples;

/**
 * Adam (Kingma and Ba) with bias correction in the paper's efficient form (ε added to √v̂ before the correction),
 * on one parameter array, after clipping the gradient to a global norm.
 */
public final class Adam {
  private final float learningRate;
  private final float clipNorm;
  private final float beta1 = 0.9f;
  private final float beta2 = 0.999f;
  private final float epsilon = 1e-8f;
  private final float[] m;
  private final float[] v;
  private int step;

  /** @param clipNorm the largest global gradient norm; 0 or less: no clipping */
  public Adam(int size, float learningRate, float clipNorm) {
    this.learningRate = learningRate;
    this.clipNorm = clipNorm;
    this.m = new float[size];
    this.v = new float[size];
  }

  /** Updates {@code params} in place from {@code grads}; returns the gradient's norm before clipping. */
  public double update(float[] params, float[] grads) {
    double sq = 0;
    for (float g : grads) {
      sq += (double) g * g;
    }
    double norm = Math.sqrt(sq);
    float scale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
    step++;
    float c1 = (float) (1 - Math.pow(beta1, step)), c2 = (float) (1 - Math.pow(beta2, step));
    float stepSize = learningRate * (float) Math.sqrt(c2) / c1;
    for (int i = 0; i < params.length; i++) {
      float g = grads[i] * scale;
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) + epsilon);
    }
    return norm;
  }
}
