package org.dnckernels.cuda;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Gpu} on the CPU emulator of {@code src/test/emulator} (the CUDA kernels compiled as C++, one OS thread
 * per CUDA thread). Only for tests on machines without a GPU: {@code kernels-cuda/emulate.sh} builds the native
 * library and passes its path as {@code -Ddnc.cuda.emulator=...}; without it the emulated tests are skipped.
 */
final class EmulatedGpu implements Gpu {
  static final String PROPERTY = "dnc.cuda.emulator";

  private static final String LIBRARY = System.getProperty(PROPERTY, "");
  private static final boolean LOADED = load();

  private final int maxSharedBytes;
  private final AtomicLong launches = new AtomicLong();

  /** @param maxSharedBytes the dynamic shared memory the emulated device offers (H100: 227 KiB less statics) */
  EmulatedGpu(int maxSharedBytes) {
    if (!LOADED) {
      throw new IllegalStateException("the emulator library is not loaded: -D" + PROPERTY + "=" + LIBRARY);
    }
    this.maxSharedBytes = maxSharedBytes;
  }

  /** Whether the tests can use the emulator (the library was given and loads). */
  static boolean available() {
    return LOADED;
  }

  static String unavailableReason() {
    return LIBRARY.isEmpty()
        ? "CUDA emulator not built: run kernels-cuda/emulate.sh (-D" + PROPERTY + "=<libdnc_cuda_emulator.so>)"
        : "CUDA emulator library " + LIBRARY + " does not load";
  }

  private static boolean load() {
    if (LIBRARY.isEmpty()) {
      return false;
    }
    try {
      System.load(LIBRARY);
      return true;
    } catch (UnsatisfiedLinkError e) {
      return false;
    }
  }

  /** Kernel launches so far (a memory step is four). */
  long launches() {
    return launches.get();
  }

  @Override
  public String description() {
    return "CPU emulation of the CUDA kernels (" + maxSharedBytes + " bytes of shared memory)";
  }

  @Override
  public int multiprocessors() {
    return 2;
  }

  @Override
  public int maxDynamicSharedMemory(Kernel kernel) {
    return kernel.usesDynamicSharedMemory() ? maxSharedBytes : 0;
  }

  @Override
  public void enter() {}

  @Override
  public long allocate(long bytes) {
    return allocateNative(bytes);
  }

  @Override
  public void free(long address) {
    freeNative(address);
  }

  @Override
  public void upload(long address, float[] src, int offset, int count) {
    uploadNative(address, src, offset, count);
  }

  @Override
  public void download(long address, float[] dst, int offset, int count) {
    downloadNative(address, dst, offset, count);
  }

  @Override
  public void copy(long dst, long src, long count) {
    copyNative(dst, src, count);
  }

  @Override
  public void fill(long address, int bits, long count) {
    fillNative(address, bits, count);
  }

  @Override
  public void launch(Kernel kernel, int grid, int sharedBytes, long... args) {
    if (sharedBytes > maxDynamicSharedMemory(kernel)) {
      throw new IllegalStateException(kernel.entry + ": " + sharedBytes + " bytes of dynamic shared memory, the "
          + "device offers " + maxDynamicSharedMemory(kernel));
    }
    launches.incrementAndGet();
    launchNative(kernel.entry, kernel.parameters, grid, kernel.block, sharedBytes, args);
  }

  @Override
  public void synchronize() {}

  @Override
  public void close() {}

  /** "name:types,..." of every kernel the emulator has. */
  static String kernels() {
    return kernelsNative();
  }

  private static native long allocateNative(long bytes);

  private static native void freeNative(long address);

  private static native void uploadNative(long address, float[] src, int offset, int count);

  private static native void downloadNative(long address, float[] dst, int offset, int count);

  private static native void fillNative(long address, int bits, long count);

  private static native void copyNative(long dst, long src, long count);

  private static native String kernelsNative();

  private static native void launchNative(
      String entry, String parameters, int grid, int block, int sharedBytes, long[] args);
}
