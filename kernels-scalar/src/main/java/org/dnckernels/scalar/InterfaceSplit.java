package org.dnckernels.scalar;

import org.dnckernels.HostTensor;
import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Splits and activates the raw interface vector of one write head:
 *
 * <pre>
 *   ξ̂ = [ k^r (R·W) ; β̂^r (R) ; k^w (W) ; β̂^w (1) ; ê (W) ; v (W) ; f̂ (R) ; ĝ^a (1) ; ĝ^w (1) ; π̂ (3R) ]
 *   β = oneplus(β̂) = 1 + max(x,0) + log1p(e^−|x|)
 *   e = σ(ê), f = σ(f̂), g^a = σ(ĝ^a), g^w = σ(ĝ^w), π_r = softmax(π̂_r) over its 3 modes
 * </pre>
 *
 * π̂_r is the 3 consecutive values at 3r in the π̂ block, ordered [backward, content, forward] as they come
 * out. Activations are in double and rounded once; keys and write vectors are copied unchanged.
 */
final class InterfaceSplit implements KernelMath.InterfaceSplit {
  InterfaceSplit() {}

  /** raw ξ̂ [B, W·R + 3W + 5R + 3]; R and W from {@code out.readKeys()} [B,R,W]; Wh = 1. */
  @Override
  public void interfaceSplit(Tensor raw, InterfaceValues out, int b0, int b1) {
    int width = raw.dim(1);
    int readHeads = out.readKeys().dim(1), word = out.readKeys().dim(2);
    HostTensor x = (HostTensor) raw;
    float[] xd = x.array();

    for (int b = b0; b < b1; b++) {
      int at = x.offset() + b * width;
      at = copy(xd, at, out.readKeys(), b * readHeads * word, readHeads * word);
      at = activate(xd, at, out.readStrengths(), b * readHeads, readHeads, Activation.ONEPLUS);
      at = copy(xd, at, out.writeKeys(), b * word, word);
      at = activate(xd, at, out.writeStrengths(), b, 1, Activation.ONEPLUS);
      at = activate(xd, at, out.eraseVectors(), b * word, word, Activation.SIGMOID);
      at = copy(xd, at, out.writeVectors(), b * word, word);
      at = activate(xd, at, out.freeGates(), b * readHeads, readHeads, Activation.SIGMOID);
      at = activate(xd, at, out.allocationGates(), b, 1, Activation.SIGMOID);
      at = activate(xd, at, out.writeGates(), b, 1, Activation.SIGMOID);
      HostTensor modes = (HostTensor) out.readModes();
      for (int r = 0; r < readHeads; r++) {
        softmax3(xd, at, modes.array(), modes.offset() + (b * readHeads + r) * 3);
        at += 3;
      }
    }
  }

  private enum Activation { ONEPLUS, SIGMOID }

  /** 1 + log(1 + e^x), without overflow for large x. */
  static double oneplus(double x) {
    return 1 + Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** 1 / (1 + e^−x), without overflow for large |x|. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  private static int copy(float[] src, int at, Tensor dst, int dstIndex, int length) {
    HostTensor d = (HostTensor) dst;
    System.arraycopy(src, at, d.array(), d.offset() + dstIndex, length);
    return at + length;
  }

  private static int activate(float[] src, int at, Tensor dst, int dstIndex, int length, Activation f) {
    HostTensor d = (HostTensor) dst;
    float[] dd = d.array();
    int base = d.offset() + dstIndex;
    for (int i = 0; i < length; i++) {
      double v = src[at + i];
      dd[base + i] = (float) (f == Activation.ONEPLUS ? oneplus(v) : sigmoid(v));
    }
    return at + length;
  }

  // softmax over 3 values, max-subtracted so large logits cannot overflow
  private static void softmax3(float[] src, int at, float[] dst, int dstBase) {
    double a = src[at], b = src[at + 1], c = src[at + 2];
    double max = Math.max(a, Math.max(b, c));
    double ea = Math.exp(a - max), eb = Math.exp(b - max), ec = Math.exp(c - max);
    double sum = ea + eb + ec;
    dst[dstBase] = (float) (ea / sum);
    dst[dstBase + 1] = (float) (eb / sum);
    dst[dstBase + 2] = (float) (ec / sum);
  }
}
