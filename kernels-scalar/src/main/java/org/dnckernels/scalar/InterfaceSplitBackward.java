package org.dnckernels.scalar;

import org.dnckernels.DncKernels;
import org.dnckernels.HostTensor;
import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the interface split ({@link DncKernels#interfaceSplitBackward}), segment by segment of
 * {@code ξ̂ = [k^r ; β̂^r ; k^w ; β̂^w ; ê ; v ; f̂ ; ĝ^a ; ĝ^w ; π̂]}:
 *
 * <pre>
 *   keys, write vector      gradRaw += g
 *   strengths (oneplus)     gradRaw += σ(x) g
 *   erase, gates (σ)        gradRaw += σ(x) (1 − σ(x)) g = e^−|x| / (1 + e^−|x|)² g
 *   read modes (softmax)    gradRaw += π_m (g_m − Σ_m' π_m' g_m')   (π recomputed, max-subtracted)
 * </pre>
 *
 * The activations are recomputed from ξ̂ in double; e^−|x| never overflows, so saturated inputs (|x| up to
 * 1e30) give a zero gradient, not NaN. Each gradient is rounded to float once and then added.
 */
final class InterfaceSplitBackward implements KernelMath.InterfaceSplitBackward {
  InterfaceSplitBackward() {}

  @Override
  public void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1) {
    int width = raw.dim(1);
    int readHeads = gradOut.readKeys().dim(1), word = gradOut.readKeys().dim(2);
    HostTensor x = (HostTensor) raw, gx = (HostTensor) gradRaw;
    float[] xd = x.array(), gxd = gx.array();

    for (int b = b0; b < b1; b++) {
      // ξ̂ and its gradient share the layout: one index into the batch row serves both
      int xRow = x.offset() + b * width, gRow = gx.offset() + b * width;
      int at = 0;
      at = pass(gradOut.readKeys(), b * readHeads * word, readHeads * word, gxd, gRow, at);
      at = activated(xd, xRow, gradOut.readStrengths(), b * readHeads, readHeads, Activation.ONEPLUS, gxd, gRow, at);
      at = pass(gradOut.writeKeys(), b * word, word, gxd, gRow, at);
      at = activated(xd, xRow, gradOut.writeStrengths(), b, 1, Activation.ONEPLUS, gxd, gRow, at);
      at = activated(xd, xRow, gradOut.eraseVectors(), b * word, word, Activation.SIGMOID, gxd, gRow, at);
      at = pass(gradOut.writeVectors(), b * word, word, gxd, gRow, at);
      at = activated(xd, xRow, gradOut.freeGates(), b * readHeads, readHeads, Activation.SIGMOID, gxd, gRow, at);
      at = activated(xd, xRow, gradOut.allocationGates(), b, 1, Activation.SIGMOID, gxd, gRow, at);
      at = activated(xd, xRow, gradOut.writeGates(), b, 1, Activation.SIGMOID, gxd, gRow, at);
      HostTensor modes = (HostTensor) gradOut.readModes();
      for (int r = 0; r < readHeads; r++) {
        softmax3Backward(xd, xRow + at, modes.array(), modes.offset() + (b * readHeads + r) * 3, gxd, gRow + at);
        at += 3;
      }
    }
  }

  private enum Activation { ONEPLUS, SIGMOID }

  /** oneplus′(x) = σ(x). */
  static double sigmoid(double x) {
    return InterfaceSplit.sigmoid(x);
  }

  /** σ′(x) = σ(x)(1 − σ(x)), as e^−|x| / (1 + e^−|x|)²: symmetric, no overflow, exactly 0 when saturated. */
  static double sigmoidDerivative(double x) {
    double z = Math.exp(-Math.abs(x));
    double onePlus = 1 + z;
    return z / (onePlus * onePlus);
  }

  /** A copied segment of {@code length} at {@code at} in the batch row: its gradient passes through. */
  private static int pass(Tensor grad, int gradIndex, int length, float[] dst, int dstRow, int at) {
    HostTensor g = (HostTensor) grad;
    float[] gd = g.array();
    int base = g.offset() + gradIndex;
    for (int i = 0; i < length; i++) {
      dst[dstRow + at + i] += gd[base + i];
    }
    return at + length;
  }

  /** An activated segment of {@code length} at {@code at} in the batch row; returns the index after it. */
  private static int activated(float[] src, int srcRow, Tensor grad, int gradIndex, int length, Activation f,
      float[] dst, int dstRow, int at) {
    HostTensor g = (HostTensor) grad;
    float[] gd = g.array();
    int base = g.offset() + gradIndex;
    for (int i = 0; i < length; i++) {
      double v = src[srcRow + at + i];
      double slope = f == Activation.ONEPLUS ? sigmoid(v) : sigmoidDerivative(v);
      dst[dstRow + at + i] += (float) (slope * gd[base + i]);
    }
    return at + length;
  }

  // softmax over 3 values recomputed as the forward does, then π (g − Σ π g)
  private static void softmax3Backward(float[] src, int at, float[] grad, int gradBase, float[] dst, int dstAt) {
    double a = src[at], b = src[at + 1], c = src[at + 2];
    double max = Math.max(a, Math.max(b, c));
    double ea = Math.exp(a - max), eb = Math.exp(b - max), ec = Math.exp(c - max);
    double sum = ea + eb + ec;
    double pa = ea / sum, pb = eb / sum, pc = ec / sum;
    double ga = grad[gradBase], gb = grad[gradBase + 1], gc = grad[gradBase + 2];
    double mean = pa * ga + pb * gb + pc * gc;
    dst[dstAt] += (float) (pa * (ga - mean));
    dst[dstAt + 1] += (float) (pb * (gb - mean));
    dst[dstAt + 2] += (float) (pc * (gc - mean));
  }
}
