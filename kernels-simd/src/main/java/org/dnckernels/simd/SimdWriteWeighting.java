package org.dnckernels.simd;

import static org.dnckernels.HostKernels.array;
import static org.dnckernels.HostKernels.offset;
import static org.dnckernels.simd.SimdSpecies.FLOAT;
import static org.dnckernels.simd.SimdSpecies.LANES;

import jdk.incubator.vector.FloatVector;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** Write weightings: {@code out = g^w (g^a a + (1 − g^a) c)}, elementwise per write head. */
final class SimdWriteWeighting implements KernelMath.WriteWeighting {
  private final SimdSplitter split;
  /** The call being split, by name; only the holder of the pool writes it. */
  private final Call call = new Call();

  SimdWriteWeighting(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void writeWeights(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
    long work = (long) (b1 - b0) * allocation.dim(1) * allocation.dim(2);
    int parts = split.acquire(b0, b1, allocation.dim(0), work);
    if (parts == 1) {
      writeWeightsSlice(allocation, content, writeGates, allocationGates, out, b0, b1);
      return;
    }
    call.allocation = allocation;
    call.content = content;
    call.writeGates = writeGates;
    call.allocationGates = allocationGates;
    call.out = out;
    split.runAndRelease(call, parts, b1);
  }

  private static final class Call implements SimdBatchPool.Slices {
    Tensor allocation;
    Tensor content;
    Tensor writeGates;
    Tensor allocationGates;
    Tensor out;

    @Override
    public void run(int b0, int b1) {
      writeWeightsSlice(allocation, content, writeGates, allocationGates, out, b0, b1);
    }

    @Override
    public void clear() {
      allocation = content = writeGates = allocationGates = out = null;
    }
  }

  /** Batch entries [b0, b1). {@code out} may be {@code allocation} or {@code content}: elementwise, read first. */
  static void writeWeightsSlice(
      Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
    int wh = allocation.dim(1), n = allocation.dim(2);
    float[] a = array(allocation), c = array(content), gw = array(writeGates), ga = array(allocationGates);
    float[] o = array(out);
    int aOff = offset(allocation), cOff = offset(content), gwOff = offset(writeGates);
    int gaOff = offset(allocationGates), oOff = offset(out);
    int bound = FLOAT.loopBound(n);
    for (int b = b0; b < b1; b++) {
      for (int h = 0; h < wh; h++) {
        int row = (b * wh + h) * n;
        float write = gw[gwOff + b * wh + h], alloc = ga[gaOff + b * wh + h], notAlloc = 1f - alloc;
        int i = 0;
        for (; i < bound; i += LANES) {
          FloatVector av = FloatVector.fromArray(FLOAT, a, aOff + row + i);
          FloatVector cv = FloatVector.fromArray(FLOAT, c, cOff + row + i);
          av.mul(alloc).add(cv.mul(notAlloc)).mul(write).intoArray(o, oOff + row + i);
        }
        // scalar tail
        for (; i < n; i++) {
          o[oOff + row + i] = write * (alloc * a[aOff + row + i] + notAlloc * c[cOff + row + i]);
        }
      }
    }
  }
}
