package org.dnckernels.simd;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;
import org.dnckernels.InterfaceValues;

/** Placeholder until this family's backward lands (issue #17). */
final class SimdInterfaceSplitBackward implements KernelMath.InterfaceSplitBackward {
  private final SimdSplitter split;

  SimdInterfaceSplitBackward(SimdSplitter split) {
    this.split = split;
  }

  @Override
  public void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1) {
    throw new UnsupportedOperationException("simd interfaceSplitBackward: not implemented yet (issue #17)");
  }
}
