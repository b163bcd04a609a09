package org.dnckernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuFuncGetAttribute;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataJIT;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JITOptions;

/**
 * The process's CUDA device, set up once: {@code cuInit}, the device's primary context (retained for the life of
 * the process), {@code dnc_kernels.ptx} JIT-compiled into it and every kernel looked up. Backend instances share
 * it and each make their own stream. A failure is remembered with its reason, so the probe and later attempts
 * report the same thing without touching the driver again.
 *
 * <p>JCuda's exceptions stay off (they are process-global): every driver call's result is checked by
 * {@link #check}, which names the call and the {@code CUresult}.
 */
final class CudaRuntime {
  /** The PTX in the jar. */
  static final String PTX_RESOURCE = "/org/dnckernels/cuda/dnc_kernels.ptx";
  /** The PTX's target: compute_75 JIT-compiles for Turing and every later GPU (Hopper sm_90 included). */
  static final int MIN_COMPUTE_CAPABILITY = 75;
  static final String DEVICE_PROPERTY = "dnc.kernels.cuda.device";
  private static final String DRIVER_HINT =
      "the PTX is built by CUDA 13.0 and needs an NVIDIA driver of the CUDA 13 generation (R580 or newer)";

  private static final String JCUDA_HINT = "add org.jcuda:jcuda and org.jcuda:jcuda-natives for this platform";

  private static final Object LOCK = new Object();
  private static CudaRuntime instance;
  private static CudaUnavailableException failure;

  final CUcontext context = new CUcontext();
  private final CUdevice device = new CUdevice();
  private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
  private final Map<Kernel, Integer> dynamicShared = new EnumMap<>(Kernel.class);
  private final String description;
  private final int multiprocessors;

  /** The shared runtime, set up on first use. */
  static CudaRuntime get() {
    synchronized (LOCK) {
      if (instance != null) {
        return instance;
      }
      if (failure != null) {
        throw failure;
      }
      try {
        instance = new CudaRuntime();
        return instance;
      } catch (CudaUnavailableException e) {
        failure = e;
      } catch (UnsatisfiedLinkError e) {
        String reason = nativeLibraryReason(e);
        // no driver: nothing to fix in the application; no JCuda natives for this platform: add them
        failure = new CudaUnavailableException(reason, reason.contains("libcuda") ? null : JCUDA_HINT, e);
      } catch (NoClassDefFoundError e) {
        String reason = String.valueOf(e.getMessage()).startsWith("jcuda/")
            ? "JCuda is not on the class path (" + e.getMessage() + " is missing)"
            : "JCuda cannot be loaded: " + e;
        failure = new CudaUnavailableException(reason, JCUDA_HINT, e);
      } catch (LinkageError e) {
        failure = new CudaUnavailableException("JCuda cannot be loaded: " + e, JCUDA_HINT, e);
      } catch (RuntimeException e) {
        failure = new CudaUnavailableException("CUDA setup failed: " + e.getMessage(), null, e);
      }
      throw failure;
    }
  }

