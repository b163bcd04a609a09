package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import org.dnckernels.BackendProvider;
import org.junit.jupiter.api.Test;

/**
 * The provider on a class path without JCuda: loading and probing it must not fail, only report cuda as
 * unavailable because JCuda is missing (the provider links JCuda only inside its probe's try/catch).
 */
class CudaProviderIsolationTest {
  @Test
  void withoutJCudaTheProbeReportsItInsteadOfFailing() throws Exception {
    URL backend = CudaBackendProvider.class.getProtectionDomain().getCodeSource().getLocation();
    URL api = BackendProvider.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader isolated = new URLClassLoader(new URL[] {backend, api}, ClassLoader.getPlatformClassLoader())) {
      Class<?> provider = Class.forName(CudaBackendProvider.class.getName(), true, isolated);
      Object p = provider.getDeclaredConstructor().newInstance();
      Object info = provider.getMethod("probe").invoke(p);
      Class<?> infoClass = info.getClass();
      assertFalse((Boolean) infoClass.getMethod("available").invoke(info));
      assertEquals(300, infoClass.getMethod("priority").invoke(info));
      String reason = (String) infoClass.getMethod("reason").invoke(info);
      assertTrue(reason.contains("JCuda is not on the class path"), reason);
      String hint = (String) infoClass.getMethod("hint").invoke(info);
      assertTrue(hint.contains("org.jcuda:jcuda"), hint);
    }
  }
}
