package org.dnckernels;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/** Finds the backends on the class path and picks one. */
final class Backends {
  static final String PROPERTY = "dnc.kernels.backend";
  private static final System.Logger LOG = System.getLogger("org.dnckernels");

  private Backends() {}

  private static final class Holder {
    // found once: class path scanning and probes (a CUDA driver init) are not free
    static final List<Found> FOUND = discover();
  }

  private record Found(BackendProvider provider, BackendInfo info) {}

  private static List<Found> discover() {
    List<Found> found = new ArrayList<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
      BackendInfo info;
      try {
        info = p.probe();
      } catch (Throwable t) {
        info = BackendInfo.unavailable(p.name(), p.priority(), "probe failed: " + t, null);
      }
      found.add(new Found(p, info));
    }
    found.sort(Comparator.comparingInt((Found f) -> f.info.priority()).reversed());
    return List.copyOf(found);
  }

  static List<BackendInfo> list() {
    return Holder.FOUND.stream().map(Found::info).toList();
  }

  static DncKernels load() {
    return load(System.getProperty(PROPERTY, "auto"));
  }

  static DncKernels load(String name) {
    Checks.notNull("backend", name);
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    if (wanted.equals("auto")) {
      return loadBest();
    }
    for (Found f : Holder.FOUND) {
      if (f.info.name().equals(wanted)) {
        if (!f.info.available()) {
          throw new IllegalStateException("backend " + wanted + " is unavailable: " + f.info.reason()
              + (f.info.hint() == null ? "" : "; " + f.info.hint()));
        }
        DncKernels k = create(f);
        LOG.log(Level.INFO, "dnc-kernels backend: {0} ({1}), forced by {2}", k.name(), k.description(),
            PROPERTY + "=" + wanted);
        return k;
      }
    }
    throw new IllegalStateException("backend " + wanted + " is not on the class path; found: "
        + list().stream().map(BackendInfo::name).toList());
  }

  private static DncKernels loadBest() {
    for (Found f : Holder.FOUND) {
      if (!f.info.available()) {
        // a hint means the user can fix it: say so loudly, once per load
        LOG.log(f.info.hint() == null ? Level.INFO : Level.WARNING,
            "dnc-kernels backend {0} not used: {1}{2}", f.info.name(), f.info.reason(),
            f.info.hint() == null ? "" : "; " + f.info.hint());
        continue;
      }
      try {
        DncKernels k = f.provider.create();
        LOG.log(Level.INFO, "dnc-kernels backend: {0} ({1})", k.name(), k.description());
        return k;
      } catch (RuntimeException | LinkageError e) {
        LOG.log(Level.WARNING, "dnc-kernels backend {0} failed to start: {1}", f.info.name(), e.toString());
      }
    }
    throw new IllegalStateException("no dnc-kernels backend is available: " + list()
        + " (is dnc-kernels-scalar on the class path?)");
  }

  private static DncKernels create(Found f) {
    try {
      return f.provider.create();
    } catch (RuntimeException | LinkageError e) {
      throw new IllegalStateException("backend " + f.info.name() + " failed to start: " + e, e);
    }
  }
}
