package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Interface split for one write head:
 * {@code ξ̂ = [k^r (R·W) ; β̂^r (R) ; k^w (W) ; β̂^w ; ê (W) ; v (W) ; f̂ (R) ; ĝ^a ; ĝ^w ; π̂ (3R)]}.
 *
 * <p>Small per element: keys and write vectors are {@code System.arraycopy}, the erase vector and the free gates
 * go through a vectorised stable sigmoid (exp from {@link SimdMath}), the strengths (oneplus), the two gates and
 * the 3-mode softmaxes are scalar in double.
 */
final class SimdInterfaceSplit implements KernelMath.InterfaceSplit {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdInterfaceSplit(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void interfaceSplit(Tensor raw, InterfaceValues out, int b0, int b1) {
    long work = 4L * (b1 - b0) * raw.dim(1);
    int parts = split.acquire(b0, b1, raw.dim(0), work);
    if (parts == 1) {
      splitSlice(raw, out, b0, b1);
      return;
    }
    call.raw = raw;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor raw;
    InterfaceValues out;

    @Override
    public void run(int b0, int b1) {
      splitSlice(raw, out, b0, b1);
    }

    @Override
    public void clear() {
      raw = null;
      out = null;
    }
  }

  /** Batch entries [b0, b1). R and W come from {@code out.readKeys()} [B,R,W]. */
  static void splitSlice(Tensor raw, InterfaceValues out, int b0, int b1) {
    int r = out.readKeys().dim(1), w = out.readKeys().dim(2);
    int size = raw.dim(1);
    float[] x = array(raw);
    int xOff = offset(raw);
    float[] readKeys = array(out.readKeys()), readStrengths = array(out.readStrengths());
    float[] writeKeys = array(out.writeKeys()), writeStrengths = array(out.writeStrengths());
    float[] erase = array(out.eraseVectors()), writeVectors = array(out.writeVectors());
    float[] freeGates = array(out.freeGates()), allocationGates = array(out.allocationGates());
    float[] writeGates = array(out.writeGates()), readModes = array(out.readModes());
    int rkOff = offset(out.readKeys()), rsOff = offset(out.readStrengths()), wkOff = offset(out.writeKeys());
    int wsOff = offset(out.writeStrengths()), eOff = offset(out.eraseVectors()), vOff = offset(out.writeVectors());
    int fOff = offset(out.freeGates()), gaOff = offset(out.allocationGates()), gwOff = offset(out.writeGates());
    int pmOff = offset(out.readModes());
    for (int b = b0; b < b1; b++) {
      int p = xOff + b * size;
      System.arraycopy(x, p, readKeys, rkOff + b * r * w, r * w);
      p += r * w;
      for (int k = 0; k < r; k++) {
        readStrengths[rsOff + b * r + k] = oneplus(x[p + k]);
      }
      p += r;
      System.arraycopy(x, p, writeKeys, wkOff + b * w, w);
      p += w;
      writeStrengths[wsOff + b] = oneplus(x[p]);
      p += 1;
      sigmoid(x, p, erase, eOff + b * w, w);
      p += w;
      System.arraycopy(x, p, writeVectors, vOff + b * w, w);
      p += w;
      sigmoid(x, p, freeGates, fOff + b * r, r);
      p += r;
      allocationGates[gaOff + b] = sigmoid(x[p]);
      writeGates[gwOff + b] = sigmoid(x[p + 1]);
      p += 2;
      for (int k = 0; k < r; k++) {
        softmax3(x, p + 3 * k, readModes, pmOff + (b * r + k) * 3);
      }
    }
  }

  /** oneplus(x) = 1 + log(1 + e^x), as 1 + max(x, 0) + log1p(e^−|x|): no overflow. */
  private static float oneplus(float x) {
    return (float) (1.0 + Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs((double) x))));
  }

  /** Stable logistic: e^−|x| never overflows. */
  private static float sigmoid(float x) {
    double z = Math.exp(-Math.abs((double) x));
    return (float) (x >= 0 ? 1.0 / (1.0 + z) : z / (1.0 + z));
  }

  /**
   * dst[0..n) = σ(src[0..n)) in the same stable form: z = e^−|x| (SimdMath.exp, in place in dst), then 1/(1 + z)
   * for x ≥ 0 and z/(1 + z) below.
   */
  private static void sigmoid(float[] src, int so, float[] dst, int dOff, int n) {
    int bound = FLOAT.loopBound(n);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector.fromArray(FLOAT, src, so + i).abs().neg().intoArray(dst, dOff + i);
    }
    SimdMath.exp(dst, dOff, bound);
    FloatVector one = FloatVector.broadcast(FLOAT, 1f);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector z = FloatVector.fromArray(FLOAT, dst, dOff + i);
      VectorMask<Float> negative = FloatVector.fromArray(FLOAT, src, so + i).compare(VectorOperators.LT, 0f);
      one.blend(z, negative).div(one.add(z)).intoArray(dst, dOff + i);
    }
    // scalar tail
    for (int i = bound; i < n; i++) {
      // the lanes' float operations: an element gives the same bits here as in a lane
      float x = src[so + i], z = SimdMath.exp(-Math.abs(x));
      dst[dOff + i] = (x < 0f ? z : 1f) / (1f + z);
    }
  }

  /** Softmax over the 3 modes [backward, content, forward] of one read head, in double. */
  private static void softmax3(float[] src, int so, float[] dst, int dOff) {
    double a = src[so], b = src[so + 1], c = src[so + 2];
    double m = Math.max(a, Math.max(b, c));
    double ea = Math.exp(a - m), eb = Math.exp(b - m), ec = Math.exp(c - m);
    double inv = 1.0 / (ea + eb + ec);
    dst[dOff] = (float) (ea * inv);
    dst[dOff + 1] = (float) (eb * inv);
    dst[dOff + 2] = (float) (ec * inv);
  }
}
