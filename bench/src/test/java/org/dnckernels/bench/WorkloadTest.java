package org.dnckernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.dnckernels.DncKernels;
import org.dnckernels.KernelSpec;
import org.dnckernels.MemoryShape;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  private static final MemoryShape S = new MemoryShape(16, 1024, 64, 4, 1);

  /** The kernels of the contract: DncKernels' public final methods that compute (everything but tensors). */
  private static Set<String> contractKernels() {
    Set<String> notKernels = Set.of("upload", "wrap", "allocate", "close", "copy");
    return Arrays.stream(DncKernels.class.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isFinal(m.getModifiers())
            && !Modifier.isStatic(m.getModifiers()) && m.getReturnType() == void.class)
        .map(Method::getName)
        .filter(n -> !notKernels.contains(n))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyKernelOfTheContractHasABytesModel() {
    Set<String> kernels = contractKernels();
    assertEquals(32, kernels.size(), kernels.toString());
    assertEquals(kernels, new TreeSet<>(Workload.KERNELS));
    // each forward, then its backward
    for (int i = 0; i < Workload.KERNELS.size(); i += 2) {
      assertEquals(Workload.KERNELS.get(i) + "Backward", Workload.KERNELS.get(i + 1));
    }
    assertEquals(Workload.KERNELS, List.copyOf(Workload.FORMULAS.keySet()));
    for (String k : kernels) {
      assertTrue(Workload.of(k, S).moved() > 0, k);
      assertTrue(Workload.of(k, S).footprint() <= Workload.of(k, S).moved(), k);
    }
  }

  @Test
  void derivedKernelSetsAreTheDocumentedOnes() {
    assertEquals(Set.of("contentWeights", "eraseAndAdd", "read", "contentWeightsBackward", "eraseAndAddBackward",
        "readBackward"), Workload.MEMORY_KERNELS);
    assertEquals(Set.of("linkUpdate", "forwardBackward", "linkUpdateAndWeightings", "memoryStep",
        "linkUpdateBackward", "forwardBackwardBackward", "linkUpdateAndWeightingsBackward", "memoryStepBackward"),
        Workload.LINK_KERNELS);
  }

  /**
   * The bytes of every kernel at every measured shape equal the hand-written model the suite used before it
   * read them from {@link KernelSpec} (floats; ×4 bytes). One deliberate difference: the footprint of usage now
   * counts its output separately from prevUsage (the benchmark passes two tensors; the old model counted one).
   */
  @Test
  void bytesEqualTheHandWrittenModelAtEveryShape() {
    List<String> shapes = new ArrayList<>(BenchShapes.STANDARD);
    shapes.addAll(BenchShapes.MEMORY_ONLY);
    shapes.add("3x17x5x2");
    for (String text : shapes) {
      MemoryShape s = BenchShapes.parse(text);
      long b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads(), h = r;
      long ifs = w * r + 3 * w + 5 * r + 3, m = 2 * wh + 1;
      for (String k : Workload.KERNELS) {
        // the backwards' bytes come from the roles alone (KernelSpecTest); this pins the forwards' model
        if (!Workload.applies(k, s) || KernelSpec.byMethod(k).isBackward()) {
          continue;
        }
        long[] e = switch (k) {
          case "contentWeights" -> same(b * n * w + b * h * w + b * h + b * h * n);
          case "eraseAndAdd" -> new long[] {b * n * w + b * wh * n + 2 * b * wh * w, 2 * b * n * w + b * wh * n
              + 2 * b * wh * w};
          case "read" -> same(b * n * w + b * r * n + b * r * w);
          case "usage" -> new long[] {2 * b * n + b * wh * n + b * r + b * r * n, 2 * b * n + b * wh * n + b * r
              + b * r * n};
          case "allocation" -> same(b * n + 2 * b * wh + b * wh * n);
          case "writeWeights" -> same(3 * b * wh * n + 2 * b * wh);
          case "precedence" -> new long[] {2 * b * wh * n, 3 * b * wh * n};
          case "linkUpdate" -> new long[] {b * wh * n * n + 2 * b * wh * n, 2 * b * wh * n * n + 2 * b * wh * n};
          case "forwardBackward" -> same(b * wh * n * n + b * r * n + 2 * b * r * wh * n);
          case "linkUpdateAndWeightings" -> new long[] {b * wh * n * n + 2 * b * wh * n + b * r * n
              + 2 * b * r * wh * n, 2 * b * wh * n * n + 2 * b * wh * n + b * r * n + 2 * b * r * wh * n};
          case "readModeMix" -> same(b * r * m + 2 * b * r * wh * n + 2 * b * r * n);
          case "ntmInterpolate" -> same(3 * b * h * n + b * h);
          case "ntmShift" -> same(2 * b * h * n + 3 * b * h);
          case "ntmSharpen" -> same(2 * b * h * n + b * h);
          case "interfaceSplit" -> same(2 * b * ifs);
          case "memoryStep" -> {
            long state = b * n * w + b * n + b * wh * n * n + 2 * b * wh * n + b * r * n;
            long workspace = 2 * b * wh * n + b * r * n + 2 * b * r * wh * n;
            long in = b * r * w + b * r + 3 * b * wh * w + 3 * b * wh + b * r + b * r * m;
            long moved = (2 * b * n + b * wh * n + b * r + b * r * n) // usage
                + (b * n + 2 * b * wh + b * wh * n) // allocation
                + (b * n * w + b * wh * w + b * wh + b * wh * n) // write content, H = Wh
                + (3 * b * wh * n + 2 * b * wh) // write weights
                + (2 * b * n * w + b * wh * n + 2 * b * wh * w) // erase and add
                + (2 * b * wh * n * n + 2 * b * wh * n + b * r * n + 2 * b * r * wh * n) // fused link
                + 3 * b * wh * n // precedence
                + (b * n * w + b * r * w + b * r + b * r * n) // read content, H = R
                + (b * r * m + 2 * b * r * wh * n + 2 * b * r * n) // read-mode mix
                + (b * n * w + b * r * n + b * r * w); // read
            yield new long[] {state + workspace + in + b * r * w, moved};
          }
          default -> throw new AssertionError(k);
        };
        assertEquals(4 * e[0], Workload.of(k, s).footprint(), k + " footprint at " + text);
        assertEquals(4 * e[1], Workload.of(k, s).moved(), k + " moved at " + text);
      }
    }
  }

  private static long[] same(long floats) {
    return new long[] {floats, floats};
  }

  @Test
  void formulasComeFromTheRoles() {
    assertEquals("memory read and written; writeWeights, erase, add read: 8·B·N·W + 4·B·Wh·N + 8·B·Wh·W",
        Workload.FORMULAS.get("eraseAndAdd"));
    assertEquals("link read and written; prevPrecedence, writeWeights read: 8·B·Wh·N² + 8·B·Wh·N",
        Workload.FORMULAS.get("linkUpdate"));
    assertEquals("weights, shift read; out written: 8·B·H·N + 4·B·H·K (H = R, K = 3)",
        Workload.FORMULAS.get("ntmShift"));
    assertTrue(Workload.FORMULAS.get("memoryStep").startsWith("the sum of the kernels it runs"),
        Workload.FORMULAS.get("memoryStep"));
    assertTrue(!Workload.FORMULAS.get("read").startsWith("the sum"), Workload.FORMULAS.get("read"));
  }

  @Test
  void triadMovesTwelveBytesAnElement() {
    assertEquals(12L * 1000, Workload.triad(1000).moved());
    assertEquals(87381, BandwidthBenchmark.floatsPerArray(1024));
  }

  @Test
  void linkKernelsStopAtLargeN() {
    MemoryShape huge = BenchShapes.parse(BenchShapes.HUGE_MEMORY);
    assertTrue(Workload.applies("read", huge));
    assertTrue(!Workload.applies("memoryStep", huge));
    assertTrue(Workload.applies("memoryStep", S));
  }
}
