package org.dnckernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static org.dnckernels.cuda.CudaRuntime.check;

import java.util.EnumMap;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * {@link Gpu} on the CUDA driver through JCuda: one non-blocking stream per backend instance in the process's
 * primary context. Copies from Java arrays are pageable-memory copies: an upload returns once the driver has
 * staged the source, a download once the data has arrived (and the stream is synchronised after it).
 */
final class JCudaGpu implements Gpu {
  private final CudaRuntime runtime;
  private final CUstream stream = new CUstream();
  private final Map<Kernel, Parameters> parameters = new EnumMap<>(Kernel.class);

  JCudaGpu(CudaRuntime runtime) {
    this.runtime = runtime;
    enter();
    check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    for (Kernel k : Kernel.values()) {
      parameters.put(k, new Parameters(k));
    }
  }

  @Override
  public String description() {
    return runtime.description();
  }

  @Override
  public int multiprocessors() {
    return runtime.multiprocessors();
  }

  @Override
  public int maxDynamicSharedMemory(Kernel kernel) {
    return runtime.maxDynamicSharedMemory(kernel);
  }

  @Override
  public void enter() {
    check(cuCtxSetCurrent(runtime.context), "cuCtxSetCurrent");
  }

  @Override
  public long allocate(long bytes) {
    DevicePointer p = new DevicePointer();
    check(cuMemAlloc(p, bytes), "cuMemAlloc(" + bytes + " bytes)");
    return p.address();
  }

  @Override
  public void free(long address) {
    // the memory may still be read by queued kernels
    check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    check(cuMemFree(device(address)), "cuMemFree");
  }

  @Override
  public void upload(long address, float[] src, int offset, int count) {
    check(cuMemcpyHtoDAsync(device(address), Pointer.to(src).withByteOffset(4L * offset), 4L * count, stream),
        "cuMemcpyHtoDAsync");
  }

  @Override
  public void download(long address, float[] dst, int offset, int count) {
    check(cuMemcpyDtoHAsync(Pointer.to(dst).withByteOffset(4L * offset), device(address), 4L * count, stream),
        "cuMemcpyDtoHAsync");
    check(cuStreamSynchronize(stream), "cuStreamSynchronize");
  }

  @Override
  public void copy(long dst, long src, long count) {
    check(cuMemcpyDtoDAsync(device(dst), device(src), 4L * count, stream), "cuMemcpyDtoDAsync");
  }

  @Override
  public void fill(long address, int bits, long count) {
    check(cuMemsetD32Async(device(address), bits, count, stream), "cuMemsetD32Async");
  }

  @Override
  public void launch(Kernel kernel, int grid, int sharedBytes, long... args) {
    Parameters p = parameters.get(kernel);
    p.set(args);
    check(cuLaunchKernel(runtime.function(kernel), grid, 1, 1, kernel.block, 1, 1, sharedBytes, stream, p.pointer,
        null), "cuLaunchKernel(" + kernel.entry + ", grid " + grid + ")");
  }

  @Override
  public void synchronize() {
    check(cuStreamSynchronize(stream), "cuStreamSynchronize");
  }

  @Override
  public void close() {
    check(cuStreamDestroy(stream), "cuStreamDestroy");
  }

  private static CUdeviceptr device(long address) {
    return new CUdeviceptr().withByteOffset(address);
  }

  /** A device pointer whose address JCuda fills in (cuMemAlloc). */
  private static final class DevicePointer extends CUdeviceptr {
    long address() {
      return getNativePointer() + getByteOffset();
    }
  }

  /**
   * The kernelParams array of one kernel, built once: one small host array per parameter, overwritten before
   * each launch (cuLaunchKernel copies the values, and launches are serialised by the backend's lock).
   */
  private static final class Parameters {
    final Pointer pointer;
    private final String types;
    private final long[][] pointers;
    private final int[][] ints;

    Parameters(Kernel kernel) {
      types = kernel.parameters;
      pointers = new long[types.length()][];
      ints = new int[types.length()][];
      NativePointerObject[] slots = new NativePointerObject[types.length()];
      for (int i = 0; i < types.length(); i++) {
        if (types.charAt(i) == 'P') {
          pointers[i] = new long[1];
          slots[i] = Pointer.to(pointers[i]);
        } else {
          ints[i] = new int[1];
          slots[i] = Pointer.to(ints[i]);
        }
      }
      pointer = Pointer.to(slots);
    }

    void set(long[] args) {
      if (args.length != types.length()) {
        throw new IllegalArgumentException(
            "kernel takes " + types.length() + " parameters (" + types + "), got " + args.length);
      }
      for (int i = 0; i < args.length; i++) {
        if (pointers[i] != null) {
          pointers[i][0] = args[i];
        } else {
          ints[i][0] = Math.toIntExact(args[i]);
        }
      }
    }
  }
}
