package org.dnckernels.simd;

import java.util.function.IntSupplier;

/**
 * Loaded by name by {@link SimdBackendProvider} after the module check: the first class that touches the Vector
 * API. Gives the bits of the float species the kernels will use (the preferred one, or the one forced with
 * {@code -Ddnc.kernels.simd.bits}).
 */
final class SimdProbe implements IntSupplier {
  SimdProbe() {}

  @Override
  public int getAsInt() {
    return SimdSpecies.FLOAT.vectorBitSize();
  }
}