  private CudaRuntime() {
    int init = cuInit(0);
    if (init == CUresult.CUDA_ERROR_NO_DEVICE) {
      throw new CudaUnavailableException("no CUDA device (cuInit returned CUDA_ERROR_NO_DEVICE)", null);
    }
    if (init != CUresult.CUDA_SUCCESS) {
      throw new CudaUnavailableException("cuInit failed with " + CUresult.stringFor(init), null);
    }
    int[] count = new int[1];
    check(cuDeviceGetCount(count), "cuDeviceGetCount");
    if (count[0] == 0) {
      throw new CudaUnavailableException("no CUDA device (cuDeviceGetCount returned 0)", null);
    }
    int ordinal = Integer.getInteger(DEVICE_PROPERTY, 0);
    if (ordinal < 0 || ordinal >= count[0]) {
      throw new CudaUnavailableException("-D" + DEVICE_PROPERTY + "=" + ordinal + " but the machine has "
          + count[0] + " CUDA device(s)", "choose a device from 0 to " + (count[0] - 1));
    }
    check(cuDeviceGet(device, ordinal), "cuDeviceGet");
    String name = deviceName();
    int major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    int minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    if (major * 10 + minor < MIN_COMPUTE_CAPABILITY) {
      throw new CudaUnavailableException(name + " has compute capability " + major + "." + minor
          + "; the kernels need 7.5 (Turing) or newer", null);
    }
    multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    int sharedOptIn = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
    int[] version = new int[1];
    check(cuDriverGetVersion(version), "cuDriverGetVersion");
    String driver = version[0] / 1000 + "." + (version[0] % 1000) / 10;

    check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
    try {
      check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
      CUmodule module = loadModule(name, driver);
      for (Kernel k : Kernel.values()) {
        CUfunction f = new CUfunction();
        check(cuModuleGetFunction(f, module, k.entry), "cuModuleGetFunction(" + k.entry + ")");
        functions.put(k, f);
        if (k.usesDynamicSharedMemory()) {
          // opt in to the device's whole shared memory, less what the kernel declares statically
          int[] staticBytes = new int[1];
          check(cuFuncGetAttribute(staticBytes, CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f),
              "cuFuncGetAttribute(" + k.entry + ")");
          int dynamic = sharedOptIn - staticBytes[0];
          check(cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, dynamic),
              "cuFuncSetAttribute(" + k.entry + ", MAX_DYNAMIC_SHARED_SIZE_BYTES, " + dynamic + ")");
          dynamicShared.put(k, dynamic);
        } else {
          dynamicShared.put(k, 0);
        }
      }
    } catch (RuntimeException e) {
      cuDevicePrimaryCtxRelease(device);
      throw e;
    }
    description = name + " (sm_" + major + minor + ", " + multiprocessors + " SMs, driver CUDA " + driver + ")";
  }

  private CUmodule loadModule(String deviceName, String driver) {
    byte[] ptx = ptx();
    JITOptions options = new JITOptions();
    options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[8192]);
    options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, 8192);
    CUmodule module = new CUmodule();
    int result = cuModuleLoadDataJIT(module, Pointer.to(ptx), options);
    if (result != CUresult.CUDA_SUCCESS) {
      String log = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
      String detail = log == null || log.isBlank() ? "" : ": " + log.strip();
      boolean tooOld = result == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION
          || result == CUresult.CUDA_ERROR_INVALID_PTX;
      throw new CudaUnavailableException("the PTX failed to load on " + deviceName + " (driver CUDA " + driver
          + "): " + CUresult.stringFor(result) + detail, tooOld ? DRIVER_HINT : null);
    }
    return module;
  }

  /** The PTX resource, NUL-terminated as cuModuleLoadData wants it. */
  static byte[] ptx() {
    try (InputStream in = CudaRuntime.class.getResourceAsStream(PTX_RESOURCE)) {
      if (in == null) {
        throw new CudaUnavailableException(PTX_RESOURCE + " is missing from the class path", null);
      }
      byte[] text = in.readAllBytes();
      return Arrays.copyOf(text, text.length + 1);
    } catch (IOException e) {
      throw new CudaUnavailableException("cannot read " + PTX_RESOURCE + ": " + e, null, e);
    }
  }

  private String deviceName() {
    byte[] name = new byte[256];
    check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
    int end = 0;
    while (end < name.length && name[end] != 0) {
      end++;
    }
    return new String(name, 0, end, StandardCharsets.UTF_8);
  }

  private int attribute(int attribute) {
    int[] value = new int[1];
    check(cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
    return value[0];
  }

  String description() {
    return description;
  }

  int multiprocessors() {
    return multiprocessors;
  }

  CUfunction function(Kernel k) {
    return functions.get(k);
  }

  int maxDynamicSharedMemory(Kernel k) {
    return dynamicShared.get(k);
  }

  /** Throws if a driver call did not succeed, naming the call and the result. */
  static void check(int result, String call) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new IllegalStateException(call + " failed: " + CUresult.stringFor(result) + " (" + result + ")");
    }
  }

  /** A short reason for a native library that does not load (no driver, or no JCuda natives for this OS). */
  static String nativeLibraryReason(UnsatisfiedLinkError e) {
    String message = String.valueOf(e.getMessage());
    for (String line : message.split("\n")) {
      int at = line.indexOf("libcuda");
      if (at >= 0) {
        return "the NVIDIA driver library libcuda.so.1 cannot be loaded (no NVIDIA driver on this machine): "
            + line.substring(at).strip();
      }
    }
    String first = message.lines().findFirst().orElse(message).strip();
    return "JCuda's native library cannot be loaded: " + first;
  }
}
