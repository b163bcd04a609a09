package org.dnckernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The ceiling loops read every element and do their FMAs: each returns a known multiple of the array's sum. */
class ComputeCeilingBenchmarkTest {
  @Test
  void eachLoopSumsTheWholeArrayTimesItsMultipliers() {
    ComputeCeilingBenchmark.Stream s = new ComputeCeilingBenchmark.Stream();
    s.kib = 16;
    s.setUp();
    assertEquals(4096, s.a.length);
    double sum = 0, abs = 0;
    for (float v : s.a) {
      sum += v;
      abs += Math.abs(v);
    }
    ComputeCeilingBenchmark b = new ComputeCeilingBenchmark();
    // float lanes over 4096 elements: well inside 1e-4 of Σ|a|
    double tol = 1e-4 * abs;
    // the multipliers are told apart only if the sum is far from 0
    assertTrue(Math.abs(sum) > 50 * tol, "sum " + sum + " too close to 0 for this seed");
    assertEquals(sum, b.read(s), tol);
    // multipliers 1/2 + 1/4 + 1/8 + 1/16 once (k = 4) or twice (k = 8)
    assertEquals(0.9375 * sum, b.readFma4(s), tol);
    assertEquals(1.875 * sum, b.readFma8(s), tol);
  }

  @Test
  void namesItsFmaDensities() {
    assertEquals(0, ComputeCeilingBenchmark.fmasPerVector("read"));
    assertEquals(4, ComputeCeilingBenchmark.fmasPerVector("readFma4"));
    assertEquals(8, ComputeCeilingBenchmark.fmasPerVector("readFma8"));
    assertEquals(-1, ComputeCeilingBenchmark.fmasPerVector("triad"));
  }
}
