package org.dnckernels.testing;

import org.dnckernels.DncKernels;

/**
 * The interface split in double precision (one write head), for finite-difference checks of the backward: the
 * scalar forward's activations (overflow-free oneplus and sigmoid, max-subtracted 3-mode softmax) in double.
 */
public final class DoubleInterfaceSplit {
  private DoubleInterfaceSplit() {}

  /**
   * The ten {@link org.dnckernels.InterfaceValues} components of raw ξ̂ [B, W·R + 3W + 5R + 3], in record
   * order (readKeys [B,R,W], readStrengths [B,R], writeKeys [B,1,W], writeStrengths [B,1], eraseVectors
   * [B,1,W], writeVectors [B,1,W], freeGates [B,R], allocationGates [B,1], writeGates [B,1], readModes
   * [B,R,3]), each a new row-major array (see {@link DncKernels#interfaceSplit}); {@code raw} is not modified.
   */
  public static double[][] interfaceSplit(double[] raw, int b, int w, int r) {
    int size = w * r + 3 * w + 5 * r + 3;
    double[] readKeys = new double[b * r * w], readStrengths = new double[b * r], writeKeys = new double[b * w];
    double[] writeStrengths = new double[b], erase = new double[b * w], writeVectors = new double[b * w];
    double[] freeGates = new double[b * r], allocationGates = new double[b], writeGates = new double[b];
    double[] readModes = new double[b * r * 3];
    for (int bb = 0; bb < b; bb++) {
      int p = bb * size;
      for (int i = 0; i < r * w; i++) {
        readKeys[bb * r * w + i] = raw[p++];
      }
      for (int i = 0; i < r; i++) {
        readStrengths[bb * r + i] = oneplus(raw[p++]);
      }
      for (int i = 0; i < w; i++) {
        writeKeys[bb * w + i] = raw[p++];
      }
      writeStrengths[bb] = oneplus(raw[p++]);
      for (int i = 0; i < w; i++) {
        erase[bb * w + i] = sigmoid(raw[p++]);
      }
      for (int i = 0; i < w; i++) {
        writeVectors[bb * w + i] = raw[p++];
      }
      for (int i = 0; i < r; i++) {
        freeGates[bb * r + i] = sigmoid(raw[p++]);
      }
      allocationGates[bb] = sigmoid(raw[p++]);
      writeGates[bb] = sigmoid(raw[p++]);
      for (int i = 0; i < r; i++, p += 3) {
        double a = raw[p], c = raw[p + 1], f = raw[p + 2];
        double max = Math.max(a, Math.max(c, f));
        double ea = Math.exp(a - max), ec = Math.exp(c - max), ef = Math.exp(f - max);
        double sum = ea + ec + ef;
        int o = (bb * r + i) * 3;
        readModes[o] = ea / sum;
        readModes[o + 1] = ec / sum;
        readModes[o + 2] = ef / sum;
      }
    }
    return new double[][] {readKeys, readStrengths, writeKeys, writeStrengths, erase, writeVectors, freeGates,
        allocationGates, writeGates, readModes};
  }

  /** 1 + log(1 + e^x) without overflow. */
  static double oneplus(double x) {
    return 1 + Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** 1 / (1 + e^−x) without overflow. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }
}
