package org.dnckernels.cuda;

/**
 * What the CUDA backend needs from a device: memory, copies and kernel launches, all on one stream. The
 * production implementation is {@link JCudaGpu} (the CUDA driver through JCuda); the seam also lets the
 * kernels' host code run against other implementations. Not thread-safe: {@link CudaStream} serialises
 * every call and makes the context current first ({@link #enter()}).
 */
interface Gpu {
  /** One line about the device, e.g. its name, compute capability and driver. */
  String description();

  /** Streaming multiprocessors, used to size grid-stride launches. */
  int multiprocessors();

  /** The dynamic shared memory a launch of {@code kernel} may ask for, in bytes. */
  int maxDynamicSharedMemory(Kernel kernel);

  /** Makes the device's context current on the calling thread. */
  void enter();

  /** Allocates {@code bytes} of device memory; returns its address. */
  long allocate(long bytes);

  /** Frees an allocation after the work queued on the stream has finished. */
  void free(long address);

  /** Queues a copy of {@code count} floats from {@code src[offset..]}; {@code src} may be reused on return. */
  void upload(long address, float[] src, int offset, int count);

  /** Copies {@code count} floats into {@code dst[offset..]} after the queued work; complete on return. */
  void download(long address, float[] dst, int offset, int count);

  /** Queues a device-to-device copy of {@code count} floats; the ranges do not overlap. */
  void copy(long dst, long src, long count);

  /** Queues setting {@code count} 32-bit words to {@code bits}. */
  void fill(long address, int bits, long count);

  /**
   * Queues a launch of {@code grid} blocks of {@code kernel.block} threads. {@code args} follow
   * {@code kernel.parameters}: a device address for {@code P}, an int value for {@code I}.
   */
  void launch(Kernel kernel, int grid, int sharedBytes, long... args);

  /** Waits for the work queued on the stream. */
  void synchronize();

  /** Releases the stream. Allocations are freed by the caller before. */
  void close();
}
