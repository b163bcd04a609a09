package org.dnckernels;

/**
 * Service-provider interface: one implementation per backend module, listed in
 * {@code META-INF/services/org.dnckernels.BackendProvider}. A provider must be cheap to load: its class must
 * not touch the backend's libraries (Vector API, JCuda) before {@link #probe()} has said they are usable, so a
 * missing library makes the backend unavailable instead of breaking the caller.
 */
public interface BackendProvider {
  /**
   * The backend's name.
   *
   * @return the name used by {@code -Ddnc.kernels.backend} and {@link DncKernels#load(String)}
   */
  String name();

  /**
   * The backend's rank for {@code auto}: CUDA 300, SIMD 200, scalar 100.
   *
   * @return the priority; higher is preferred
   */
  int priority();

  /**
   * Whether the backend can run here, and if not, why. Must not throw.
   *
   * @return the backend's availability, with the reason and a hint when unavailable
   */
  BackendInfo probe();

  /**
   * A new backend instance. Called only after {@link #probe()} said it is available.
   *
   * @return the backend, owned by the caller (close it)
   * @throws RuntimeException if the backend fails to start (the registry reports the reason)
   */
  DncKernels create();
}
