package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;
import org.junit.jupiter.api.Test;

/** What the registry says about the SIMD backend with and without the Vector API. */
class SimdAvailabilityTest {
  private static boolean vectorModule() {
    return ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent();
  }

  private static BackendInfo simdInfo() {
    return DncKernels.backends().stream().filter(b -> b.name().equals("simd")).findFirst().orElseThrow();
  }

  @Test
  void withoutTheModuleSimdIsUnavailableWithTheHint() {
    assumeTrue(!vectorModule(), "the Vector API module is present");
    BackendInfo info = simdInfo();
    assertFalse(info.available(), info.toString());
    assertEquals(200, info.priority());
    assertTrue(info.reason().contains(SimdBackendProvider.MODULE), info.reason());
    assertEquals("pass --add-modules jdk.incubator.vector to the JVM", info.hint());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DncKernels.load("simd"));
    assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
  }

  @Test
  void withTheModuleSimdIsAvailableAndDescribesItself() {
    assumeTrue(vectorModule(), "the Vector API module is absent");
    BackendInfo info = simdInfo();
    assertTrue(info.available(), info.toString());
    try (DncKernels kernels = DncKernels.load("simd")) {
      assertEquals("simd", kernels.name());
      String d = kernels.description();
      int bits = new SimdProbe().getAsInt();
      assertTrue(d.contains(bits + "-bit") && d.contains((bits / 32) + " lanes") && d.contains("thread"), d);
      String forced = System.getProperty("dnc.kernels.simd.bits");
      if (forced != null && !forced.isBlank()) {
        assertEquals(Integer.parseInt(forced.trim()), bits);
      }
    }
  }

  @Test
  void threadCountComesFromTheConstructorOrTheProperty() {
    assumeTrue(vectorModule(), "the Vector API module is absent");
    try (SimdKernels one = new SimdKernels(1); SimdKernels three = new SimdKernels(3)) {
      assertEquals(1, one.threads());
      assertEquals(3, three.threads());
      assertTrue(three.description().endsWith("3 threads"), three.description());
    }
    assertThrows(IllegalArgumentException.class, () -> new SimdKernels(0));
  }

  /** A JVM without C2 must not get the Vector API (it would run it as slow objects): checked in a child JVM. */
  @Test
  void withoutC2SimdIsUnavailable() throws Exception {
    assumeTrue(vectorModule(), "the Vector API module is absent");
    String java = ProcessHandle.current().info().command().orElse(null);
    assumeTrue(java != null, "cannot find this JVM's executable");
    String classPath = System.getProperty("java.class.path") + File.pathSeparator
        + System.getProperty("surefire.test.class.path", "");
    Process p = new ProcessBuilder(List.of(java, "-XX:TieredStopAtLevel=1", "--add-modules",
        SimdBackendProvider.MODULE, "-cp", classPath, PrintBackends.class.getName()))
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish: " + out);
    assertTrue(out.contains("simd (unavailable: C2 is off (-XX:TieredStopAtLevel=1)"), out);
  }
}
