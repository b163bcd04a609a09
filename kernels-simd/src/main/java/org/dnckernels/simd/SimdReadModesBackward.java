package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdConfig.USE_FMA;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of the read-mode mix (see {@link org.dnckernels.DncKernels#readModeMixBackward}), modes ordered
 * [backward_1..Wh, content, forward_1..Wh]: one pass over each of a read head's 2Wh+1 weighting rows, which adds
 * {@code π g} to the row's gradient and sums {@code g·x} for its mode in lanes. The weighting gradients are a
 * multiply and an add, no FMA: the same bits as the reference's rounded product.
 */
final class SimdReadModesBackward implements KernelMath.ReadModesBackward {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdReadModesBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor gradOut,
      Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0, int b1) {
    long work = 2L * (b1 - b0) * backward.dim(1) * modes.dim(2) * backward.dim(3);
    int parts = split.acquire(b0, b1, backward.dim(0), work);
    if (parts == 1) {
      readModeMixBackwardSlice(modes, backward, content, forward, gradOut, gradModes, gradBackward, gradContent,
          gradForward, b0, b1);
      return;
    }
    call.modes = modes;
    call.backward = backward;
    call.content = content;
    call.forward = forward;
    call.gradOut = gradOut;
    call.gradModes = gradModes;
    call.gradBackward = gradBackward;
    call.gradContent = gradContent;
    call.gradForward = gradForward;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor modes;
    Tensor backward;
    Tensor content;
    Tensor forward;
    Tensor gradOut;
    Tensor gradModes;
    Tensor gradBackward;
    Tensor gradContent;
    Tensor gradForward;

    @Override
    public void run(int b0, int b1) {
      readModeMixBackwardSlice(modes, backward, content, forward, gradOut, gradModes, gradBackward, gradContent,
          gradForward, b0, b1);
    }

    @Override
    public void clear() {
      modes = backward = content = forward = gradOut = gradModes = gradBackward = gradContent = gradForward = null;
    }
  }

  /** Batch entries [b0, b1). */
  static void readModeMixBackwardSlice(Tensor modes, Tensor backward, Tensor content, Tensor forward,
      Tensor gradOut, Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0,
      int b1) {
    int r = backward.dim(1), wh = backward.dim(2), n = backward.dim(3), m = 2 * wh + 1;
    float[] pi = array(modes), bw = array(backward), c = array(content), fw = array(forward), g = array(gradOut);
    float[] gpi = array(gradModes), gbw = array(gradBackward), gc = array(gradContent), gfw = array(gradForward);
    int piOff = offset(modes), bwOff = offset(backward), cOff = offset(content), fwOff = offset(forward);
    int gOff = offset(gradOut), gpiOff = offset(gradModes), gbwOff = offset(gradBackward);
    int gcOff = offset(gradContent), gfwOff = offset(gradForward);
    for (int head = b0 * r; head < b1 * r; head++) {
      int pb = head * m, row = head * n, heads = head * wh * n;
      for (int h = 0; h < wh; h++) {
        gpi[gpiOff + pb + h] += (float) mixRow(pi[piOff + pb + h], g, gOff + row, bw, bwOff + heads + h * n, gbw,
            gbwOff + heads + h * n, n);
        gpi[gpiOff + pb + wh + 1 + h] += (float) mixRow(pi[piOff + pb + wh + 1 + h], g, gOff + row, fw,
            fwOff + heads + h * n, gfw, gfwOff + heads + h * n, n);
      }
      gpi[gpiOff + pb + wh] += (float) mixRow(pi[piOff + pb + wh], g, gOff + row, c, cOff + row, gc, gcOff + row, n);
    }
  }

  /** gradX[i] += mode·g[i] over one row; returns Σ_i g[i] x[i] (float lanes, reduced once). */
  private static double mixRow(float mode, float[] g, int gAt, float[] x, int xAt, float[] gradX, int gradAt,
      int n) {
    FloatVector modeV = FloatVector.broadcast(FLOAT, mode);
    FloatVector acc0 = FloatVector.zero(FLOAT), acc1 = acc0;
    int i = 0;
    // two vectors per step: two independent dot accumulators
    for (; i + 2 * LANES <= n; i += 2 * LANES) {
      FloatVector g0 = FloatVector.fromArray(FLOAT, g, gAt + i);
      FloatVector g1 = FloatVector.fromArray(FLOAT, g, gAt + i + LANES);
      FloatVector x0 = FloatVector.fromArray(FLOAT, x, xAt + i);
      FloatVector x1 = FloatVector.fromArray(FLOAT, x, xAt + i + LANES);
      acc0 = USE_FMA ? g0.fma(x0, acc0) : g0.mul(x0).add(acc0);
      acc1 = USE_FMA ? g1.fma(x1, acc1) : g1.mul(x1).add(acc1);
      g0.mul(modeV).add(FloatVector.fromArray(FLOAT, gradX, gradAt + i)).intoArray(gradX, gradAt + i);
      g1.mul(modeV).add(FloatVector.fromArray(FLOAT, gradX, gradAt + i + LANES)).intoArray(gradX, gradAt + i + LANES);
    }
    // one-vector tail
    for (int bound = FLOAT.loopBound(n); i < bound; i += LANES) {
      FloatVector g0 = FloatVector.fromArray(FLOAT, g, gAt + i);
      FloatVector x0 = FloatVector.fromArray(FLOAT, x, xAt + i);
      acc0 = USE_FMA ? g0.fma(x0, acc0) : g0.mul(x0).add(acc0);
      g0.mul(modeV).add(FloatVector.fromArray(FLOAT, gradX, gradAt + i)).intoArray(gradX, gradAt + i);
    }
    // lanes summed in SimdLanes#sumLanes' order, in registers: the same bits on every JIT tier (reduceLanes'
    // order is unspecified and differs between the interpreter and C2)
    FloatVector lanes = acc0.add(acc1);
    lanes = lanes.add(lanes.rearrange(SimdLanes.SWAP_HALVES));
    lanes = lanes.add(lanes.rearrange(SimdLanes.SWAP_QUARTERS));
    lanes = SimdLanes.SWAP_8 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_8));
    lanes = SimdLanes.SWAP_4 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_4));
    lanes = SimdLanes.SWAP_2 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_2));
    lanes = SimdLanes.SWAP_1 == null ? lanes : lanes.add(lanes.rearrange(SimdLanes.SWAP_1));
    double dot = lanes.lane(0);
    // scalar tail
    for (; i < n; i++) {
      float gi = g[gAt + i];
      dot += gi * x[xAt + i];
      gradX[gradAt + i] += gi * mode;
    }
    return dot;
  }
}
