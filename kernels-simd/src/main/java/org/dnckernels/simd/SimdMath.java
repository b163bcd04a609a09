package org.dnckernels.simd;

import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Elementary functions over float arrays in plain lane arithmetic (Cephes' single-precision polynomials, about 1
 * ulp). Not {@code VectorOperators.EXP/LOG/POW}: those are SVML calls only for some species on some CPUs (on
 * this project's AVX-512 machine the 512-bit ones, not 128 or 256 bits), elsewhere a per-lane Java fallback that
 * boxes and runs far slower (docs/simd.md); and their last bits differ between that
 * fallback and C2, so a result would depend on the JIT tier. The scalar tails run the same operations on one
 * float ({@link #exp(float)}), so an element gives the same bits whether it falls in a lane or in the tail: the
 * same bits on every tier and every vector width.
 */
final class SimdMath {
  /** ln 2 split so that k·LN2_HI is exact for the k used here. */
  static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
  private static final float LOG2E = 1.44269504088896341f;
  /** 1.5·2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
  private static final float ROUND = 12582912f;
  /** Below, e^t is under float's normal range: the result is 0. Above, it overflows. */
  private static final float EXP_MIN = -87.3365447505531f, EXP_MAX = 88.7f;

  private SimdMath() {}

  /**
   * a[off, off + n) ← e^a, in place: e^t = 2^k e^r with k = round(t log2 e), |r| ≤ ln2/2, Cephes' expf
   * polynomial for e^r; 0 below {@link #EXP_MIN}. The scalar tail is {@link #exp(float)}.
   */
  static void exp(float[] a, int off, int n) {
    expMinus(a, off, n, 0f);
  }

  /** a[off, off + n) ← e^(a − shift), in place (the float difference first, then {@link #exp}'s method). */
  static void expMinus(float[] a, int off, int n, float shift) {
    int bound = FLOAT.loopBound(n);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector t = FloatVector.fromArray(FLOAT, a, off + i).sub(shift);
      VectorMask<Float> under = t.compare(VectorOperators.LT, EXP_MIN);
      t = t.max(EXP_MIN).min(EXP_MAX);
      FloatVector k = t.mul(LOG2E).add(ROUND).sub(ROUND);
      FloatVector r = t.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
      FloatVector rr = r.mul(r);
      FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
      p = p.mul(r).add(8.3334519073e-3f);
      p = p.mul(r).add(4.1665795894e-2f);
      p = p.mul(r).add(1.6666665459e-1f);
      p = p.mul(r).add(5.0000001201e-1f);
      FloatVector y = p.mul(rr).add(r).add(1f);
      IntVector exponent = (IntVector) k.convert(VectorOperators.F2I, 0);
      FloatVector scale = exponent.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      y.mul(scale).blend(0f, under).intoArray(a, off + i);
    }
    // scalar tail
    for (int i = bound; i < n; i++) {
      a[off + i] = exp(a[off + i] - shift);
    }
  }

  /** e^t by the lanes' operations in their order (one lane of {@link #expMinus}), for scalar tails. */
  static float exp(float t) {
    boolean under = t < EXP_MIN;
    t = Math.min(Math.max(t, EXP_MIN), EXP_MAX);
    float k = t * LOG2E + ROUND - ROUND;
    float r = t - k * LN2_HI - k * LN2_LO;
    float rr = r * r;
    float p = r * 1.9875691500e-4f + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * rr + r + 1f;
    float scale = Float.intBitsToFloat(((int) k + 127) << 23);
    return under ? 0f : y * scale;
  }
}
