package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdConfig.madd;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * Read-mode mix: {@code out[r] = Σ_h π[r,h] backward[r,h] + π[r,Wh] content[r] + Σ_h π[r,Wh+1+h] forward[r,h]},
 * one pass over the 2Wh+1 input rows per read head, the sum in a register. Clamped at 1, the bound for modes
 * that sum to 1 over weightings: float rounding of the modes' sum must not take a read weight above it.
 */
final class SimdReadModes implements KernelMath.ReadModes {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdReadModes(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void readModeMix(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out, int b0, int b1) {
    long work = (long) (b1 - b0) * backward.dim(1) * modes.dim(2) * backward.dim(3);
    int parts = split.acquire(b0, b1, backward.dim(0), work);
    if (parts == 1) {
      readModeMixSlice(modes, backward, content, forward, out, b0, b1);
      return;
    }
    call.modes = modes;
    call.backward = backward;
    call.content = content;
    call.forward = forward;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor modes;
    Tensor backward;
    Tensor content;
    Tensor forward;
    Tensor out;

    @Override
    public void run(int b0, int b1) {
      readModeMixSlice(modes, backward, content, forward, out, b0, b1);
    }

    @Override
    public void clear() {
      modes = backward = content = forward = out = null;
    }
  }

  /** Batch entries [b0, b1). */
  static void readModeMixSlice(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out, int b0, int b1) {
    int r = backward.dim(1), wh = backward.dim(2), n = backward.dim(3), m = 2 * wh + 1;
    float[] pi = array(modes), bw = array(backward), c = array(content), fw = array(forward), o = array(out);
    int piOff = offset(modes), bwOff = offset(backward), cOff = offset(content), fwOff = offset(forward);
    int oOff = offset(out);
    int bound = FLOAT.loopBound(n);
    for (int b = b0; b < b1; b++) {
      for (int k = 0; k < r; k++) {
        int head = b * r + k;
        int pb = piOff + head * m, row = head * n, heads = head * wh * n;
        float contentMode = pi[pb + wh];
        int i = 0;
        // two vectors per step: the head loop's overhead is paid once per 2 vectors
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
          FloatVector acc0 = FloatVector.fromArray(FLOAT, c, cOff + row + i).mul(contentMode);
          FloatVector acc1 = FloatVector.fromArray(FLOAT, c, cOff + row + i + LANES).mul(contentMode);
          for (int h = 0; h < wh; h++) {
            int bRow = bwOff + heads + h * n + i, fRow = fwOff + heads + h * n + i;
            FloatVector backwardMode = FloatVector.broadcast(FLOAT, pi[pb + h]);
            FloatVector forwardMode = FloatVector.broadcast(FLOAT, pi[pb + wh + 1 + h]);
            FloatVector back0 = FloatVector.fromArray(FLOAT, bw, bRow);
            FloatVector back1 = FloatVector.fromArray(FLOAT, bw, bRow + LANES);
            FloatVector fore0 = FloatVector.fromArray(FLOAT, fw, fRow);
            FloatVector fore1 = FloatVector.fromArray(FLOAT, fw, fRow + LANES);
            acc0 = USE_FMA ? back0.fma(backwardMode, acc0) : back0.mul(backwardMode).add(acc0);
            acc1 = USE_FMA ? back1.fma(backwardMode, acc1) : back1.mul(backwardMode).add(acc1);
            acc0 = USE_FMA ? fore0.fma(forwardMode, acc0) : fore0.mul(forwardMode).add(acc0);
            acc1 = USE_FMA ? fore1.fma(forwardMode, acc1) : fore1.mul(forwardMode).add(acc1);
          }
          acc0.min(1f).intoArray(o, oOff + row + i);
          acc1.min(1f).intoArray(o, oOff + row + i + LANES);
        }
        // one-vector tail
        for (; i < bound; i += LANES) {
          FloatVector acc = FloatVector.fromArray(FLOAT, c, cOff + row + i).mul(contentMode);
          for (int h = 0; h < wh; h++) {
            FloatVector backwardMode = FloatVector.broadcast(FLOAT, pi[pb + h]);
            FloatVector forwardMode = FloatVector.broadcast(FLOAT, pi[pb + wh + 1 + h]);
            FloatVector bv = FloatVector.fromArray(FLOAT, bw, bwOff + heads + h * n + i);
            FloatVector fv = FloatVector.fromArray(FLOAT, fw, fwOff + heads + h * n + i);
            acc = USE_FMA ? bv.fma(backwardMode, acc) : bv.mul(backwardMode).add(acc);
            acc = USE_FMA ? fv.fma(forwardMode, acc) : fv.mul(forwardMode).add(acc);
          }
          acc.min(1f).intoArray(o, oOff + row + i);
        }
        // scalar tail: the lanes' float operations, so an element gives the same bits here as in a lane
        for (; i < n; i++) {
          float acc = c[cOff + row + i] * contentMode;
          for (int h = 0; h < wh; h++) {
            acc = madd(bw[bwOff + heads + h * n + i], pi[pb + h], acc);
            acc = madd(fw[fwOff + heads + h * n + i], pi[pb + wh + 1 + h], acc);
          }
          o[oOff + row + i] = Math.min(1f, acc);
        }
      }
    }
  }
}
