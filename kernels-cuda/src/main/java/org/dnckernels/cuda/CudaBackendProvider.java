package org.dnckernels.cuda;

import java.lang.reflect.InvocationTargetException;
import java.util.function.Supplier;
import org.dnckernels.BackendInfo;
import org.dnckernels.BackendProvider;
import org.dnckernels.DncKernels;

/**
 * Service provider of the CUDA backend (priority 300, the best when it works). This class never links JCuda:
 * the probe and the backend are loaded by name inside a try/catch, so that a machine without the driver, without
 * a GPU or without JCuda's natives gets "cuda unavailable: reason" and {@code auto} moves on.
 */
public final class CudaBackendProvider implements BackendProvider {
  static final int PRIORITY = 300;
  private static final String PROBE = "org.dnckernels.cuda.CudaProbe";
  private static final String BACKEND = "org.dnckernels.cuda.CudaKernels";

  /** Called by {@link java.util.ServiceLoader}. */
  public CudaBackendProvider() {}

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public BackendInfo probe() {
    try {
      @SuppressWarnings("unchecked")
      Supplier<String> probe = (Supplier<String>) instantiate(PROBE);
      return BackendInfo.available(name(), PRIORITY, probe.get());
    } catch (Throwable t) {
      return unavailable(unwrap(t));
    }
  }

  @Override
  public DncKernels create() {
    try {
      return (DncKernels) instantiate(BACKEND);
    } catch (Throwable t) {
      Throwable cause = unwrap(t);
      if (cause instanceof RuntimeException e) {
        throw e;
      }
      throw new IllegalStateException("the cuda backend failed to start: " + cause, cause);
    }
  }

  private Object instantiate(String className) throws ReflectiveOperationException {
    Class<?> c = Class.forName(className, true, CudaBackendProvider.class.getClassLoader());
    return c.getDeclaredConstructor().newInstance();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof InvocationTargetException || t instanceof ExceptionInInitializerError)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private BackendInfo unavailable(Throwable t) {
    if (t instanceof CudaUnavailableException e) {
      return BackendInfo.unavailable(name(), PRIORITY, e.reason(), e.hint());
    }
    if (t instanceof NoClassDefFoundError && String.valueOf(t.getMessage()).startsWith("jcuda/")) {
      return BackendInfo.unavailable(name(), PRIORITY, "JCuda is not on the class path (" + t.getMessage() + ")",
          "add org.jcuda:jcuda and org.jcuda:jcuda-natives for this platform");
    }
    String reason = t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
    return BackendInfo.unavailable(name(), PRIORITY, "probe failed: " + reason, null);
  }
}
