package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A steady-state memory step and its backward allocate nothing on the calling thread, inline and split over the
 * pool, also at N = 16 and N = 128 whose kernels are their own, nor does a {@link org.dnckernels.MemoryTape}
 * over a sequence beyond the facade's allowance. Not a timing test. It runs in a fresh JVM with {@code -Xbatch} ({@link SteadyStateMain}): compilation is then
 * synchronous, so the step is C2-compiled after a known number of calls whatever the machine's load, and the
 * JIT's history is not the conformance suite's (interpreted vector code allocates a box per operation).
 */
class SimdSteadyStateTest {
  /**
   * Bytes per step the public facade may add around the backend: {@code DncKernels.memoryStep} builds a
   * {@code MemoryShape} (32 bytes) with {@code state.shape()}, which escape analysis removes only sometimes.
   */
  private static final double FACADE_BYTES = 32;

  @Test
  void memoryStepAllocatesNothing() throws Exception {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
    String java = ProcessHandle.current().info().command().orElse(null);
    assumeTrue(java != null, "cannot find this JVM's executable");
    String classPath = System.getProperty("java.class.path") + File.pathSeparator
        + System.getProperty("surefire.test.class.path", "");
    String bits = System.getProperty(SimdSpecies.BITS_PROPERTY, "");
    Process p = new ProcessBuilder(List.of(java, "-Xbatch", "-Xmx256m", "--add-modules", SimdBackendProvider.MODULE,
        "-D" + SimdSpecies.BITS_PROPERTY + "=" + bits, "-cp", classPath, SteadyStateMain.class.getName()))
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(150, TimeUnit.SECONDS), "child JVM did not finish: " + out);
    assertEquals(0, p.exitValue(), out);
    Matcher m = Pattern.compile("((?:N=\\d+ )?(?:backward |tape )?)threads=(\\d) impl=([0-9.]+) facade=([0-9.]+)")
        .matcher(out);
    int lines = 0;
    while (m.find()) {
      lines++;
      String what = m.group(1) + "threads=" + m.group(2)
          + ": bytes per step on the calling thread\n" + out;
      assertEquals(0.0, Double.parseDouble(m.group(3)), what);
      assertTrue(Double.parseDouble(m.group(4)) <= FACADE_BYTES, what);
    }
    // B = 4, N = 32 on 1 and 2 threads (step, backward, tape); N = 16 and N = 128 on one thread (step, backward)
    assertEquals(10, lines, out);
  }
}
