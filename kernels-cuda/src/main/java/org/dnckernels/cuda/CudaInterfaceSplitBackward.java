package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.INTERFACE_SPLIT_BACKWARD;

import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** The interface split backward on the device: one grid-stride {@code interface_split_backward} launch over raw. */
final class CudaInterfaceSplitBackward implements KernelMath.InterfaceSplitBackward {
  private final CudaContext context;

  CudaInterfaceSplitBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1) {
    int b = b1 - b0, r = gradOut.readKeys().dim(1), w = gradOut.readKeys().dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(INTERFACE_SPLIT_BACKWARD, context.spread(elements(raw, b0, b1)), 0, at(raw, b0),
          at(gradOut.readKeys(), b0), at(gradOut.readStrengths(), b0), at(gradOut.writeKeys(), b0),
          at(gradOut.writeStrengths(), b0), at(gradOut.eraseVectors(), b0), at(gradOut.writeVectors(), b0),
          at(gradOut.freeGates(), b0), at(gradOut.allocationGates(), b0), at(gradOut.writeGates(), b0),
          at(gradOut.readModes(), b0), at(gradRaw, b0), b, r, w);
    }
  }
}
