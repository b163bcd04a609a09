package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdConfig.madd;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import org.dnckernels.HostScratch;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of {@link SimdUsage}. With g = gradOut, ŵ = 1 − Π_h (1 − w^w_h), ψ = Π_r (1 − f_r w^r_r):
 *
 * <pre>
 *   gradPrevUsage           += g ψ (1 − ŵ)
 *   gradPrevWriteWeights[h] += g ψ (1 − u) Π_{h'≠h} (1 − w^w_h')
 *   dψ                       = g (u + (1 − u) ŵ)
 *   gradPrevReadWeights[r]  −= dψ f_r Π_{r'≠r} (1 − f_r' w^r_r')
 *   gradFreeGates[r]        −= Σ_i dψ[i] w^r_r[i] Π_{r'≠r} (1 − f_r' w^r_r'[i])
 * </pre>
 *
 * One pass over the slots per batch entry, a vector of slots at a time: the heads are walked forward, keeping each
 * head's prefix product in a small lane buffer, then backward with the suffix in a register, so the product over
 * the other heads is prefix times suffix (no division by a factor that can be 0). 1 − ŵ is that product itself,
 * so a full write gives exactly 0; ŵ for dψ is accumulated as the forward does (no cancellation for small writes).
 * The free gates' sums run in float lanes and move to double every {@link SimdReductions#SUM_BLOCK} slots. Each
 * gradient is computed, then added (or, when {@code gradPrevUsage} is {@code gradOut}, stored: the slot's g is
 * read first).
 */
final class SimdUsageBackward implements KernelMath.UsageBackward {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdUsageBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void usageBackward(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights,
      Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights, Tensor gradFreeGates,
      Tensor gradPrevReadWeights, int b0, int b1) {
    long work = (long) (b1 - b0) * (2 * prevWriteWeights.dim(1) + 2 * prevReadWeights.dim(1) + 2) * prevUsage.dim(1);
    int parts = split.acquire(b0, b1, prevUsage.dim(0), work);
    if (parts == 1) {
      usageBackwardSlice(prevUsage, prevWriteWeights, freeGates, prevReadWeights, gradOut, gradPrevUsage,
          gradPrevWriteWeights, gradFreeGates, gradPrevReadWeights, b0, b1);
      return;
    }
    call.prevUsage = prevUsage;
    call.prevWriteWeights = prevWriteWeights;
    call.freeGates = freeGates;
    call.prevReadWeights = prevReadWeights;
    call.gradOut = gradOut;
    call.gradPrevUsage = gradPrevUsage;
    call.gradPrevWriteWeights = gradPrevWriteWeights;
    call.gradFreeGates = gradFreeGates;
    call.gradPrevReadWeights = gradPrevReadWeights;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor prevUsage;
    Tensor prevWriteWeights;
    Tensor freeGates;
    Tensor prevReadWeights;
    Tensor gradOut;
    Tensor gradPrevUsage;
    Tensor gradPrevWriteWeights;
    Tensor gradFreeGates;
    Tensor gradPrevReadWeights;

    @Override
    public void run(int b0, int b1) {
      usageBackwardSlice(prevUsage, prevWriteWeights, freeGates, prevReadWeights, gradOut, gradPrevUsage,
          gradPrevWriteWeights, gradFreeGates, gradPrevReadWeights, b0, b1);
    }

    @Override
    public void clear() {
      prevUsage = prevWriteWeights = freeGates = prevReadWeights = gradOut = null;
      gradPrevUsage = gradPrevWriteWeights = gradFreeGates = gradPrevReadWeights = null;
    }
  }

  /** Batch entries [b0, b1). */
  static void usageBackwardSlice(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates,
      Tensor prevReadWeights, Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights,
      Tensor gradFreeGates, Tensor gradPrevReadWeights, int b0, int b1) {
    int n = prevUsage.dim(1), wh = prevWriteWeights.dim(1), r = prevReadWeights.dim(1);
    float[] u = array(prevUsage), ww = array(prevWriteWeights), f = array(freeGates), wr = array(prevReadWeights);
    float[] g = array(gradOut), gu = array(gradPrevUsage), gww = array(gradPrevWriteWeights);
    float[] gf = array(gradFreeGates), gwr = array(gradPrevReadWeights);
    int uOff = offset(prevUsage), wwOff = offset(prevWriteWeights), fOff = offset(freeGates);
    int wrOff = offset(prevReadWeights), gOff = offset(gradOut), guOff = offset(gradPrevUsage);
    int gwwOff = offset(gradPrevWriteWeights), gfOff = offset(gradFreeGates), gwrOff = offset(gradPrevReadWeights);
    // in place: ∂ℓ/∂out in, ∂ℓ/∂u out
    boolean inPlace = gradPrevUsage.sameStorage(gradOut);

    HostScratch scratch = HostScratch.get();
    // lane buffers: the write heads' prefixes [0, Wh), the read heads' prefixes [Wh, Wh + R), the free gates'
    // float sums [Wh + R, Wh + 2R), LANES each; then the free gates' double sums
    float[] lanes = scratch.floats(0, (wh + 2 * r) * LANES);
    int readPrefix = wh * LANES, freeLanes = (wh + r) * LANES;
    double[] freeSums = scratch.doubles(0, r);
    FloatVector one = FloatVector.broadcast(FLOAT, 1f), zero = FloatVector.zero(FLOAT);
    int bound = FLOAT.loopBound(n);

    for (int b = b0; b < b1; b++) {
      int ub = uOff + b * n, gb = gOff + b * n, gub = guOff + b * n;
      int wwb = wwOff + b * wh * n, gwwb = gwwOff + b * wh * n, wrb = wrOff + b * r * n, gwrb = gwrOff + b * r * n;
      int fb = fOff + b * r;
      for (int k = 0; k < r; k++) {
        freeSums[k] = 0;
        zero.intoArray(lanes, freeLanes + k * LANES);
      }
      int i = 0;
      while (i < bound) {
        int blockEnd = Math.min(bound, i + SimdReductions.SUM_BLOCK);
        for (; i < blockEnd; i += LANES) {
          // forward over the heads: prefixes, 1 − ŵ, ŵ and ψ
          FloatVector notWritten = one, written = FloatVector.zero(FLOAT);
          for (int h = 0; h < wh; h++) {
            notWritten.intoArray(lanes, h * LANES);
            FloatVector w = FloatVector.fromArray(FLOAT, ww, wwb + h * n + i);
            notWritten = notWritten.mul(one.sub(w));
            written = USE_FMA ? w.fma(one.sub(written), written) : w.mul(one.sub(written)).add(written);
          }
          FloatVector retention = one;
          for (int k = 0; k < r; k++) {
            retention.intoArray(lanes, readPrefix + k * LANES);
            FloatVector gate = FloatVector.broadcast(FLOAT, -f[fb + k]);
            FloatVector rv = FloatVector.fromArray(FLOAT, wr, wrb + k * n + i);
            retention = retention.mul(USE_FMA ? rv.fma(gate, one) : rv.mul(gate).add(one));
          }
          FloatVector gv = FloatVector.fromArray(FLOAT, g, gb + i), uv = FloatVector.fromArray(FLOAT, u, ub + i);
          FloatVector kept = gv.mul(retention);
          FloatVector toUsage = kept.mul(notWritten);
          (inPlace ? toUsage : FloatVector.fromArray(FLOAT, gu, gub + i).add(toUsage)).intoArray(gu, gub + i);

          // backward over the heads: the suffix times the prefix is the product over the others
          FloatVector free = one.sub(uv);
          FloatVector suffix = kept.mul(free);
          for (int h = wh - 1; h >= 0; h--) {
            int row = h * n + i;
            FloatVector others = FloatVector.fromArray(FLOAT, lanes, h * LANES).mul(suffix);
            FloatVector.fromArray(FLOAT, gww, gwwb + row).add(others).intoArray(gww, gwwb + row);
            suffix = suffix.mul(one.sub(FloatVector.fromArray(FLOAT, ww, wwb + row)));
          }
          suffix = gv.mul(USE_FMA ? free.fma(written, uv) : free.mul(written).add(uv));
          for (int k = r - 1; k >= 0; k--) {
            int row = k * n + i;
            float gate = f[fb + k];
            FloatVector rv = FloatVector.fromArray(FLOAT, wr, wrb + row);
            FloatVector others = FloatVector.fromArray(FLOAT, lanes, readPrefix + k * LANES).mul(suffix);
            FloatVector.fromArray(FLOAT, gwr, gwrb + row).sub(others.mul(gate)).intoArray(gwr, gwrb + row);
            FloatVector sum = FloatVector.fromArray(FLOAT, lanes, freeLanes + k * LANES);
            (USE_FMA ? others.fma(rv, sum) : others.mul(rv).add(sum)).intoArray(lanes, freeLanes + k * LANES);
            FloatVector minusGate = FloatVector.broadcast(FLOAT, -gate);
            suffix = suffix.mul(USE_FMA ? rv.fma(minusGate, one) : rv.mul(minusGate).add(one));
          }
        }
        // the block's lane sums move to double
        for (int k = 0; k < r; k++) {
          int at = freeLanes + k * LANES;
          double s = 0;
          for (int l = 0; l < LANES; l++) {
            s += lanes[at + l];
          }
          freeSums[k] += s;
          zero.intoArray(lanes, at);
        }
      }
      // scalar tail: the lanes' operations; the prefixes in the first lane of each buffer
      for (; i < n; i++) {
        float notWritten = 1f, written = 0f;
        for (int h = 0; h < wh; h++) {
          lanes[h * LANES] = notWritten;
          float w = ww[wwb + h * n + i];
          notWritten *= 1f - w;
          written = madd(w, 1f - written, written);
        }
        float retention = 1f;
        for (int k = 0; k < r; k++) {
          lanes[readPrefix + k * LANES] = retention;
          retention *= madd(wr[wrb + k * n + i], -f[fb + k], 1f);
        }
        float gi = g[gb + i], ui = u[ub + i];
        float kept = gi * retention, toUsage = kept * notWritten;
        gu[gub + i] = inPlace ? toUsage : gu[gub + i] + toUsage;
        float free = 1f - ui, suffix = kept * free;
        for (int h = wh - 1; h >= 0; h--) {
          int row = h * n + i;
          gww[gwwb + row] += lanes[h * LANES] * suffix;
          suffix *= 1f - ww[wwb + row];
        }
        suffix = gi * madd(free, written, ui);
        for (int k = r - 1; k >= 0; k--) {
          int row = k * n + i;
          float gate = f[fb + k], rv = wr[wrb + row];
          float others = lanes[readPrefix + k * LANES] * suffix;
          gwr[gwrb + row] -= others * gate;
          freeSums[k] += (double) others * rv;
          suffix *= madd(rv, -gate, 1f);
        }
      }
      for (int k = 0; k < r; k++) {
        gf[gfOff + b * r + k] -= (float) freeSums[k];
      }
    }
  }
}
