package org.dnckernels.testing;

import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.Tensor;

/**
 * Host copies of the activated interface values of one memory step (see {@link InterfaceValues} for the shapes),
 * so that the same values can be uploaded to any backend.
 */
public record InterfaceData(
    float[] readKeys,
    float[] readStrengths,
    float[] writeKeys,
    float[] writeStrengths,
    float[] eraseVectors,
    float[] writeVectors,
    float[] freeGates,
    float[] allocationGates,
    float[] writeGates,
    float[] readModes) {

  /** New tensors of {@code kernels} holding these values (upload works on host and device backends alike). */
  public InterfaceValues upload(DncKernels kernels, MemoryShape s) {
    int b = s.batch(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    return new InterfaceValues(
        up(kernels, readKeys, b, r, w),
        up(kernels, readStrengths, b, r),
        up(kernels, writeKeys, b, wh, w),
        up(kernels, writeStrengths, b, wh),
        up(kernels, eraseVectors, b, wh, w),
        up(kernels, writeVectors, b, wh, w),
        up(kernels, freeGates, b, r),
        up(kernels, allocationGates, b, wh),
        up(kernels, writeGates, b, wh),
        up(kernels, readModes, b, r, s.readModes()));
  }

  /** Copies the values of {@code v} to the host. */
  public static InterfaceData download(InterfaceValues v) {
    return new InterfaceData(
        v.readKeys().toArray(), v.readStrengths().toArray(), v.writeKeys().toArray(), v.writeStrengths().toArray(),
        v.eraseVectors().toArray(), v.writeVectors().toArray(), v.freeGates().toArray(),
        v.allocationGates().toArray(), v.writeGates().toArray(), v.readModes().toArray());
  }

  private static Tensor up(DncKernels k, float[] data, int... shape) {
    return k.upload(data, 0, shape);
  }
}
