package org.dnckernels.simd;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.dnckernels.BackendInfo;
import org.dnckernels.BackendProvider;
import org.dnckernels.DncKernels;

/**
 * The SIMD backend's provider. This class references no Vector API type: it checks that the Vector API is
 * usable (the incubator module in the boot layer, HotSpot with C2, vectors of at least 128 bits) and only then
 * loads the backend by class name, so a JVM without {@code --add-modules jdk.incubator.vector} gets "unavailable,
 * here is why" instead of a linkage error.
 */
public final class SimdBackendProvider implements BackendProvider {
  static final String NAME = "simd";
  static final int PRIORITY = 200;
  static final String MODULE = "jdk.incubator.vector";
  static final String MODULE_HINT = "pass --add-modules " + MODULE + " to the JVM";
  private static final String KERNELS_CLASS = "org.dnckernels.simd.SimdKernels";
  private static final String PROBE_CLASS = "org.dnckernels.simd.SimdProbe";

  /** Called by {@link java.util.ServiceLoader}. */
  public SimdBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public BackendInfo probe() {
    try {
      if (Runtime.version().feature() < 21) {
        return unavailable("needs Java 21 or later, this is " + Runtime.version(), null);
      }
      if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
        return unavailable("the Vector API module " + MODULE + " is not in the boot layer", MODULE_HINT);
      }
      String vm = System.getProperty("java.vm.name", "");
      if (!vm.startsWith("OpenJDK") && !vm.startsWith("Java HotSpot")) {
        return unavailable("the Vector API is only fast on HotSpot, this VM is " + vm, null);
      }
      String c2 = c2Problem();
      if (c2 != null) {
        return unavailable(c2 + ": without C2 the Vector API is not compiled to SIMD instructions",
            "run without -Xint / -XX:TieredStopAtLevel");
      }
      // only now may a class that touches the Vector API load
      IntSupplier bits = (IntSupplier) Class.forName(PROBE_CLASS).getDeclaredConstructor().newInstance();
      int vectorBits = bits.getAsInt();
      if (vectorBits < 128) {
        return unavailable("this CPU's vectors are " + vectorBits + " bits, fewer than 128", null);
      }
      return BackendInfo.available(NAME, PRIORITY, "Vector API, " + vectorBits + "-bit float vectors");
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return unavailable("the Vector API failed to start: " + cause, null);
    }
  }

  @Override
  public DncKernels create() {
    try {
      return (DncKernels) Class.forName(KERNELS_CLASS).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot create the SIMD backend: " + cause, cause);
    }
  }

  private static BackendInfo unavailable(String reason, String hint) {
    return BackendInfo.unavailable(NAME, PRIORITY, reason, hint);
  }

  /** Why C2 is off, or null when it is on (or the flags cannot be read: then trust the VM). */
  private static String c2Problem() {
    String info = System.getProperty("java.vm.info", "");
    if (info.contains("interpreted mode")) {
      return "the JVM runs interpreted (-Xint)";
    }
    if (hotSpotFlag("UseCompiler", "true").equals("false")) {
      return "the JIT compiler is off";
    }
    if (hotSpotFlag("TieredCompilation", "true").equals("true")) {
      String level = hotSpotFlag("TieredStopAtLevel", "4");
      try {
        if (Integer.parseInt(level) < 4) {
          return "C2 is off (-XX:TieredStopAtLevel=" + level + ")";
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * A HotSpot VM option's value as a lower-case string, or {@code otherwise} when it cannot be read (another VM,
   * no jdk.management module).
   */
  static String hotSpotFlag(String name, String otherwise) {
    try {
      return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption(name).getValue().toLowerCase(Locale.ROOT);
    } catch (RuntimeException | LinkageError e) {
      return otherwise;
    }
  }
}
