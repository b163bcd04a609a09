package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Usage update: {@code out = (u + (1 − u) ∘ ŵ) ∘ ψ} with {@code ŵ = 1 − Π_h (1 − w^w_h)} and
 * {@code ψ = Π_r (1 − f_r w^r_r)}. One pass over u, the write weights and the read weights per batch entry; the
 * products over heads stay in registers.
 */
final class SimdUsage implements KernelMath.Usage {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdUsage(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void usage(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out, int b0, int b1) {
    long work = (long) (b1 - b0) * (prevWriteWeights.dim(1) + prevReadWeights.dim(1) + 1) * prevUsage.dim(1);
    int parts = split.acquire(b0, b1, prevUsage.dim(0), work);
    if (parts == 1) {
      usageSlice(prevUsage, prevWriteWeights, freeGates, prevReadWeights, out, b0, b1);
      return;
    }
    call.prevUsage = prevUsage;
    call.prevWriteWeights = prevWriteWeights;
    call.freeGates = freeGates;
    call.prevReadWeights = prevReadWeights;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor prevUsage;
    Tensor prevWriteWeights;
    Tensor freeGates;
    Tensor prevReadWeights;
    Tensor out;

    @Override
    public void run(int b0, int b1) {
      usageSlice(prevUsage, prevWriteWeights, freeGates, prevReadWeights, out, b0, b1);
    }

    @Override
    public void clear() {
      prevUsage = prevWriteWeights = freeGates = prevReadWeights = out = null;
    }
  }

  /** Batch entries [b0, b1). {@code out} may be {@code prevUsage} itself: each element is read before it is written. */
  static void usageSlice(
      Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out, int b0,
      int b1) {
    int n = prevUsage.dim(1), wh = prevWriteWeights.dim(1), r = prevReadWeights.dim(1);
    float[] u = array(prevUsage), ww = array(prevWriteWeights), f = array(freeGates), wr = array(prevReadWeights);
    float[] o = array(out);
    int uOff = offset(prevUsage), wwOff = offset(prevWriteWeights), fOff = offset(freeGates);
    int wrOff = offset(prevReadWeights), oOff = offset(out);
    FloatVector one = FloatVector.broadcast(FLOAT, 1f);
    int bound = FLOAT.loopBound(n);
    for (int b = b0; b < b1; b++) {
      int ub = uOff + b * n, ob = oOff + b * n, wwb = wwOff + b * wh * n, wrb = wrOff + b * r * n, fb = fOff + b * r;
      int i = 0;
      // two vectors per step: the head loops' overhead is paid once per 2 vectors
      for (; i + 2 * LANES <= n; i += 2 * LANES) {
        // ŵ accumulated as ŵ + w_h (1 − ŵ): exact for one head, no cancellation for small writes
        FloatVector written0 = FloatVector.fromArray(FLOAT, ww, wwb + i);
        FloatVector written1 = FloatVector.fromArray(FLOAT, ww, wwb + i + LANES);
        for (int h = 1; h < wh; h++) {
          int row = wwb + h * n + i;
          FloatVector w0 = FloatVector.fromArray(FLOAT, ww, row), w1 = FloatVector.fromArray(FLOAT, ww, row + LANES);
          written0 = USE_FMA ? w0.fma(one.sub(written0), written0) : w0.mul(one.sub(written0)).add(written0);
          written1 = USE_FMA ? w1.fma(one.sub(written1), written1) : w1.mul(one.sub(written1)).add(written1);
        }
        // 1 − f w in one rounding: no cancellation when f w is close to 1
        FloatVector retention0 = one, retention1 = one;
        for (int k = 0; k < r; k++) {
          int row = wrb + k * n + i;
          FloatVector gate = FloatVector.broadcast(FLOAT, -f[fb + k]);
          FloatVector r0 = FloatVector.fromArray(FLOAT, wr, row), r1 = FloatVector.fromArray(FLOAT, wr, row + LANES);
          retention0 = retention0.mul(USE_FMA ? r0.fma(gate, one) : r0.mul(gate).add(one));
          retention1 = retention1.mul(USE_FMA ? r1.fma(gate, one) : r1.mul(gate).add(one));
        }
        FloatVector u0 = FloatVector.fromArray(FLOAT, u, ub + i), u1 = FloatVector.fromArray(FLOAT, u, ub + i + LANES);
        FloatVector free0 = one.sub(u0), free1 = one.sub(u1);
        FloatVector used0 = USE_FMA ? free0.fma(written0, u0) : free0.mul(written0).add(u0);
        FloatVector used1 = USE_FMA ? free1.fma(written1, u1) : free1.mul(written1).add(u1);
        used0.mul(retention0).intoArray(o, ob + i);
        used1.mul(retention1).intoArray(o, ob + i + LANES);
      }
      // one-vector tail
      for (; i < bound; i += LANES) {
        FloatVector written = FloatVector.fromArray(FLOAT, ww, wwb + i);
        for (int h = 1; h < wh; h++) {
          FloatVector wv = FloatVector.fromArray(FLOAT, ww, wwb + h * n + i);
          written = USE_FMA ? wv.fma(one.sub(written), written) : wv.mul(one.sub(written)).add(written);
        }
        FloatVector retention = one;
        for (int k = 0; k < r; k++) {
          FloatVector gate = FloatVector.broadcast(FLOAT, -f[fb + k]);
          FloatVector rv = FloatVector.fromArray(FLOAT, wr, wrb + k * n + i);
          retention = retention.mul(USE_FMA ? rv.fma(gate, one) : rv.mul(gate).add(one));
        }
        FloatVector uv = FloatVector.fromArray(FLOAT, u, ub + i), free = one.sub(uv);
        (USE_FMA ? free.fma(written, uv) : free.mul(written).add(uv)).mul(retention).intoArray(o, ob + i);
      }
      // scalar tail: the body's float operations in its order, so equal inputs give equal usages in any lane
      for (; i < n; i++) {
        float written = ww[wwb + i];
        for (int h = 1; h < wh; h++) {
          float wv = ww[wwb + h * n + i];
          written = USE_FMA ? Math.fma(wv, 1f - written, written) : wv * (1f - written) + written;
        }
        float retention = 1f;
        for (int k = 0; k < r; k++) {
          float gate = -f[fb + k], rv = wr[wrb + k * n + i];
          retention *= USE_FMA ? Math.fma(rv, gate, 1f) : rv * gate + 1f;
        }
        float ui = u[ub + i], free = 1f - ui;
        o[ob + i] = (USE_FMA ? Math.fma(free, written, ui) : free * written + ui) * retention;
      }
    }
  }
}
