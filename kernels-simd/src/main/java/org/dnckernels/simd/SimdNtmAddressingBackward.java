package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdLanes.SWAP_1;
import static org.dnckernels.simd.SimdLanes.SWAP_2;
import static org.dnckernels.simd.SimdLanes.SWAP_4;
import static org.dnckernels.simd.SimdLanes.SWAP_8;
import static org.dnckernels.simd.SimdLanes.SWAP_HALVES;
import static org.dnckernels.simd.SimdLanes.SWAP_QUARTERS;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backwards of NTM location addressing, with g = gradOut:
 *
 * <pre>
 *   interpolate: gradContent += γ g, gradPrevious += (1 − γ) g, gradGate += Σ_i g[i] (c[i] − w_prev[i])
 *   shift:       gradWeights[j] += Σ_d g[j + d] s[d + k],  gradShift[d + k] += Σ_i g[i] w[i − d]   (mod N)
 *   sharpen:     gradWeights[i] += γ (g[i] − ḡ) v[i]^(γ−1) / (m S),  gradGamma += Σ_{v>0} y[i] (g[i] − ḡ) ln v[i]
 * </pre>
 *
 * Element-wise parts in float lanes; the per-head reductions in float lanes, reduced in
 * {@link SimdLanes#sumLanes}' order and finished in double, as the forwards do.
 */
final class SimdNtmAddressingBackward implements KernelMath.NtmAddressingBackward {
  /** Below ln of the smallest float: multiplies only a power that is 0 (or subnormal, and then negligible). */
  private static final float LOG_FLOOR = -104f;

  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdNtmAddressingBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void ntmInterpolateBackward(Tensor content, Tensor previous, Tensor gate, Tensor gradOut,
      Tensor gradContent, Tensor gradPrevious, Tensor gradGate, int b0, int b1) {
    long work = 3L * (b1 - b0) * content.dim(1) * content.dim(2);
    int parts = split.acquire(b0, b1, content.dim(0), work);
    if (parts == 1) {
      interpolateSlice(content, previous, gate, gradOut, gradContent, gradPrevious, gradGate, b0, b1);
      return;
    }
    call.kernel = Kernel.INTERPOLATE;
    call.content = content;
    call.previous = previous;
    call.gate = gate;
    call.gradOut = gradOut;
    call.gradContent = gradContent;
    call.gradPrevious = gradPrevious;
    call.gradGate = gradGate;
    split.runAndRelease(call, parts, b1);
  }

  @Override
  public void ntmShiftBackward(Tensor weights, Tensor shift, Tensor gradOut, Tensor gradWeights, Tensor gradShift,
      int b0, int b1) {
    long work = 2L * (b1 - b0) * weights.dim(1) * weights.dim(2) * shift.dim(2);
    int parts = split.acquire(b0, b1, weights.dim(0), work);
    if (parts == 1) {
      shiftSlice(weights, shift, gradOut, gradWeights, gradShift, b0, b1);
      return;
    }
    call.kernel = Kernel.SHIFT;
    call.weights = weights;
    call.shift = shift;
    call.gradOut = gradOut;
    call.gradWeights = gradWeights;
    call.gradShift = gradShift;
    split.runAndRelease(call, parts, b1);
  }

  @Override
  public void ntmSharpenBackward(Tensor weights, Tensor gamma, Tensor gradOut, Tensor gradWeights, Tensor gradGamma,
      int b0, int b1) {
    long work = 32L * (b1 - b0) * weights.dim(1) * weights.dim(2); // a log and two exps per element
    int parts = split.acquire(b0, b1, weights.dim(0), work);
    if (parts == 1) {
      sharpenSlice(weights, gamma, gradOut, gradWeights, gradGamma, b0, b1);
      return;
    }
    call.kernel = Kernel.SHARPEN;
    call.weights = weights;
    call.gamma = gamma;
    call.gradOut = gradOut;
    call.gradWeights = gradWeights;
    call.gradGamma = gradGamma;
    split.runAndRelease(call, parts, b1);
  }

  private enum Kernel {
    INTERPOLATE, SHIFT, SHARPEN
  }

  /** The family's call being split, its arguments by name (those of the other kernels null). */
  private static final class Call implements SimdBatchPool.Slices {
    Kernel kernel;
    Tensor content, previous, gate, weights, shift, gamma, gradOut;
    Tensor gradContent, gradPrevious, gradGate, gradWeights, gradShift, gradGamma;

    @Override
    public void run(int b0, int b1) {
      switch (kernel) {
        case INTERPOLATE ->
            interpolateSlice(content, previous, gate, gradOut, gradContent, gradPrevious, gradGate, b0, b1);
        case SHIFT -> shiftSlice(weights, shift, gradOut, gradWeights, gradShift, b0, b1);
        case SHARPEN -> sharpenSlice(weights, gamma, gradOut, gradWeights, gradGamma, b0, b1);
      }
    }

    @Override
    public void clear() {
      kernel = null;
      content = previous = gate = weights = shift = gamma = gradOut = null;
      gradContent = gradPrevious = gradGate = gradWeights = gradShift = gradGamma = null;
    }
  }

  /** Batch entries [b0, b1): one pass per row for both weight gradients and the gate's sum. */
  static void interpolateSlice(Tensor content, Tensor previous, Tensor gate, Tensor gradOut, Tensor gradContent,
      Tensor gradPrevious, Tensor gradGate, int b0, int b1) {
    int h = content.dim(1), n = content.dim(2);
    float[] c = array(content), w = array(previous), gt = array(gate), g = array(gradOut);
    float[] gc = array(gradContent), gw = array(gradPrevious), gg = array(gradGate);
    int cOff = offset(content), wOff = offset(previous), gtOff = offset(gate), gOff = offset(gradOut);
    int gcOff = offset(gradContent), gwOff = offset(gradPrevious), ggOff = offset(gradGate);
    int bound = FLOAT.loopBound(n);
    for (int head = b0 * h; head < b1 * h; head++) {
      int row = head * n;
      float gateC = gt[gtOff + head], gateW = 1f - gateC;
      FloatVector acc = FloatVector.zero(FLOAT);
      int i = 0;
      for (; i < bound; i += LANES) {
        FloatVector gv = FloatVector.fromArray(FLOAT, g, gOff + row + i);
        FloatVector.fromArray(FLOAT, gc, gcOff + row + i).add(gv.mul(gateC)).intoArray(gc, gcOff + row + i);
        FloatVector.fromArray(FLOAT, gw, gwOff + row + i).add(gv.mul(gateW)).intoArray(gw, gwOff + row + i);
        FloatVector diff = FloatVector.fromArray(FLOAT, c, cOff + row + i)
            .sub(FloatVector.fromArray(FLOAT, w, wOff + row + i));
        acc = USE_FMA ? gv.fma(diff, acc) : gv.mul(diff).add(acc);
      }
      // sumLanes' order in registers (the levels of SimdReductions.sum)
      acc = acc.add(acc.rearrange(SWAP_HALVES));
      acc = acc.add(acc.rearrange(SWAP_QUARTERS));
      acc = SWAP_8 == null ? acc : acc.add(acc.rearrange(SWAP_8));
      acc = SWAP_4 == null ? acc : acc.add(acc.rearrange(SWAP_4));
      acc = SWAP_2 == null ? acc : acc.add(acc.rearrange(SWAP_2));
      acc = SWAP_1 == null ? acc : acc.add(acc.rearrange(SWAP_1));
      double sum = acc.lane(0);
      // scalar tail
      for (; i < n; i++) {
        float gi = g[gOff + row + i];
        gc[gcOff + row + i] += gateC * gi;
        gw[gwOff + row + i] += gateW * gi;
        sum += (double) gi * (c[cOff + row + i] - w[wOff + row + i]);
      }
      gg[ggOff + head] += (float) sum;
    }
  }

  /**
   * Batch entries [b0, b1). gradWeights is the forward's correlation turned round: slots k..N−k−1 never wrap and
   * are vectorised over j with unaligned loads of g at j + d, one fma per tap; the 2k wrapping slots (and the
   * middle's remainder) are scalar, summed in double. Each tap of gradShift is a dot of g with w moved by d: two
   * contiguous dots (before and after the wrap), each finished in double.
   */
  static void shiftSlice(Tensor weights, Tensor shift, Tensor gradOut, Tensor gradWeights, Tensor gradShift, int b0,
      int b1) {
    int h = weights.dim(1), n = weights.dim(2), taps = shift.dim(2), k = taps / 2;
    float[] w = array(weights), s = array(shift), g = array(gradOut), gw = array(gradWeights), gs = array(gradShift);
    int wOff = offset(weights), sOff = offset(shift), gOff = offset(gradOut);
    int gwOff = offset(gradWeights), gsOff = offset(gradShift);
    for (int head = b0 * h; head < b1 * h; head++) {
      int wb = wOff + head * n, sb = sOff + head * taps, gb = gOff + head * n;
      int gwb = gwOff + head * n, gsb = gsOff + head * taps;
      int j = k;
      int middleEnd = n - k;
      // two vectors per step: each tap's broadcast serves both; tap t reads g at j − k + t
      for (; j + 2 * LANES <= middleEnd; j += 2 * LANES) {
        FloatVector s0 = FloatVector.broadcast(FLOAT, s[sb]);
        FloatVector acc0 = FloatVector.fromArray(FLOAT, g, gb + j - k).mul(s0);
        FloatVector acc1 = FloatVector.fromArray(FLOAT, g, gb + j - k + LANES).mul(s0);
        for (int t = 1; t < taps; t++) {
          FloatVector st = FloatVector.broadcast(FLOAT, s[sb + t]);
          FloatVector g0 = FloatVector.fromArray(FLOAT, g, gb + j - k + t);
          FloatVector g1 = FloatVector.fromArray(FLOAT, g, gb + j - k + t + LANES);
          acc0 = USE_FMA ? g0.fma(st, acc0) : g0.mul(st).add(acc0);
          acc1 = USE_FMA ? g1.fma(st, acc1) : g1.mul(st).add(acc1);
        }
        FloatVector.fromArray(FLOAT, gw, gwb + j).add(acc0).intoArray(gw, gwb + j);
        FloatVector.fromArray(FLOAT, gw, gwb + j + LANES).add(acc1).intoArray(gw, gwb + j + LANES);
      }
      // one-vector tail
      for (; j + LANES <= middleEnd; j += LANES) {
        FloatVector acc = FloatVector.fromArray(FLOAT, g, gb + j - k).mul(s[sb]);
        for (int t = 1; t < taps; t++) {
          FloatVector st = FloatVector.broadcast(FLOAT, s[sb + t]);
          FloatVector gv = FloatVector.fromArray(FLOAT, g, gb + j - k + t);
          acc = USE_FMA ? gv.fma(st, acc) : gv.mul(st).add(acc);
        }
        FloatVector.fromArray(FLOAT, gw, gwb + j).add(acc).intoArray(gw, gwb + j);
      }
      // scalar: the middle's remainder, then the wrapping edges
      for (; j < middleEnd; j++) {
        gw[gwb + j] += correlation(g, gb, s, sb, n, k, j);
      }
      for (j = 0; j < k; j++) {
        gw[gwb + j] += correlation(g, gb, s, sb, n, k, j);
      }
      for (j = Math.max(middleEnd, k); j < n; j++) {
        gw[gwb + j] += correlation(g, gb, s, sb, n, k, j);
      }
      // Σ_i g[i] w[i − d]: for d ≥ 0, i < d wraps to w[i − d + N]; for d < 0, i ≥ N + d wraps to w[i − d − N]
      for (int d = -k; d <= k; d++) {
        double dot = d >= 0
            ? SimdReductions.dot(g, gb + d, w, wb, n - d) + SimdReductions.dot(g, gb, w, wb + n - d, d)
            : SimdReductions.dot(g, gb, w, wb - d, n + d) + SimdReductions.dot(g, gb + n + d, w, wb, -d);
        gs[gsb + d + k] += (float) dot;
      }
    }
  }

  /** Σ_d g[(j + d) mod N] s[d + k] in double, rounded once. */
  private static float correlation(float[] g, int gb, float[] s, int sb, int n, int k, int j) {
    double acc = 0;
    for (int d = -k; d <= k; d++) {
      acc += (double) g[gb + Math.floorMod(j + d, n)] * s[sb + d + k];
    }
    return (float) acc;
  }

  /**
   * Batch entries [b0, b1). Per row, as the forward: m = max w; L = ln(w/m) (−∞ below float's normal range); P =
   * x^γ = exp(γL) with the forward's bits (x itself when γ = 1), Q = x^(γ−1) = exp((γ − 1)L), S = ΣP, ḡ = P·g / S
   * (all finished in double); then one lane pass adds k(g − ḡ)Q to gradWeights (k = γ/(m S)) and sums P(g − ḡ)L
   * for gradGamma. L is clamped at {@link #LOG_FLOOR} there so that a zero weight's term is 0·finite.
   */
  static void sharpenSlice(Tensor weights, Tensor gamma, Tensor gradOut, Tensor gradWeights, Tensor gradGamma,
      int b0, int b1) {
    int h = weights.dim(1), n = weights.dim(2);
    float[] w = array(weights), ga = array(gamma), g = array(gradOut), gw = array(gradWeights), gg = array(gradGamma);
    int wOff = offset(weights), gaOff = offset(gamma), gOff = offset(gradOut);
    int gwOff = offset(gradWeights), ggOff = offset(gradGamma);
    HostScratch scratch = HostScratch.get();
    float[] log = scratch.floats(0, n), power = scratch.floats(1, n), lower = scratch.floats(2, n);
    int bound = FLOAT.loopBound(n);
    for (int head = b0 * h; head < b1 * h; head++) {
      int wb = wOff + head * n, gb = gOff + head * n, gwb = gwOff + head * n;
      float max = SimdReductions.max(w, wb, n);
      if (!(max > 0f)) {
        // the output was the constant 1/N: no gradient
        continue;
      }
      float gm = ga[gaOff + head];
      boolean identity = gm == 1f;
      SimdNtmAddressing.scaledLog(w, wb, max, 1f, log, 0, bound);
      for (int i = bound; i < n; i++) {
        log[i] = SimdNtmAddressing.scaledLog(w[wb + i] / max, 1f);
      }
      if (identity) {
        // x^1 = x, x^0 = 1 (a zero weight included)
        FloatVector maxv = FloatVector.broadcast(FLOAT, max);
        for (int i = 0; i < bound; i += LANES) {
          FloatVector.fromArray(FLOAT, w, wb + i).div(maxv).intoArray(power, i);
        }
        for (int i = bound; i < n; i++) {
          power[i] = w[wb + i] / max;
        }
        Arrays.fill(lower, 0, n, 1f);
      } else {
        // γ − 1 is exact for γ ≥ 1
        float gl = gm - 1f;
        for (int i = 0; i < bound; i += LANES) {
          FloatVector l = FloatVector.fromArray(FLOAT, log, i);
          l.mul(gm).intoArray(power, i);
          l.mul(gl).intoArray(lower, i);
        }
        for (int i = bound; i < n; i++) {
          power[i] = log[i] * gm;
          lower[i] = log[i] * gl;
        }
        SimdMath.exp(power, 0, n);
        SimdMath.exp(lower, 0, n);
      }
      double sum = SimdReductions.sum(power, 0, n);
      double mean = SimdReductions.dot(power, 0, g, gb, n) / sum;
      // m > 0 and S ≥ 1 (the max's term is 1): the only divisors
      double scale = gm / (max * sum);
      float scalef = (float) scale, meanf = (float) mean;
      if (!Float.isFinite(scalef)) {
        // m below about γ·3e-39: the factor overflows a float although most products do not
        scaledRow(g, gb, lower, mean, scale, gw, gwb, n);
        scalef = 0f;
      }
      FloatVector acc = FloatVector.zero(FLOAT);
      int i = 0;
      for (; i < bound; i += LANES) {
        FloatVector centred = FloatVector.fromArray(FLOAT, g, gb + i).sub(meanf);
        FloatVector pc = FloatVector.fromArray(FLOAT, power, i).mul(centred);
        FloatVector l = FloatVector.fromArray(FLOAT, log, i).max(LOG_FLOOR);
        acc = USE_FMA ? pc.fma(l, acc) : pc.mul(l).add(acc);
        FloatVector step = centred.mul(FloatVector.fromArray(FLOAT, lower, i)).mul(scalef);
        FloatVector.fromArray(FLOAT, gw, gwb + i).add(step).intoArray(gw, gwb + i);
      }
      // sumLanes' order in registers (the levels of SimdReductions.sum)
      acc = acc.add(acc.rearrange(SWAP_HALVES));
      acc = acc.add(acc.rearrange(SWAP_QUARTERS));
      acc = SWAP_8 == null ? acc : acc.add(acc.rearrange(SWAP_8));
      acc = SWAP_4 == null ? acc : acc.add(acc.rearrange(SWAP_4));
      acc = SWAP_2 == null ? acc : acc.add(acc.rearrange(SWAP_2));
      acc = SWAP_1 == null ? acc : acc.add(acc.rearrange(SWAP_1));
      double gammaSum = acc.lane(0);
      // scalar tail
      for (; i < n; i++) {
        float centred = g[gb + i] - meanf;
        gammaSum += (double) (power[i] * centred) * Math.max(log[i], LOG_FLOOR);
        gw[gwb + i] += centred * lower[i] * scalef;
      }
      gg[ggOff + head] += (float) (gammaSum / sum);
    }
  }

  /** gradWeights of a row whose factor k = γ/(m S) is beyond float: in double, rounded once (a cold path). */
  private static void scaledRow(float[] g, int gb, float[] lower, double mean, double scale, float[] gw, int gwb,
      int n) {
    for (int i = 0; i < n; i++) {
      gw[gwb + i] += (float) (scale * (g[gb + i] - mean) * lower[i]);
    }
  }
}
