package org.dnckernels.cuda;

import java.util.function.Supplier;

/**
 * Loaded by name from {@link CudaBackendProvider#probe()}, inside its try/catch, so that a missing JCuda jar, a
 * missing native library or a missing driver all become "unavailable, because …" instead of an error in the
 * caller. {@link #get()} sets up the device (including loading the PTX) and returns its description.
 */
public final class CudaProbe implements Supplier<String> {
  /** Called reflectively by the provider. */
  public CudaProbe() {}

  @Override
  public String get() {
    return CudaRuntime.get().description();
  }
}
