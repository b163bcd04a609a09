package org.dnckernels.cuda;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;
import org.dnckernels.InterfaceValues;

/** Placeholder until this family's backward lands (issue #17). */
final class CudaInterfaceSplitBackward implements KernelMath.InterfaceSplitBackward {
  private final CudaContext context;

  CudaInterfaceSplitBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1) {
    throw new UnsupportedOperationException("cuda interfaceSplitBackward: not implemented yet (issue #17)");
  }
}
