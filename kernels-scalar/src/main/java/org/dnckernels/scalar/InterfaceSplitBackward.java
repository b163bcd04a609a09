package org.dnckernels.scalar;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;
import org.dnckernels.InterfaceValues;

/** Placeholder until this family's backward lands (issue #17). */
final class InterfaceSplitBackward implements KernelMath.InterfaceSplitBackward {
  InterfaceSplitBackward() {}

  @Override
  public void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1) {
    throw new UnsupportedOperationException("scalar interfaceSplitBackward: not implemented yet (issue #17)");
  }
}
