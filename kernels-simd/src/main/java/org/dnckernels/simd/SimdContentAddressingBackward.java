package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
  private static final int LANES = SimdSpecies.LANES, HALF = LANES / 2;
  private static final VectorSpecies<Double> DOUBLE = SPECIES.withLanes(double.class);
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
    // −ρ_i per row
    float[] rho = scratch.floats(2, n);
    for (int b = b0; b < b1; b++) {
      int mOff = mBase + b * n * w, kOff = kBase + b * h * w, bh0 = b * h;
      for (int hh = 0; hh < h; hh++) {
        norms[hh] = Math.sqrt(SimdReductions.sumOfSquares(k, kOff + hh * w, w) + EPS);
      }
      SimdContentAddressing.dots(m, mOff, n, w, k, kOff, h, norms, 0, coef, 0);
      double rowMax = 0, keyMax = 0;
      for (int i = h; i < h + n; i++) {
        rowMax = Math.max(rowMax, norms[i]);
      }
      for (int hh = 0; hh < h; hh++) {
        keyMax = Math.max(keyMax, norms[hh]);
      }
      // |k·M[i]| ≤ ‖k‖ ‖M[i]‖ bounds every float partial sum: at or above FLOAT_SAFE (or with a row's squares
      // overflowed) the whole entry is redone in double, where a = β dz / den cannot underflow either
      if (!(keyMax * rowMax < SimdContentAddressing.FLOAT_SAFE)) {
        exactEntry(m, mOff, n, w, k, kOff, h, beta, sBase + bh0, wt, wBase + bh0 * n, g, gBase + bh0 * n, gm,
            gmBase + b * n * w, gk, gkBase + bh0 * w, gb, gbBase + bh0);
        continue;
      }
      java.util.Arrays.fill(norms, h + n, h + 2 * n, 0);
      for (int hh = 0; hh < h; hh++) {
        gb[gbBase + bh0 + hh] += (float) coefficients(coef, hh * n, n, norms, h, hh, beta[sBase + bh0 + hh], wt,
            wBase + (bh0 + hh) * n, g, gBase + (bh0 + hh) * n, keyRadial);
      }
      // −ρ_i = −Σ_h c[h,i] ‖k_h‖ / ‖M_i‖, rounded to float for the lanes
      for (int i = 0; i < n; i++) {
        rho[i] = (float) -(norms[h + n + i] / norms[h + i]);
      }
      // four keys (the read heads of the memory step and the standalone kernels): the column walk, whose key
      // sums stay in registers; other counts add every key to a row's gradient before one add to gm
      if (h == 4) {
        rows(m, mOff, n, w, k, kOff, h, coef, rho, gm, gmBase + b * n * w, keySums);
      } else {
        rowsEachKey(m, mOff, n, w, k, kOff, h, coef, rho, gm, gmBase + b * n * w, keySums);
      }
      for (int hh = 0; hh < h; hh++) {
        addKey(keySums, hh * w, k, kOff + hh * w, (float) keyRadial[hh], gk, gkBase + (bh0 + hh) * w, w);
      }
    }
  }

  /**
   * One batch entry in double throughout (the scalar reference's arithmetic), for magnitudes at which float
   * squares or dots could overflow, or the float coefficients a underflow.
   */
  private static void exactEntry(float[] m, int mOff, int n, int w, float[] k, int kOff, int h, float[] beta,
      int sOff, float[] wt, int wOff, float[] g, int gOff, float[] gm, int gmOff, float[] gk, int gkOff, float[] gb,
      int gbOff) {
    double[] keySum = HostScratch.get().doubles(2, w);
    for (int hh = 0; hh < h; hh++) {
      int key = kOff + hh * w, row = hh * n;
      double keyNorm = Math.sqrt(exactDot(k, key, k, key, w) + EPS), weighted = 0;
      for (int i = 0; i < n; i++) {
        weighted += (double) wt[wOff + row + i] * g[gOff + row + i];
      }
      java.util.Arrays.fill(keySum, 0, w, 0);
      double gradStrength = 0, keyRadial = 0;
      for (int i = 0; i < n; i++) {
        int r = mOff + i * w;
        double rowNorm = Math.sqrt(exactDot(m, r, m, r, w) + EPS);
        double den = keyNorm * rowNorm + EPS;
        double similarity = exactDot(k, key, m, r, w) / den;
        double dz = wt[wOff + row + i] * (g[gOff + row + i] - weighted);
        gradStrength += dz * similarity;
        double a = beta[sOff + hh] * dz / den, c = a * similarity;
        keyRadial += c * rowNorm;
        double rowRadial = c * keyNorm / rowNorm;
        for (int j = 0; j < w; j++) {
          gm[gmOff + i * w + j] += (float) (a * k[key + j] - rowRadial * m[r + j]);
          keySum[j] += a * m[r + j];
        }
      }
      gb[gbOff + hh] += (float) gradStrength;
      keyRadial /= keyNorm;
      for (int j = 0; j < w; j++) {
        gk[gkOff + hh * w + j] += (float) (keySum[j] - keyRadial * k[key + j]);
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
   * Key {@code hh}'s softmax backward and cosine coefficients, in double lanes: dz = w (g − Σ w g), a = β dz / den
   * (stored over the dots, as floats), the radial sums Σ_i c ‖M_i‖ / ‖k‖ (into keyRadial) and Σ_h c ‖k_h‖ (added
   * to norms[h + n + i]). Returns ∂ℓ/∂β = Σ_i dz D. Each element's operations are the scalar formula's (no fused
   * multiply-add in double), in lanes and in the tail alike; the three sums go in double lanes, added in lane
   * order at the end.
   */
  private static double coefficients(float[] coef, int row, int n, double[] norms, int h, int hh, double strength,
      float[] wt, int wOff, float[] g, int gOff, double[] keyRadial) {
    int bound = SPECIES.loopBound(n);
    DoubleVector acc0 = DoubleVector.zero(DOUBLE), acc1 = acc0;
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector wv = FloatVector.fromArray(SPECIES, wt, wOff + i), gv = FloatVector.fromArray(SPECIES, g, gOff + i);
      acc0 = acc0.add(((DoubleVector) wv.convert(VectorOperators.F2D, 0))
          .mul((DoubleVector) gv.convert(VectorOperators.F2D, 0)));
      acc1 = acc1.add(((DoubleVector) wv.convert(VectorOperators.F2D, 1))
          .mul((DoubleVector) gv.convert(VectorOperators.F2D, 1)));
    }
    // lanes added in lane order, inline (reduceLanes' order differs between JIT tiers; a helper taking the
    // vector could box it)
    DoubleVector lanes = acc0.add(acc1);
    double weighted = 0;
    for (int l = 0; l < HALF; l++) {
      weighted += lanes.lane(l);
    }
    // scalar tail
    for (int t = i; t < n; t++) {
      weighted += (double) wt[wOff + t] * g[gOff + t];
    }
    double keyNorm = norms[hh];
    DoubleVector strengths0 = DoubleVector.zero(DOUBLE), strengths1 = strengths0, radial0 = strengths0;
    DoubleVector radial1 = strengths0;
    int rows = h, sums = h + n;
    i = 0;
    for (; i < bound; i += LANES) {
      FloatVector dv = FloatVector.fromArray(SPECIES, coef, row + i);
      FloatVector wv = FloatVector.fromArray(SPECIES, wt, wOff + i), gv = FloatVector.fromArray(SPECIES, g, gOff + i);
      // lanes [0, HALF)
      DoubleVector rowNorm = DoubleVector.fromArray(DOUBLE, norms, rows + i);
      DoubleVector den = rowNorm.mul(keyNorm).add(EPS);
      DoubleVector similarity = ((DoubleVector) dv.convert(VectorOperators.F2D, 0)).div(den);
      DoubleVector dz = ((DoubleVector) wv.convert(VectorOperators.F2D, 0))
          .mul(((DoubleVector) gv.convert(VectorOperators.F2D, 0)).sub(weighted));
      strengths0 = strengths0.add(dz.mul(similarity));
      DoubleVector a0 = dz.mul(strength).div(den), c = a0.mul(similarity);
      radial0 = radial0.add(c.mul(rowNorm));
      DoubleVector.fromArray(DOUBLE, norms, sums + i).add(c.mul(keyNorm)).intoArray(norms, sums + i);
      // lanes [HALF, LANES)
      rowNorm = DoubleVector.fromArray(DOUBLE, norms, rows + i + HALF);
      den = rowNorm.mul(keyNorm).add(EPS);
      similarity = ((DoubleVector) dv.convert(VectorOperators.F2D, 1)).div(den);
      dz = ((DoubleVector) wv.convert(VectorOperators.F2D, 1))
          .mul(((DoubleVector) gv.convert(VectorOperators.F2D, 1)).sub(weighted));
      strengths1 = strengths1.add(dz.mul(similarity));
      DoubleVector a1 = dz.mul(strength).div(den);
      c = a1.mul(similarity);
      radial1 = radial1.add(c.mul(rowNorm));
      DoubleVector.fromArray(DOUBLE, norms, sums + i + HALF).add(c.mul(keyNorm)).intoArray(norms, sums + i + HALF);
      // each half of the doubles fills its half of the floats, the other half zero
      FloatVector lo = (FloatVector) a0.convert(VectorOperators.D2F, 0);
      FloatVector hi = (FloatVector) a1.convert(VectorOperators.D2F, -1);
      lo.add(hi).intoArray(coef, row + i);
    }
    DoubleVector strengths = strengths0.add(strengths1), radials = radial0.add(radial1);
    double gradStrength = 0, radial = 0;
    for (int l = 0; l < HALF; l++) {
      gradStrength += strengths.lane(l);
      radial += radials.lane(l);
    }
    // scalar tail
    for (; i < n; i++) {
      double rowNorm = norms[rows + i];
      double den = rowNorm * keyNorm + EPS;
      double similarity = coef[row + i] / den;
      double dz = wt[wOff + i] * ((double) g[gOff + i] - weighted);
      gradStrength += dz * similarity;
      double a = dz * strength / den, c = a * similarity;
      coef[row + i] = (float) a;
      radial += c * rowNorm;
      norms[sums + i] += c * keyNorm;
    }
    keyRadial[hh] = radial / keyNorm;
    return gradStrength;
  }

  /**
   * gradMemory_i += Σ_h a[h,i] k_h − ρ_i M_i for every row, and keySums_h = Σ_i a[h,i] M_i. One vector column at a
   * time down all rows (the rows stay in L2), keys four at a time: the column's four key vectors and their four
   * sums stay in registers, so each group of four loaded row vectors feeds 32 FMAs with no load or store of a
   * sum; rows in groups of four, then those left over one at a time. Called for H = 4 (other H:
   * {@link #rowsEachKey}); with H a larger multiple of four each block of keys would add its own pass to gm
   * (more roundings than the cross-check bounds allow for), the first starting each row from −ρ_i M_i. Per element the operations are in the same order in lanes and in the scalar tail.
   * {@code rho} holds −ρ_i.
   */
  private static void rows(float[] m, int mOff, int n, int w, float[] k, int kOff, int h, float[] coef,
      float[] rho, float[] gm, int gmOff, float[] keySums) {
    int bound = SPECIES.loopBound(w), groups = n & -ROWS;
    int hh = 0;
    for (; hh + 4 <= h; hh += 4) {
      boolean first = hh == 0;
      int ca = hh * n, cb = ca + n, cc = cb + n, cd = cc + n;
      int j = 0;
      for (; j < bound; j += LANES) {
        int kj = kOff + hh * w + j;
        FloatVector ka = FloatVector.fromArray(SPECIES, k, kj), kb = FloatVector.fromArray(SPECIES, k, kj + w);
        FloatVector kc = FloatVector.fromArray(SPECIES, k, kj + 2 * w);
        FloatVector kd = FloatVector.fromArray(SPECIES, k, kj + 3 * w);
        FloatVector sa = FloatVector.zero(SPECIES), sb = sa, sc = sa, sd = sa;
        int i = 0;
        for (; i < groups; i += ROWS) {
          int r0 = mOff + i * w + j, r1 = r0 + w, r2 = r1 + w, r3 = r2 + w;
          int g0 = gmOff + i * w + j, g1 = g0 + w, g2 = g1 + w, g3 = g2 + w;
          FloatVector x0 = FloatVector.fromArray(SPECIES, m, r0), x1 = FloatVector.fromArray(SPECIES, m, r1);
          FloatVector x2 = FloatVector.fromArray(SPECIES, m, r2), x3 = FloatVector.fromArray(SPECIES, m, r3);
          FloatVector t0, t1, t2, t3;
          if (first) {
            t0 = x0.mul(rho[i]);
            t1 = x1.mul(rho[i + 1]);
            t2 = x2.mul(rho[i + 2]);
            t3 = x3.mul(rho[i + 3]);
          } else {
            t0 = t1 = t2 = t3 = FloatVector.zero(SPECIES);
          }
          FloatVector a0 = FloatVector.broadcast(SPECIES, coef[ca + i]);
          FloatVector a1 = FloatVector.broadcast(SPECIES, coef[ca + i + 1]);
          FloatVector a2 = FloatVector.broadcast(SPECIES, coef[ca + i + 2]);
          FloatVector a3 = FloatVector.broadcast(SPECIES, coef[ca + i + 3]);
          t0 = FMA ? ka.fma(a0, t0) : ka.mul(a0).add(t0);
          t1 = FMA ? ka.fma(a1, t1) : ka.mul(a1).add(t1);
          t2 = FMA ? ka.fma(a2, t2) : ka.mul(a2).add(t2);
          t3 = FMA ? ka.fma(a3, t3) : ka.mul(a3).add(t3);
          sa = FMA ? x0.fma(a0, sa) : x0.mul(a0).add(sa);
          sa = FMA ? x1.fma(a1, sa) : x1.mul(a1).add(sa);
          sa = FMA ? x2.fma(a2, sa) : x2.mul(a2).add(sa);
          sa = FMA ? x3.fma(a3, sa) : x3.mul(a3).add(sa);
          a0 = FloatVector.broadcast(SPECIES, coef[cb + i]);
          a1 = FloatVector.broadcast(SPECIES, coef[cb + i + 1]);
          a2 = FloatVector.broadcast(SPECIES, coef[cb + i + 2]);
          a3 = FloatVector.broadcast(SPECIES, coef[cb + i + 3]);
          t0 = FMA ? kb.fma(a0, t0) : kb.mul(a0).add(t0);
          t1 = FMA ? kb.fma(a1, t1) : kb.mul(a1).add(t1);
          t2 = FMA ? kb.fma(a2, t2) : kb.mul(a2).add(t2);
          t3 = FMA ? kb.fma(a3, t3) : kb.mul(a3).add(t3);
          sb = FMA ? x0.fma(a0, sb) : x0.mul(a0).add(sb);
          sb = FMA ? x1.fma(a1, sb) : x1.mul(a1).add(sb);
          sb = FMA ? x2.fma(a2, sb) : x2.mul(a2).add(sb);
          sb = FMA ? x3.fma(a3, sb) : x3.mul(a3).add(sb);
          a0 = FloatVector.broadcast(SPECIES, coef[cc + i]);
          a1 = FloatVector.broadcast(SPECIES, coef[cc + i + 1]);
          a2 = FloatVector.broadcast(SPECIES, coef[cc + i + 2]);
          a3 = FloatVector.broadcast(SPECIES, coef[cc + i + 3]);
          t0 = FMA ? kc.fma(a0, t0) : kc.mul(a0).add(t0);
          t1 = FMA ? kc.fma(a1, t1) : kc.mul(a1).add(t1);
          t2 = FMA ? kc.fma(a2, t2) : kc.mul(a2).add(t2);
          t3 = FMA ? kc.fma(a3, t3) : kc.mul(a3).add(t3);
          sc = FMA ? x0.fma(a0, sc) : x0.mul(a0).add(sc);
          sc = FMA ? x1.fma(a1, sc) : x1.mul(a1).add(sc);
          sc = FMA ? x2.fma(a2, sc) : x2.mul(a2).add(sc);
          sc = FMA ? x3.fma(a3, sc) : x3.mul(a3).add(sc);
          a0 = FloatVector.broadcast(SPECIES, coef[cd + i]);
          a1 = FloatVector.broadcast(SPECIES, coef[cd + i + 1]);
          a2 = FloatVector.broadcast(SPECIES, coef[cd + i + 2]);
          a3 = FloatVector.broadcast(SPECIES, coef[cd + i + 3]);
          t0 = FMA ? kd.fma(a0, t0) : kd.mul(a0).add(t0);
          t1 = FMA ? kd.fma(a1, t1) : kd.mul(a1).add(t1);
          t2 = FMA ? kd.fma(a2, t2) : kd.mul(a2).add(t2);
          t3 = FMA ? kd.fma(a3, t3) : kd.mul(a3).add(t3);
          sd = FMA ? x0.fma(a0, sd) : x0.mul(a0).add(sd);
          sd = FMA ? x1.fma(a1, sd) : x1.mul(a1).add(sd);
          sd = FMA ? x2.fma(a2, sd) : x2.mul(a2).add(sd);
          sd = FMA ? x3.fma(a3, sd) : x3.mul(a3).add(sd);
          FloatVector.fromArray(SPECIES, gm, g0).add(t0).intoArray(gm, g0);
          FloatVector.fromArray(SPECIES, gm, g1).add(t1).intoArray(gm, g1);
          FloatVector.fromArray(SPECIES, gm, g2).add(t2).intoArray(gm, g2);
          FloatVector.fromArray(SPECIES, gm, g3).add(t3).intoArray(gm, g3);
        }
        // rows left over, one at a time
        for (; i < n; i++) {
          int r0 = mOff + i * w + j, g0 = gmOff + i * w + j;
          FloatVector x0 = FloatVector.fromArray(SPECIES, m, r0);
          FloatVector t0 = first ? x0.mul(rho[i]) : FloatVector.zero(SPECIES);
          FloatVector a0 = FloatVector.broadcast(SPECIES, coef[ca + i]);
          t0 = FMA ? ka.fma(a0, t0) : ka.mul(a0).add(t0);
          sa = FMA ? x0.fma(a0, sa) : x0.mul(a0).add(sa);
          a0 = FloatVector.broadcast(SPECIES, coef[cb + i]);
          t0 = FMA ? kb.fma(a0, t0) : kb.mul(a0).add(t0);
          sb = FMA ? x0.fma(a0, sb) : x0.mul(a0).add(sb);
          a0 = FloatVector.broadcast(SPECIES, coef[cc + i]);
          t0 = FMA ? kc.fma(a0, t0) : kc.mul(a0).add(t0);
          sc = FMA ? x0.fma(a0, sc) : x0.mul(a0).add(sc);
          a0 = FloatVector.broadcast(SPECIES, coef[cd + i]);
          t0 = FMA ? kd.fma(a0, t0) : kd.mul(a0).add(t0);
          sd = FMA ? x0.fma(a0, sd) : x0.mul(a0).add(sd);
          FloatVector.fromArray(SPECIES, gm, g0).add(t0).intoArray(gm, g0);
        }
        int s = hh * w + j;
        sa.intoArray(keySums, s);
        sb.intoArray(keySums, s + w);
        sc.intoArray(keySums, s + 2 * w);
        sd.intoArray(keySums, s + 3 * w);
      }
      // scalar tail: the same operations per element
      for (; j < w; j++) {
        int kj = kOff + hh * w + j;
        float ka = k[kj], kb = k[kj + w], kc = k[kj + 2 * w], kd = k[kj + 3 * w];
        float sa = 0, sb = 0, sc = 0, sd = 0;
        for (int i = 0; i < n; i++) {
          float x = m[mOff + i * w + j];
          float t = first ? x * rho[i] : 0f;
          float a = coef[ca + i];
          t = SimdConfig.madd(ka, a, t);
          sa = SimdConfig.madd(x, a, sa);
          a = coef[cb + i];
          t = SimdConfig.madd(kb, a, t);
          sb = SimdConfig.madd(x, a, sb);
          a = coef[cc + i];
          t = SimdConfig.madd(kc, a, t);
          sc = SimdConfig.madd(x, a, sc);
          a = coef[cd + i];
          t = SimdConfig.madd(kd, a, t);
          sd = SimdConfig.madd(x, a, sd);
          gm[gmOff + i * w + j] += t;
        }
        int s = hh * w + j;
        keySums[s] = sa;
        keySums[s + w] = sb;
        keySums[s + 2 * w] = sc;
        keySums[s + 3 * w] = sd;
      }
    }
  }

  /**
   * gradMemory_i += Σ_h a[h,i] k_h − ρ_i M_i for every row, and keySums_h += a[h,i] M_i: rows in groups of four
   * (their loaded lanes serve every key), then the rows left over one at a time: for a number of keys not a
   * multiple of four, which {@link #rows} takes four at a time.
   */
  private static void rowsEachKey(float[] m, int mOff, int n, int w, float[] k, int kOff, int h, float[] coef,
      float[] rho, float[] gm, int gmOff, float[] keySums) {
    java.util.Arrays.fill(keySums, 0, h * w, 0f);
    int bound = SPECIES.loopBound(w);
    int i = 0;
    for (; i + ROWS <= n; i += ROWS) {
      int r0 = mOff + i * w, r1 = r0 + w, r2 = r1 + w, r3 = r2 + w;
      int g0 = gmOff + i * w, g1 = g0 + w, g2 = g1 + w, g3 = g2 + w;
      float p0 = rho[i], p1 = rho[i + 1], p2 = rho[i + 2], p3 = rho[i + 3];
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
      float p0 = rho[i];
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
