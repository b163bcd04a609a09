package org.dnckernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * SimdMath's claim, "the same bits on every tier and every vector width": exp and expMinus give the same output
 * bits at 128, 256 and 512 bits (each width this CPU has), interpreted ({@code -Xint}) and C2-compiled, and
 * equal to the scalar {@link SimdMath#exp(float)} element by element. The species is fixed when
 * {@link SimdSpecies} loads, so each width runs in its own JVM ({@link SimdMathMain}).
 */
class SimdMathWidthsTest {
  @Test
  void expGivesTheSameBitsAtEveryWidthAndTier() throws Exception {
    assumeTrue(ModuleLayer.boot().findModule(SimdBackendProvider.MODULE).isPresent(), "no Vector API");
    // the children choose their own widths: once, in the execution that does not force one, is enough
    String forced = System.getProperty(SimdSpecies.BITS_PROPERTY, "");
    assumeTrue(forced.isBlank(), "widths forced to " + forced + ": this test runs in the default execution");
    String java = ProcessHandle.current().info().command().orElse(null);
    assumeTrue(java != null, "cannot find this JVM's executable");
    int widest = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    assumeTrue(widest >= 256, "this CPU has only " + widest + "-bit vectors: nothing to compare");

    Map<String, String> bits = new LinkedHashMap<>();
    for (int width = 128; width <= Math.min(512, widest); width *= 2) {
      bits.put(width + " bits", child(java, width, List.of()));
    }
    bits.put("128 bits, -Xint", child(java, 128, List.of("-Xint")));
    bits.put(widest + " bits, -Xint", child(java, widest, List.of("-Xint")));
    String first = bits.values().iterator().next();
    for (Map.Entry<String, String> e : bits.entrySet()) {
      assertEquals(first, e.getValue(), "exp output bits by width and tier: " + bits);
    }
  }

  private static String child(String java, int width, List<String> flags) throws Exception {
    String classPath = System.getProperty("java.class.path") + File.pathSeparator
        + System.getProperty("surefire.test.class.path", "");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx128m"));
    command.addAll(flags);
    command.addAll(List.of("--add-modules", SimdBackendProvider.MODULE, "-D" + SimdSpecies.BITS_PROPERTY + "=" + width,
        "-cp", classPath, SimdMathMain.class.getName(), flags.contains("-Xint") ? "0" : "20000"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish: " + out);
    assertEquals(0, p.exitValue(), width + " bits " + flags + ": " + out);
    Matcher m = Pattern.compile("lanes=(\\d+) bits=([0-9a-f]+)").matcher(out);
    assertTrue(m.find(), out);
    assertEquals(width / Float.SIZE, Integer.parseInt(m.group(1)), out);
    return m.group(2);
  }
}
