package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dnckernels.KernelSpec;
import org.junit.jupiter.api.Test;

/**
 * Every SIMD kernel, forward and backward, gives the same bits interpreted ({@code -Xint}) and compiled by C2
 * after warm-up ({@code -Xbatch}): the contract's determinism must not depend on the JIT tier. It failed when
 * the backwards reduced lanes with {@code reduceLanes(ADD)}, whose order on floats is left to the
 * implementation. Runs {@link JitTiersMain} in two child JVMs. Not a timing test.
 */
class JitTiersTest {
  @Test
  void everyKernelGivesTheSameBitsInterpretedAndCompiled() throws Exception {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
    List<String> interpreted = run("-Xint", "0");
    List<String> compiled = run("-Xbatch", "3000");
    assertEquals(KernelSpec.values().length, interpreted.size(), String.join("\n", interpreted));
    assertEquals(interpreted.size(), compiled.size(), String.join("\n", compiled));
    List<String> differ = new ArrayList<>();
    for (int i = 0; i < interpreted.size(); i++) {
      if (!interpreted.get(i).equals(compiled.get(i))) {
        differ.add(interpreted.get(i).substring(0, interpreted.get(i).indexOf('=')));
      }
    }
    assertTrue(differ.isEmpty(), "different bits interpreted and compiled: " + differ);
  }

  private static List<String> run(String mode, String warm) throws Exception {
    String java = ProcessHandle.current().info().command().orElse(null);
    assumeTrue(java != null, "cannot find this JVM's executable");
    String classPath = System.getProperty("java.class.path") + File.pathSeparator
        + System.getProperty("surefire.test.class.path", "");
    String bits = System.getProperty(SimdSpecies.BITS_PROPERTY, "");
    Process p = new ProcessBuilder(List.of(java, mode, "-Xmx256m", "--add-modules", SimdBackendProvider.MODULE,
        "-D" + SimdSpecies.BITS_PROPERTY + "=" + bits, "-cp", classPath, JitTiersMain.class.getName(), warm))
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish: " + out);
    assertEquals(0, p.exitValue(), out);
    List<String> lines = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.matches("\\w+=[0-9a-f]{64}")) {
        lines.add(line);
      }
    }
    return lines;
  }
}
