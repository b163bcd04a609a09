package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.INTERFACE_SPLIT;

import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/** The interface split on the device: one grid-stride {@code interface_split} launch over the range's raw values. */
final class CudaInterfaceSplit implements KernelMath.InterfaceSplit {
  private final CudaContext context;

  CudaInterfaceSplit(CudaContext context) {
    this.context = context;
  }

  @Override
  public void interfaceSplit(Tensor raw, InterfaceValues out, int b0, int b1) {
    int b = b1 - b0, r = out.readKeys().dim(1), w = out.readKeys().dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(INTERFACE_SPLIT, context.spread(elements(raw, b0, b1)), 0, at(raw, b0), at(out.readKeys(), b0),
          at(out.readStrengths(), b0), at(out.writeKeys(), b0), at(out.writeStrengths(), b0),
          at(out.eraseVectors(), b0), at(out.writeVectors(), b0), at(out.freeGates(), b0),
          at(out.allocationGates(), b0), at(out.writeGates(), b0), at(out.readModes(), b0), b, r, w);
    }
  }
}
