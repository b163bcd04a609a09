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
 * The backward of the write weightings (see {@link org.dnckernels.DncKernels#writeWeightsBackward}):
 *
 * <pre>
 *   gradAllocation      += g^w g^a g
 *   gradContent         += g^w (1 − g^a) g
 *   gradWriteGates      += Σ_i g[i] (g^a a[i] + (1 − g^a) c[i])
 *   gradAllocationGates += g^w Σ_i g[i] (a[i] − c[i])
 * </pre>
 *
 * One pass per write head: the two weighting gradients elementwise, the two gate sums in lanes, reduced once.
 */
final class SimdWriteWeightingBackward implements KernelMath.WriteWeightingBackward {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdWriteWeightingBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void writeWeightsBackward(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates,
      Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates, Tensor gradAllocationGates,
      int b0, int b1) {
    long work = 4L * (b1 - b0) * allocation.dim(1) * allocation.dim(2);
    int parts = split.acquire(b0, b1, allocation.dim(0), work);
    if (parts == 1) {
      writeWeightsBackwardSlice(allocation, content, writeGates, allocationGates, gradOut, gradAllocation,
          gradContent, gradWriteGates, gradAllocationGates, b0, b1);
      return;
    }
    call.allocation = allocation;
    call.content = content;
    call.writeGates = writeGates;
    call.allocationGates = allocationGates;
    call.gradOut = gradOut;
    call.gradAllocation = gradAllocation;
    call.gradContent = gradContent;
    call.gradWriteGates = gradWriteGates;
    call.gradAllocationGates = gradAllocationGates;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor allocation;
    Tensor content;
    Tensor writeGates;
    Tensor allocationGates;
    Tensor gradOut;
    Tensor gradAllocation;
    Tensor gradContent;
    Tensor gradWriteGates;
    Tensor gradAllocationGates;

    @Override
    public void run(int b0, int b1) {
      writeWeightsBackwardSlice(allocation, content, writeGates, allocationGates, gradOut, gradAllocation,
          gradContent, gradWriteGates, gradAllocationGates, b0, b1);
    }

    @Override
    public void clear() {
      allocation = content = writeGates = allocationGates = gradOut = gradAllocation = gradContent = null;
      gradWriteGates = gradAllocationGates = null;
    }
  }

  /** Batch entries [b0, b1). */
  static void writeWeightsBackwardSlice(Tensor allocation, Tensor content, Tensor writeGates,
      Tensor allocationGates, Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates,
      Tensor gradAllocationGates, int b0, int b1) {
    int wh = allocation.dim(1), n = allocation.dim(2);
    float[] a = array(allocation), c = array(content), gw = array(writeGates), ga = array(allocationGates);
    float[] g = array(gradOut), gra = array(gradAllocation), grc = array(gradContent);
    float[] grgw = array(gradWriteGates), grga = array(gradAllocationGates);
    int aOff = offset(allocation), cOff = offset(content), gwOff = offset(writeGates), gaOff = offset(allocationGates);
    int gOff = offset(gradOut), graOff = offset(gradAllocation), grcOff = offset(gradContent);
    int grgwOff = offset(gradWriteGates), grgaOff = offset(gradAllocationGates);
    int bound = FLOAT.loopBound(n);
    for (int bh = b0 * wh; bh < b1 * wh; bh++) {
      int row = bh * n;
      float write = gw[gwOff + bh], alloc = ga[gaOff + bh], notAlloc = 1f - alloc;
      float toAllocation = write * alloc, toContent = write * notAlloc;
      FloatVector mixed = FloatVector.zero(FLOAT), difference = mixed;
      int i = 0;
      for (; i < bound; i += LANES) {
        FloatVector gv = FloatVector.fromArray(FLOAT, g, gOff + row + i);
        FloatVector av = FloatVector.fromArray(FLOAT, a, aOff + row + i);
        FloatVector cv = FloatVector.fromArray(FLOAT, c, cOff + row + i);
        gv.mul(toAllocation).add(FloatVector.fromArray(FLOAT, gra, graOff + row + i)).intoArray(gra, graOff + row + i);
        gv.mul(toContent).add(FloatVector.fromArray(FLOAT, grc, grcOff + row + i)).intoArray(grc, grcOff + row + i);
        FloatVector written = av.mul(alloc).add(cv.mul(notAlloc));
        FloatVector apart = av.sub(cv);
        mixed = USE_FMA ? gv.fma(written, mixed) : gv.mul(written).add(mixed);
        difference = USE_FMA ? gv.fma(apart, difference) : gv.mul(apart).add(difference);
      }
      // lanes summed in SimdLanes#sumLanes' order, in registers: the same bits on every JIT tier (reduceLanes'
      // order is unspecified and differs between the interpreter and C2)
      FloatVector mixedLanes = mixed;
      mixedLanes = mixedLanes.add(mixedLanes.rearrange(SimdLanes.SWAP_HALVES));
      mixedLanes = mixedLanes.add(mixedLanes.rearrange(SimdLanes.SWAP_QUARTERS));
      mixedLanes = SimdLanes.SWAP_8 == null ? mixedLanes : mixedLanes.add(mixedLanes.rearrange(SimdLanes.SWAP_8));
      mixedLanes = SimdLanes.SWAP_4 == null ? mixedLanes : mixedLanes.add(mixedLanes.rearrange(SimdLanes.SWAP_4));
      mixedLanes = SimdLanes.SWAP_2 == null ? mixedLanes : mixedLanes.add(mixedLanes.rearrange(SimdLanes.SWAP_2));
      mixedLanes = SimdLanes.SWAP_1 == null ? mixedLanes : mixedLanes.add(mixedLanes.rearrange(SimdLanes.SWAP_1));
      double mixedSum = mixedLanes.lane(0);
      // lanes summed in SimdLanes#sumLanes' order, in registers: the same bits on every JIT tier (reduceLanes'
      // order is unspecified and differs between the interpreter and C2)
      FloatVector differenceLanes = difference;
      differenceLanes = differenceLanes.add(differenceLanes.rearrange(SimdLanes.SWAP_HALVES));
      differenceLanes = differenceLanes.add(differenceLanes.rearrange(SimdLanes.SWAP_QUARTERS));
      differenceLanes = SimdLanes.SWAP_8 == null ? differenceLanes : differenceLanes.add(differenceLanes.rearrange(SimdLanes.SWAP_8));
      differenceLanes = SimdLanes.SWAP_4 == null ? differenceLanes : differenceLanes.add(differenceLanes.rearrange(SimdLanes.SWAP_4));
      differenceLanes = SimdLanes.SWAP_2 == null ? differenceLanes : differenceLanes.add(differenceLanes.rearrange(SimdLanes.SWAP_2));
      differenceLanes = SimdLanes.SWAP_1 == null ? differenceLanes : differenceLanes.add(differenceLanes.rearrange(SimdLanes.SWAP_1));
      double differenceSum = differenceLanes.lane(0);
      // scalar tail
      for (; i < n; i++) {
        float gi = g[gOff + row + i], ai = a[aOff + row + i], ci = c[cOff + row + i];
        gra[graOff + row + i] += gi * toAllocation;
        grc[grcOff + row + i] += gi * toContent;
        mixedSum += gi * (alloc * ai + notAlloc * ci);
        differenceSum += gi * (ai - ci);
      }
      grgw[grgwOff + bh] += (float) mixedSum;
      grga[grgaOff + bh] += (float) (write * differenceSum);
    }
  }
}
