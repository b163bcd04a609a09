package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the interface split for one write head (see {@link DncKernels#interfaceSplitBackward}).
 *
 * <p>As the forward: the keys' and write vector's gradients pass through (a lane add), the erase vector and the
 * free gates go through a vectorised σ′(x) = z / (1 + z)² with z = e^−|x| ({@link SimdMath}; symmetric in x, and
 * exactly 0 once e^−|x| underflows, so saturated inputs give 0, not NaN); the strengths (σ), the two gates and
 * the 3-mode softmaxes are scalar in double.
 */
final class SimdInterfaceSplitBackward implements KernelMath.InterfaceSplitBackward {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdInterfaceSplitBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1) {
    long work = 6L * (b1 - b0) * raw.dim(1);
    int parts = split.acquire(b0, b1, raw.dim(0), work);
    if (parts == 1) {
      backwardSlice(raw, gradOut, gradRaw, b0, b1);
      return;
    }
    call.raw = raw;
    call.gradOut = gradOut;
    call.gradRaw = gradRaw;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor raw;
    InterfaceValues gradOut;
    Tensor gradRaw;

    @Override
    public void run(int b0, int b1) {
      backwardSlice(raw, gradOut, gradRaw, b0, b1);
    }

    @Override
    public void clear() {
      raw = null;
      gradOut = null;
      gradRaw = null;
    }
  }

  /** Batch entries [b0, b1). R and W come from {@code gradOut.readKeys()} [B,R,W]. */
  static void backwardSlice(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1) {
    int r = gradOut.readKeys().dim(1), w = gradOut.readKeys().dim(2);
    int size = raw.dim(1);
    float[] x = array(raw), gx = array(gradRaw);
    int xOff = offset(raw), gxOff = offset(gradRaw);
    float[] readKeys = array(gradOut.readKeys()), readStrengths = array(gradOut.readStrengths());
    float[] writeKeys = array(gradOut.writeKeys()), writeStrengths = array(gradOut.writeStrengths());
    float[] erase = array(gradOut.eraseVectors()), writeVectors = array(gradOut.writeVectors());
    float[] freeGates = array(gradOut.freeGates()), allocationGates = array(gradOut.allocationGates());
    float[] writeGates = array(gradOut.writeGates()), readModes = array(gradOut.readModes());
    int rkOff = offset(gradOut.readKeys()), rsOff = offset(gradOut.readStrengths());
    int wkOff = offset(gradOut.writeKeys()), wsOff = offset(gradOut.writeStrengths());
    int eOff = offset(gradOut.eraseVectors()), vOff = offset(gradOut.writeVectors());
    int fOff = offset(gradOut.freeGates()), gaOff = offset(gradOut.allocationGates());
    int gwOff = offset(gradOut.writeGates()), pmOff = offset(gradOut.readModes());
    // e^−|x| of the erase vector or the free gates
    float[] z = HostScratch.get().floats(0, Math.max(w, r));
    for (int b = b0; b < b1; b++) {
      // ξ̂ and its gradient share the layout: p indexes both
      int p = b * size;
      add(readKeys, rkOff + b * r * w, gx, gxOff + p, r * w);
      p += r * w;
      for (int k = 0; k < r; k++) {
        gx[gxOff + p + k] += (float) (sigmoid(x[xOff + p + k]) * readStrengths[rsOff + b * r + k]);
      }
      p += r;
      add(writeKeys, wkOff + b * w, gx, gxOff + p, w);
      p += w;
      gx[gxOff + p] += (float) (sigmoid(x[xOff + p]) * writeStrengths[wsOff + b]);
      p += 1;
      sigmoidBackward(x, xOff + p, erase, eOff + b * w, gx, gxOff + p, w, z);
      p += w;
      add(writeVectors, vOff + b * w, gx, gxOff + p, w);
      p += w;
      sigmoidBackward(x, xOff + p, freeGates, fOff + b * r, gx, gxOff + p, r, z);
      p += r;
      gx[gxOff + p] += (float) (sigmoidDerivative(x[xOff + p]) * allocationGates[gaOff + b]);
      gx[gxOff + p + 1] += (float) (sigmoidDerivative(x[xOff + p + 1]) * writeGates[gwOff + b]);
      p += 2;
      for (int k = 0; k < r; k++) {
        softmax3Backward(x, xOff + p + 3 * k, readModes, pmOff + (b * r + k) * 3, gx, gxOff + p + 3 * k);
      }
    }
  }

  /** dst[0..n) += src[0..n). */
  private static void add(float[] src, int so, float[] dst, int dOff, int n) {
    int bound = FLOAT.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector.fromArray(FLOAT, dst, dOff + i).add(FloatVector.fromArray(FLOAT, src, so + i))
          .intoArray(dst, dOff + i);
    }
    // scalar tail
    for (; i < n; i++) {
      dst[dOff + i] += src[so + i];
    }
  }

  /**
   * dst[0..n) += σ′(x) g with x = src[0..n), g = grad[0..n): z = e^−|x| (SimdMath.exp, in the scratch), then
   * g z / (1 + z)².
   */
  private static void sigmoidBackward(float[] src, int so, float[] grad, int gOff, float[] dst, int dOff, int n,
      float[] z) {
    int bound = FLOAT.loopBound(n);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector.fromArray(FLOAT, src, so + i).abs().neg().intoArray(z, i);
    }
    SimdMath.exp(z, 0, bound);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector zv = FloatVector.fromArray(FLOAT, z, i);
      FloatVector onePlus = zv.add(1f);
      FloatVector slope = zv.div(onePlus.mul(onePlus));
      FloatVector.fromArray(FLOAT, grad, gOff + i).mul(slope).add(FloatVector.fromArray(FLOAT, dst, dOff + i))
          .intoArray(dst, dOff + i);
    }
    // scalar tail
    for (int i = bound; i < n; i++) {
      // the lanes' float operations: an element gives the same bits here as in a lane
      float zi = SimdMath.exp(-Math.abs(src[so + i])), onePlus = 1f + zi;
      dst[dOff + i] += grad[gOff + i] * (zi / (onePlus * onePlus));
    }
  }

  /** oneplus′(x) = σ(x), stable: e^−|x| never overflows. */
  private static double sigmoid(float x) {
    double z = Math.exp(-Math.abs((double) x));
    return x >= 0 ? 1.0 / (1.0 + z) : z / (1.0 + z);
  }

  /** σ′(x) = e^−|x| / (1 + e^−|x|)², in double. */
  private static double sigmoidDerivative(float x) {
    double z = Math.exp(-Math.abs((double) x)), onePlus = 1.0 + z;
    return z / (onePlus * onePlus);
  }

  /** π (g − Σ π g) over the 3 modes of one read head, π recomputed max-subtracted, in double. */
  private static void softmax3Backward(float[] src, int so, float[] grad, int gOff, float[] dst, int dOff) {
    double a = src[so], b = src[so + 1], c = src[so + 2];
    double m = Math.max(a, Math.max(b, c));
    double ea = Math.exp(a - m), eb = Math.exp(b - m), ec = Math.exp(c - m);
    double inv = 1.0 / (ea + eb + ec);
    double pa = ea * inv, pb = eb * inv, pc = ec * inv;
    double ga = grad[gOff], gb = grad[gOff + 1], gc = grad[gOff + 2];
    double mean = pa * ga + pb * gb + pc * gc;
    dst[dOff] += (float) (pa * (ga - mean));
    dst[dOff + 1] += (float) (pb * (gb - mean));
    dst[dOff + 2] += (float) (pc * (gc - mean));
  }
}
