package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.dnckernels.DncKernels;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of content addressing (see {@link DncKernels#contentWeightsBackward}). With a[h,i] = β dz[h,i] /
 * den[h,i] and c[h,i] = a[h,i] D[h,i]:
 *
 * <pre>
 *   gradKeys_h   += Σ_i a[h,i] M_i − (k_h / ‖k_h‖) Σ_i c[h,i] ‖M_i‖
 *   gradMemory_i += Σ_h a[h,i] k_h − (M_i / ‖M_i‖) Σ_h c[h,i] ‖k_h‖
 * </pre>
 *
 * <p>Three passes per batch entry. (1) The cosines' dot products and norms by the forward's own pass
 * ({@link SimdContentAddressing#dots}: float lanes, one pass over the rows for all keys), so the backward sees
 * the forward's bits; keys whose norms could overflow float get theirs in double, as in the forward. (2) Per key,
 * in double: the softmax's backward dz, ∂ℓ/∂β, the coefficients a (kept as floats for the lanes) and the radial
 * sums of c. (3) One pass over the rows in groups of four: each row's gradient Σ_h a k_h − ρ_i M_i in float lanes,
 * added to gradMemory once, while the same loaded rows feed every key's Σ_i a M_i (float accumulators in scratch,
 * in L1: H·W floats). M and gradMemory are thus streamed once whatever H is; the keys are re-read from L1.
 */
final class SimdContentAddressingBackward implements KernelMath.ContentAddressingBackward {
  private static final VectorSpecies<Float> SPECIES = SimdSpecies.FLOAT;
  private static final int LANES = SimdSpecies.LANES;
  /** lane FMA (inline at each use: a helper method taking vectors could box them). */
  private static final boolean FMA = SimdConfig.USE_FMA;
  private static final double EPS = DncKernels.EPSILON;
  /** rows per group of the gradient pass. */
  private static final int ROWS = 4;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdContentAddressingBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights,
      Tensor gradWeights, Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1) {
    long work = (long) (b1 - b0) * (3L * keys.dim(1) + 1) * memory.dim(1) * memory.dim(2);
    int parts = split.acquire(b0, b1, memory.dim(0), work);
    if (parts == 1) {
      backwardSlice(memory, keys, strengths, weights, gradWeights, gradMemory, gradKeys, gradStrengths, b0, b1);
      return;
    }
    call.memory = memory;
    call.keys = keys;
    call.strengths = strengths;
    call.weights = weights;
    call.gradWeights = gradWeights;
    call.gradMemory = gradMemory;
    call.gradKeys = gradKeys;
    call.gradStrengths = gradStrengths;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor memory;
    Tensor keys;
    Tensor strengths;
    Tensor weights;
    Tensor gradWeights;
    Tensor gradMemory;
    Tensor gradKeys;
    Tensor gradStrengths;

    @Override
    public void run(int b0, int b1) {
      backwardSlice(memory, keys, strengths, weights, gradWeights, gradMemory, gradKeys, gradStrengths, b0, b1);
    }

    @Override
    public void clear() {
      memory = keys = strengths = weights = gradWeights = gradMemory = gradKeys = gradStrengths = null;
    }
  }

  static void backwardSlice(Tensor memory, Tensor keys, Tensor strengths, Tensor weights, Tensor gradWeights,
      Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1) {
    int n = memory.dim(1), w = memory.dim(2), h = keys.dim(1);
    float[] m = array(memory), k = array(keys), beta = array(strengths), wt = array(weights), g = array(gradWeights);
    float[] gm = array(gradMemory), gk = array(gradKeys), gb = array(gradStrengths);
    int mBase = offset(memory), kBase = offset(keys), sBase = offset(strengths), wBase = offset(weights);
    int gBase = offset(gradWeights), gmBase = offset(gradMemory), gkBase = offset(gradKeys);
    int gbBase = offset(gradStrengths);
    HostScratch scratch = HostScratch.get();
    // [0, h): ‖k‖ of each key; [h, h + n): ‖M[i]‖ of each row (the forward's layout); [h + n, h + 2n): ρ_i
    double[] norms = scratch.doubles(0, h + 2 * n);
    // [0, h): Σ_i c[h,i] ‖M_i‖ / ‖k_h‖
    double[] keyRadial = scratch.doubles(1, h);
    // the dots k_h·M_i, then a[h,i]
    float[] coef = scratch.floats(0, h * n);
    // Σ_i a[h,i] M_i per key
    float[] keySums = scratch.floats(1, h * w);
    for (int b = b0; b < b1; b++) {
      int mOff = mBase + b * n * w, kOff = kBase + b * h * w, bh0 = b * h;
      for (int hh = 0; hh < h; hh++) {
        norms[hh] = Math.sqrt(SimdReductions.sumOfSquares(k, kOff + hh * w, w) + EPS);
      }
      SimdContentAddressing.dots(m, mOff, n, w, k, kOff, h, norms, coef, 0);
      double rowMax = 0, keyMax = 0;
      for (int i = h; i < h + n; i++) {
        rowMax = Math.max(rowMax, norms[i]);
      }
      for (int hh = 0; hh < h; hh++) {
        keyMax = Math.max(keyMax, norms[hh]);
      }
      // |k·M[i]| ≤ ‖k‖ ‖M[i]‖ bounds every float partial sum: at or above FLOAT_SAFE (or with a row's squares
      // overflowed) the whole entry is redone in double
      boolean cosines = !(keyMax * rowMax < SimdContentAddressing.FLOAT_SAFE);
      if (cosines) {
        exactCosines(m, mOff, n, w, k, kOff, h, norms, coef);
      }
      java.util.Arrays.fill(norms, h + n, h + 2 * n, 0);
      for (int hh = 0; hh < h; hh++) {
        gb[gbBase + bh0 + hh] += (float) coefficients(coef, hh * n, n, cosines, norms, h, hh, beta[sBase + bh0 + hh],
            wt, wBase + (bh0 + hh) * n, g, gBase + (bh0 + hh) * n, keyRadial);
      }
      // ρ_i = Σ_h c[h,i] ‖k_h‖ / ‖M_i‖
      for (int i = 0; i < n; i++) {
        norms[h + n + i] /= norms[h + i];
      }
      java.util.Arrays.fill(keySums, 0, h * w, 0f);
      rows(m, mOff, n, w, k, kOff, h, coef, norms, h + n, gm, gmBase + b * n * w, keySums);
      for (int hh = 0; hh < h; hh++) {
        addKey(keySums, hh * w, k, kOff + hh * w, (float) keyRadial[hh], gk, gkBase + (bh0 + hh) * w, w);
      }
    }
  }

  /**
   * For magnitudes at which float squares or dots could overflow: every norm in double (the forward's exactLogits
   * arithmetic), and the cosines D themselves (|D| ≤ 1, so finite as floats) in place of the dots.
   */
  private static void exactCosines(
      float[] m, int mOff, int n, int w, float[] k, int kOff, int h, double[] norms, float[] coef) {
    for (int hh = 0; hh < h; hh++) {
      norms[hh] = Math.sqrt(exactDot(k, kOff + hh * w, k, kOff + hh * w, w) + EPS);
    }
    for (int i = 0; i < n; i++) {
      norms[h + i] = Math.sqrt(exactDot(m, mOff + i * w, m, mOff + i * w, w) + EPS);
    }
    for (int hh = 0; hh < h; hh++) {
      for (int i = 0; i < n; i++) {
        double dot = exactDot(k, kOff + hh * w, m, mOff + i * w, w);
        coef[hh * n + i] = (float) (dot / (norms[hh] * norms[h + i] + EPS));
      }
    }
  }

  private static double exactDot(float[] x, int xOff, float[] y, int yOff, int w) {
    double s = 0;
    for (int j = 0; j < w; j++) {
      s += (double) x[xOff + j] * y[yOff + j];
    }
    return s;
  }

  /**
   * Key {@code hh}'s softmax backward and cosine coefficients, in double: dz = w (g − Σ w g), a = β dz / den
   * (stored over the dots, as floats), the radial sums Σ_i c ‖M_i‖ / ‖k‖ (into keyRadial) and Σ_h c ‖k_h‖ (added
   * to norms[h + n + i]). {@code coef} holds the dots, or the cosines themselves where {@code cosines}. Returns
   * ∂ℓ/∂β = Σ_i dz D.
   */
  private static double coefficients(float[] coef, int row, int n, boolean cosines, double[] norms, int h, int hh,
      double strength, float[] wt, int wOff, float[] g, int gOff, double[] keyRadial) {
    double weighted = 0;
    for (int i = 0; i < n; i++) {
      weighted += (double) wt[wOff + i] * g[gOff + i];
    }
    double keyNorm = norms[hh], gradStrength = 0, radial = 0;
    for (int i = 0; i < n; i++) {
      double rowNorm = norms[h + i];
      double den = keyNorm * rowNorm + EPS;
      double similarity = cosines ? coef[row + i] : coef[row + i] / den;
      double dz = wt[wOff + i] * (g[gOff + i] - weighted);
      gradStrength += dz * similarity;
      double a = strength * dz / den, c = a * similarity;
      coef[row + i] = (float) a;
      radial += c * rowNorm;
      norms[h + n + i] += c * keyNorm;
    }
    keyRadial[hh] = radial / keyNorm;
    return gradStrength;
  }

  /**
   * gradMemory_i += Σ_h a[h,i] k_h − ρ_i M_i for every row, and keySums_h += a[h,i] M_i: rows in groups of four
   * (their loaded lanes serve every key), then the rows left over one at a time.
   */
  private static void rows(float[] m, int mOff, int n, int w, float[] k, int kOff, int h, float[] coef,
      double[] radial, int rOff, float[] gm, int gmOff, float[] keySums) {
    int bound = SPECIES.loopBound(w);
    int i = 0;
    for (; i + ROWS <= n; i += ROWS) {
      int r0 = mOff + i * w, r1 = r0 + w, r2 = r1 + w, r3 = r2 + w;
      int g0 = gmOff + i * w, g1 = g0 + w, g2 = g1 + w, g3 = g2 + w;
      float p0 = (float) -radial[rOff + i], p1 = (float) -radial[rOff + i + 1];
      float p2 = (float) -radial[rOff + i + 2], p3 = (float) -radial[rOff + i + 3];
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, m, r0 + j);
        FloatVector x1 = FloatVector.fromArray(SPECIES, m, r1 + j);
        FloatVector x2 = FloatVector.fromArray(SPECIES, m, r2 + j);
        FloatVector x3 = FloatVector.fromArray(SPECIES, m, r3 + j);
        FloatVector t0 = x0.mul(p0), t1 = x1.mul(p1), t2 = x2.mul(p2), t3 = x3.mul(p3);
        for (int hh = 0; hh < h; hh++) {
          int c = hh * n + i;
          FloatVector a0 = FloatVector.broadcast(SPECIES, coef[c]), a1 = FloatVector.broadcast(SPECIES, coef[c + 1]);
          FloatVector a2 = FloatVector.broadcast(SPECIES, coef[c + 2]), a3 = FloatVector.broadcast(SPECIES, coef[c + 3]);
          FloatVector kv = FloatVector.fromArray(SPECIES, k, kOff + hh * w + j);
          t0 = FMA ? kv.fma(a0, t0) : kv.mul(a0).add(t0);
          t1 = FMA ? kv.fma(a1, t1) : kv.mul(a1).add(t1);
          t2 = FMA ? kv.fma(a2, t2) : kv.mul(a2).add(t2);
          t3 = FMA ? kv.fma(a3, t3) : kv.mul(a3).add(t3);
          int s = hh * w + j;
          FloatVector sum = FloatVector.fromArray(SPECIES, keySums, s);
          sum = FMA ? x0.fma(a0, sum) : x0.mul(a0).add(sum);
          sum = FMA ? x1.fma(a1, sum) : x1.mul(a1).add(sum);
          sum = FMA ? x2.fma(a2, sum) : x2.mul(a2).add(sum);
          sum = FMA ? x3.fma(a3, sum) : x3.mul(a3).add(sum);
          sum.intoArray(keySums, s);
        }
        FloatVector.fromArray(SPECIES, gm, g0 + j).add(t0).intoArray(gm, g0 + j);
        FloatVector.fromArray(SPECIES, gm, g1 + j).add(t1).intoArray(gm, g1 + j);
        FloatVector.fromArray(SPECIES, gm, g2 + j).add(t2).intoArray(gm, g2 + j);
        FloatVector.fromArray(SPECIES, gm, g3 + j).add(t3).intoArray(gm, g3 + j);
      }
      // scalar tail
      for (; j < w; j++) {
        float x0 = m[r0 + j], x1 = m[r1 + j], x2 = m[r2 + j], x3 = m[r3 + j];
        float t0 = x0 * p0, t1 = x1 * p1, t2 = x2 * p2, t3 = x3 * p3;
        for (int hh = 0; hh < h; hh++) {
          int c = hh * n + i;
          float a0 = coef[c], a1 = coef[c + 1], a2 = coef[c + 2], a3 = coef[c + 3];
          float kj = k[kOff + hh * w + j];
          t0 = SimdConfig.madd(kj, a0, t0);
          t1 = SimdConfig.madd(kj, a1, t1);
          t2 = SimdConfig.madd(kj, a2, t2);
          t3 = SimdConfig.madd(kj, a3, t3);
          int s = hh * w + j;
          float sum = SimdConfig.madd(x0, a0, keySums[s]);
          sum = SimdConfig.madd(x1, a1, sum);
          sum = SimdConfig.madd(x2, a2, sum);
          keySums[s] = SimdConfig.madd(x3, a3, sum);
        }
        gm[g0 + j] += t0;
        gm[g1 + j] += t1;
        gm[g2 + j] += t2;
        gm[g3 + j] += t3;
      }
    }
    // rows left over, one at a time
    for (; i < n; i++) {
      int r0 = mOff + i * w, g0 = gmOff + i * w;
      float p0 = (float) -radial[rOff + i];
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, m, r0 + j);
        FloatVector t0 = x0.mul(p0);
        for (int hh = 0; hh < h; hh++) {
          FloatVector a0 = FloatVector.broadcast(SPECIES, coef[hh * n + i]);
          FloatVector kv = FloatVector.fromArray(SPECIES, k, kOff + hh * w + j);
          t0 = FMA ? kv.fma(a0, t0) : kv.mul(a0).add(t0);
          int s = hh * w + j;
          FloatVector sum = FloatVector.fromArray(SPECIES, keySums, s);
          (FMA ? x0.fma(a0, sum) : x0.mul(a0).add(sum)).intoArray(keySums, s);
        }
        FloatVector.fromArray(SPECIES, gm, g0 + j).add(t0).intoArray(gm, g0 + j);
      }
      // scalar tail
      for (; j < w; j++) {
        float x0 = m[r0 + j], t0 = x0 * p0;
        for (int hh = 0; hh < h; hh++) {
          float a0 = coef[hh * n + i];
          t0 = SimdConfig.madd(k[kOff + hh * w + j], a0, t0);
          int s = hh * w + j;
          keySums[s] = SimdConfig.madd(x0, a0, keySums[s]);
        }
        gm[g0 + j] += t0;
      }
    }
  }

  /** gradKeys_h += keySums_h − κ_h k_h, κ_h = Σ_i c[h,i] ‖M_i‖ / ‖k_h‖. */
  private static void addKey(float[] keySums, int sOff, float[] k, int kOff, float kappa, float[] gk, int gkOff,
      int w) {
    float minus = -kappa;
    FloatVector mv = FloatVector.broadcast(SPECIES, minus);
    int bound = SPECIES.loopBound(w);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector kv = FloatVector.fromArray(SPECIES, k, kOff + j);
      FloatVector t = FloatVector.fromArray(SPECIES, keySums, sOff + j);
      t = FMA ? kv.fma(mv, t) : kv.mul(mv).add(t);
      FloatVector.fromArray(SPECIES, gk, gkOff + j).add(t).intoArray(gk, gkOff + j);
    }
    // scalar tail
    for (; j < w; j++) {
      gk[gkOff + j] += SimdConfig.madd(k[kOff + j], minus, keySums[sOff + j]);
    }
  }
}
