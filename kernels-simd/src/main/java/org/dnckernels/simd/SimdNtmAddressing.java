package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * NTM location addressing: interpolation with the previous weighting, circular shift, sharpening.
 *
 * <pre>
 *   interpolate: out = g c + (1 − g) w_prev
 *   shift:       out[i] = Σ_{d=−k..k} w[(i − d) mod N] s[d + k]
 *   sharpen:     out[i] = (w[i]/max w)^γ / Σ_j (w[j]/max w)^γ     (all-zero row: 1/N)
 * </pre>
 */
final class SimdNtmAddressing implements KernelMath.NtmAddressing {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdNtmAddressing(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void ntmInterpolate(Tensor content, Tensor previous, Tensor gate, Tensor out, int b0, int b1) {
    long work = (long) (b1 - b0) * content.dim(1) * content.dim(2);
    int parts = split.acquire(b0, b1, content.dim(0), work);
    if (parts == 1) {
      interpolateSlice(content, previous, gate, out, b0, b1);
      return;
    }
    call.kernel = Kernel.INTERPOLATE;
    call.content = content;
    call.previous = previous;
    call.gate = gate;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  @Override
  public void ntmShift(Tensor weights, Tensor shift, Tensor out, int b0, int b1) {
    long work = (long) (b1 - b0) * weights.dim(1) * weights.dim(2) * shift.dim(2);
    int parts = split.acquire(b0, b1, weights.dim(0), work);
    if (parts == 1) {
      shiftSlice(weights, shift, out, b0, b1);
      return;
    }
    call.kernel = Kernel.SHIFT;
    call.weights = weights;
    call.shift = shift;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  @Override
  public void ntmSharpen(Tensor weights, Tensor gamma, Tensor out, int b0, int b1) {
    long work = 16L * (b1 - b0) * weights.dim(1) * weights.dim(2); // pow per element: a few dozen operations
    int parts = split.acquire(b0, b1, weights.dim(0), work);
    if (parts == 1) {
      sharpenSlice(weights, gamma, out, b0, b1);
      return;
    }
    call.kernel = Kernel.SHARPEN;
    call.weights = weights;
    call.gamma = gamma;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  private enum Kernel {
    INTERPOLATE, SHIFT, SHARPEN
  }

  /** The family's call being split, its arguments by name (those of the other kernels null). */
  private static final class Call implements SimdBatchPool.Slices {
    Kernel kernel;
    Tensor content, previous, gate, weights, shift, gamma, out;

    @Override
    public void run(int b0, int b1) {
      switch (kernel) {
        case INTERPOLATE -> interpolateSlice(content, previous, gate, out, b0, b1);
        case SHIFT -> shiftSlice(weights, shift, out, b0, b1);
        case SHARPEN -> sharpenSlice(weights, gamma, out, b0, b1);
      }
    }

    @Override
    public void clear() {
      kernel = null;
      content = previous = gate = weights = shift = gamma = out = null;
    }
  }

  /** Batch entries [b0, b1). {@code out} may be {@code content} or {@code previous}: elementwise, read first. */
  static void interpolateSlice(Tensor content, Tensor previous, Tensor gate, Tensor out, int b0, int b1) {
    int h = content.dim(1), n = content.dim(2);
    float[] c = array(content), w = array(previous), g = array(gate), o = array(out);
    int cOff = offset(content), wOff = offset(previous), gOff = offset(gate), oOff = offset(out);
    int bound = FLOAT.loopBound(n);
    for (int head = b0 * h; head < b1 * h; head++) {
      int row = head * n;
      float gc = g[gOff + head], gw = 1f - gc;
      int i = 0;
      for (; i < bound; i += LANES) {
        FloatVector cv = FloatVector.fromArray(FLOAT, c, cOff + row + i);
        FloatVector wv = FloatVector.fromArray(FLOAT, w, wOff + row + i);
        cv.mul(gc).add(wv.mul(gw)).intoArray(o, oOff + row + i);
      }
      // scalar tail
      for (; i < n; i++) {
        o[oOff + row + i] = gc * c[cOff + row + i] + gw * w[wOff + row + i];
      }
    }
  }

  /**
   * Batch entries [b0, b1). Slots k..N−k−1 never wrap: vectorised over i with unaligned loads of w at i − d, one
   * fma per tap. The 2k wrapping slots (and the middle's remainder) are scalar, summed in double.
   */
  static void shiftSlice(Tensor weights, Tensor shift, Tensor out, int b0, int b1) {
    int h = weights.dim(1), n = weights.dim(2), taps = shift.dim(2), k = taps / 2;
    float[] w = array(weights), s = array(shift), o = array(out);
    int wOff = offset(weights), sOff = offset(shift), oOff = offset(out);
    for (int head = b0 * h; head < b1 * h; head++) {
      int wb = wOff + head * n, sb = sOff + head * taps, ob = oOff + head * n;
      int i = k;
      int middleEnd = n - k;
      // two vectors per step: each tap's broadcast serves both
      for (; i + 2 * LANES <= middleEnd; i += 2 * LANES) {
        // taps d = −k..k: w[i − d] with s[d + k]; tap t reads from i + k − t
        FloatVector s0 = FloatVector.broadcast(FLOAT, s[sb]);
        FloatVector acc0 = FloatVector.fromArray(FLOAT, w, wb + i + k).mul(s0);
        FloatVector acc1 = FloatVector.fromArray(FLOAT, w, wb + i + k + LANES).mul(s0);
        for (int t = 1; t < taps; t++) {
          FloatVector st = FloatVector.broadcast(FLOAT, s[sb + t]);
          FloatVector w0 = FloatVector.fromArray(FLOAT, w, wb + i + k - t);
          FloatVector w1 = FloatVector.fromArray(FLOAT, w, wb + i + k - t + LANES);
          acc0 = USE_FMA ? w0.fma(st, acc0) : w0.mul(st).add(acc0);
          acc1 = USE_FMA ? w1.fma(st, acc1) : w1.mul(st).add(acc1);
        }
        acc0.intoArray(o, ob + i);
        acc1.intoArray(o, ob + i + LANES);
      }
      // one-vector tail
      for (; i + LANES <= middleEnd; i += LANES) {
        FloatVector acc = FloatVector.fromArray(FLOAT, w, wb + i + k).mul(s[sb]);
        for (int t = 1; t < taps; t++) {
          FloatVector st = FloatVector.broadcast(FLOAT, s[sb + t]);
          FloatVector wv = FloatVector.fromArray(FLOAT, w, wb + i + k - t);
          acc = USE_FMA ? wv.fma(st, acc) : wv.mul(st).add(acc);
        }
        acc.intoArray(o, ob + i);
      }
      // scalar: the middle's remainder, then the wrapping edges
      for (; i < middleEnd; i++) {
        o[ob + i] = shiftScalar(w, wb, s, sb, n, k, i);
      }
      for (i = 0; i < k; i++) {
        o[ob + i] = shiftScalar(w, wb, s, sb, n, k, i);
      }
      for (i = Math.max(middleEnd, k); i < n; i++) {
        o[ob + i] = shiftScalar(w, wb, s, sb, n, k, i);
      }
    }
  }

  private static float shiftScalar(float[] w, int wb, float[] s, int sb, int n, int k, int i) {
    double acc = 0;
    for (int d = -k; d <= k; d++) {
      int j = Math.floorMod(i - d, n);
      acc += (double) w[wb + j] * s[sb + d + k];
    }
    return (float) acc;
  }

  /**
   * Batch entries [b0, b1). Per row: max (vector); x = (w/max)^γ as exp(γ ln x) in lanes (skipped when γ = 1; the
   * scalar tail runs the lanes' operations on one float); Σ x (float blocks finished in double); then x/Σ.
   * {@code out} may be
   * {@code weights}: each pass reads an element before it writes it.
   */
  static void sharpenSlice(Tensor weights, Tensor gamma, Tensor out, int b0, int b1) {
    int h = weights.dim(1), n = weights.dim(2);
    float[] w = array(weights), g = array(gamma), o = array(out);
    int wOff = offset(weights), gOff = offset(gamma), oOff = offset(out);
    int bound = FLOAT.loopBound(n);
    for (int head = b0 * h; head < b1 * h; head++) {
      int wb = wOff + head * n, ob = oOff + head * n;
      float max = SimdReductions.max(w, wb, n);
      if (!(max > 0f)) {
        // nothing to sharpen
        Arrays.fill(o, ob, ob + n, (float) (1.0 / n));
        continue;
      }
      float gm = g[gOff + head];
      if (gm == 1f) {
        ratio(w, wb, max, o, ob, bound);
      } else {
        // x^γ = exp(γ ln x), two passes over the row (it is in L1/L2)
        scaledLog(w, wb, max, gm, o, ob, bound);
        SimdMath.exp(o, ob, bound);
      }
      int i = bound;
      // scalar tail
      for (; i < n; i++) {
        float x = w[wb + i] / max;
        o[ob + i] = gm == 1f ? x : SimdMath.exp(scaledLog(x, gm));
      }
      SimdReductions.scale(o, ob, n, (float) (1.0 / SimdReductions.sum(o, ob, n)));
    }
  }

  // sharpen's x^γ: not VectorOperators.POW (see SimdMath for why), Cephes' logf here and expf in SimdMath

  private static final float SQRT2 = 1.41421356f;

  /** o[ob + i] = w[wb + i] / max for i < bound. */
  private static void ratio(float[] w, int wb, float max, float[] o, int ob, int bound) {
    FloatVector maxv = FloatVector.broadcast(FLOAT, max);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector.fromArray(FLOAT, w, wb + i).div(maxv).intoArray(o, ob + i);
    }
  }

  /**
   * o[ob + i] = γ ln(w[wb + i] / max) for i < bound (x = w/max in [0, 1]); −∞ for x below the normal range (x^γ
   * ≤ x is then below 1.2e-38 and becomes 0). ln x = e ln 2 + ln m with m in [√½, √2): Cephes' logf polynomial,
   * about 1 ulp.
   */
  /** One lane of {@link #scaledLog(float[], int, float, float, float[], int, int)}, for the scalar tail. */
  static float scaledLog(float x, float gamma) {
    int bits = Float.floatToRawIntBits(x);
    float e = (float) ((bits >>> 23) - 127);
    float m = Float.intBitsToFloat(bits & 0x007fffff | 0x3f800000);
    if (m > SQRT2) {
      m = m * 0.5f;
      e = e + 1f;
    }
    float z = m - 1f, zz = z * z;
    float p = z * 7.0376836292e-2f + -1.1514610310e-1f;
    p = p * z + 1.1676998740e-1f;
    p = p * z + -1.2420140846e-1f;
    p = p * z + 1.4249322787e-1f;
    p = p * z + -1.6668057665e-1f;
    p = p * z + 2.0000714765e-1f;
    p = p * z + -2.4999993993e-1f;
    p = p * z + 3.3333331174e-1f;
    float y = p * z * zz + e * SimdMath.LN2_LO - zz * 0.5f;
    float log = z + y + e * SimdMath.LN2_HI;
    return x < Float.MIN_NORMAL ? Float.NEGATIVE_INFINITY : log * gamma;
  }

  static void scaledLog(float[] w, int wb, float max, float gamma, float[] o, int ob, int bound) {
    FloatVector maxv = FloatVector.broadcast(FLOAT, max);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector x = FloatVector.fromArray(FLOAT, w, wb + i).div(maxv);
      IntVector bits = x.reinterpretAsInts();
      FloatVector e = (FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(127).convert(VectorOperators.I2F, 0);
      FloatVector m = bits.and(0x007fffff).or(0x3f800000).reinterpretAsFloats();
      VectorMask<Float> high = m.compare(VectorOperators.GT, SQRT2);
      m = m.blend(m.mul(0.5f), high);
      e = e.blend(e.add(1f), high);
      FloatVector z = m.sub(1f), zz = z.mul(z);
      FloatVector p = z.mul(7.0376836292e-2f).add(-1.1514610310e-1f);
      p = p.mul(z).add(1.1676998740e-1f);
      p = p.mul(z).add(-1.2420140846e-1f);
      p = p.mul(z).add(1.4249322787e-1f);
      p = p.mul(z).add(-1.6668057665e-1f);
      p = p.mul(z).add(2.0000714765e-1f);
      p = p.mul(z).add(-2.4999993993e-1f);
      p = p.mul(z).add(3.3333331174e-1f);
      FloatVector y = p.mul(z).mul(zz).add(e.mul(SimdMath.LN2_LO)).sub(zz.mul(0.5f));
      FloatVector log = z.add(y).add(e.mul(SimdMath.LN2_HI));
      log.mul(gamma).blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.LT, Float.MIN_NORMAL))
          .intoArray(o, ob + i);
    }
  }
}
