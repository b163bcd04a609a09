package org.dnckernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.dnckernels.DncKernels;
import org.dnckernels.MemoryShape;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

class WorkloadTest {
  private static final MemoryShape S = new MemoryShape(16, 1024, 64, 4, 1);

  /** The kernels of the contract: DncKernels' public final methods that compute (everything but tensors). */
  private static Set<String> contractKernels() {
    Set<String> notKernels = Set.of("upload", "wrap", "allocate", "close");
    return Arrays.stream(DncKernels.class.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isFinal(m.getModifiers())
            && !Modifier.isStatic(m.getModifiers()) && m.getReturnType() == void.class)
        .map(Method::getName)
        .filter(n -> !notKernels.contains(n))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> benchmarks(Class<?> c) {
    return Arrays.stream(c.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class))
        .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyKernelOfTheContractHasABenchmarkAndABytesModel() {
    Set<String> kernels = contractKernels();
    assertEquals(16, kernels.size(), kernels.toString());
    assertEquals(kernels, new TreeSet<>(Workload.KERNELS));
    assertEquals(kernels, benchmarks(KernelBenchmarks.class));
    assertEquals(kernels, benchmarks(TransferBenchmarks.class));
    assertEquals(kernels, new TreeSet<>(Workload.FORMULAS.keySet()));
    for (String k : kernels) {
      assertTrue(Workload.of(k, S).moved() > 0, k);
      assertTrue(Workload.of(k, S).footprint() <= Workload.of(k, S).moved(), k);
    }
  }

  @Test
  void modelMatchesTheDocumentedFormulas() {
    long b = 16, n = 1024, w = 64, r = 4, wh = 1;
    assertEquals(8 * b * n * w + 4 * b * wh * n + 8 * b * wh * w, Workload.of("eraseAndAdd", S).moved());
    assertEquals(4 * b * n * w + 4 * b * r * n + 4 * b * r * w, Workload.of("read", S).moved());
    assertEquals(8 * b * wh * n * n + 8 * b * wh * n, Workload.of("linkUpdate", S).moved());
    assertEquals(4 * b * wh * n * n + 4 * b * r * n + 8 * b * r * wh * n, Workload.of("forwardBackward", S).moved());
    assertEquals(4 * b * n * (2 + wh + r) + 4 * b * r, Workload.of("usage", S).moved());
    // the in-place link is read and written: twice its size moved, once in the working set
    assertEquals(4 * b * wh * n * n + 4 * b * wh * 2 * n + 4 * b * r * n + 8 * b * r * wh * n,
        Workload.of("linkUpdateAndWeightings", S).footprint());
    long parts = List.of("usage", "allocation", "writeWeights", "eraseAndAdd", "linkUpdateAndWeightings",
            "precedence", "readModeMix", "read").stream().mapToLong(k -> Workload.of(k, S).moved()).sum()
        + Workload.of("contentWeights", S).moved()
        // the write content addressing has H = Wh = 1 head
        + Workload.of("contentWeights", new MemoryShape(16, 1024, 64, 1, 1)).moved();
    assertEquals(parts, Workload.of("memoryStep", S).moved());
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
