package org.dnckernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.dnckernels.bench.BenchMain.Plan;
import org.dnckernels.bench.BenchMain.Run;
import org.dnckernels.bench.report.MachineInfo.Backend;
import org.junit.jupiter.api.Test;

class BenchMainTest {
  private static final Backend SCALAR = new Backend("scalar", true, "scalar", null);
  private static final Backend SIMD = new Backend("simd", true, "simd 512 bits", null);
  private static final Backend NO_CUDA = new Backend("cuda", false, "no CUDA driver", "install one");
  private static final Backend CUDA = new Backend("cuda", true, "H100", null);

  private static Plan plan(List<Backend> found, String... args) {
    return BenchMain.plan(BenchMain.parse(args), found);
  }

  @Test
  void defaultPlanRunsEveryKernelOnTheAvailableBackendsAndRecordsTheOthers() {
    Plan p = plan(List.of(NO_CUDA, SIMD, SCALAR));
    // 32 kernels (16 forwards, 16 backwards) at 5 shapes + 6 memory kernels at N=16384, on 2 backends; 5 triads;
    // 3 ceilings at 2 sizes; 2 thread counts
    assertEquals(2 * (32 * 5 + 6) + 5 + 6 + 2, p.cases());
    assertTrue(p.runs().stream().noneMatch(Run::transfer));
    assertTrue(p.runs().stream().allMatch(r -> !r.params().containsKey("backend")
        || !r.params().get("backend").contains("cuda")));
    assertEquals(1, p.skipped().size());
    assertTrue(p.skipped().get(0).reason().contains("no CUDA driver"), p.skipped().toString());
    // the memory step and content addressing run alone with the long warmup, the other kernels without it
    for (Run r : p.runs()) {
      if (r.benchmarkClass() == KernelBenchmark.class) {
        assertEquals(List.of("false"), r.params().get("transfer"));
        boolean alone = r.kernels().size() == 1 && BenchMain.LONG_WARMUP.contains(r.kernels().get(0));
        assertEquals(alone, r.longWarmup(), r.kernels().toString());
      }
    }
  }

  @Test
  void deviceBackendsAlsoRunWithTransfers() {
    Plan p = plan(List.of(CUDA, SIMD, SCALAR));
    int transfers = p.runs().stream().filter(Run::transfer).mapToInt(Run::cases).sum();
    assertTrue(p.runs().stream().filter(Run::transfer)
        .allMatch(r -> r.benchmarkClass() == KernelBenchmark.class && r.params().get("backend").equals(List.of("cuda"))));
    assertEquals(32 * 5 + 6, transfers);
    assertEquals(3 * (32 * 5 + 6) + transfers + 5 + 6 + 2, p.cases());
  }

  @Test
  void subsetsOfShapesKernelsAndBackends() {
    Plan p = plan(List.of(NO_CUDA, SIMD, SCALAR), "--shapes", "16x128x32x4, 1x16384x64x4", "--kernels",
        "contentWeights,linkUpdate", "--backends", "scalar", "--no-baseline");
    // content runs at both shapes, the link kernel at one: two JMH invocations
    assertEquals(2, p.runs().size());
    Map<String, List<String>> contentParams = p.runs().stream()
        .filter(r -> r.kernels().contains("contentWeights")).findFirst().orElseThrow().params();
    assertEquals(List.of("scalar"), contentParams.get("backend"));
    assertEquals(List.of("16x128x32x4", "1x16384x64x4"), contentParams.get("shape"));
    // the link kernel skips N = 16384 (a 1 GiB link matrix) and says so
    assertEquals(2 + 1, p.cases());
    assertTrue(p.skipped().stream().anyMatch(s -> s.what().equals("linkUpdate at 1x16384x64x4")), p.skipped().toString());
    // no memoryStep selected: no thread scaling, nothing to say about it
    assertTrue(p.runs().stream().noneMatch(r -> r.benchmarkClass() == ThreadScalingBenchmark.class));
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--kernels", "nope"}));
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--shapes", "16x16"}));
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--forks", "0"}));
    assertThrows(IllegalArgumentException.class, () -> plan(List.of(SCALAR), "--backends", "tpu"));
  }

  @Test
  void fullProfileIsOneFlagAway() {
    assertEquals(BenchMain.Profile.FULL, BenchMain.parse(new String[] {"--full"}).profile());
    assertEquals(BenchMain.Profile.QUICK, BenchMain.parse(new String[0]).profile());
  }

  @Test
  void oneParserForRunningAndRendering() {
    BenchMain.Request r = BenchMain.parse(new String[] {"--from", "results.json", "--machine", "m.json", "--out", "o",
        "--no-build"});
    assertEquals(java.util.Optional.of(java.nio.file.Path.of("results.json")), r.from());
    assertEquals(java.util.Optional.of(java.nio.file.Path.of("m.json")), r.machine());
    assertEquals(java.util.Optional.of(java.nio.file.Path.of("o")), r.out());
    // options that need a run make no sense with --from; --machine only goes with --from
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--from", "r.json", "--full"}));
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--machine", "m.json"}));
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--quick", "--full"}));
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--bogus"}));
    BenchMain.Request custom = BenchMain.parse(new String[] {"--full", "--iterations", "3", "--jvm-args", " -Xmx2g  -Da=b ",
        "--simd-threads", "1", "--dry-run"});
    assertEquals(3, custom.profile().iterations());
    assertEquals(BenchMain.Profile.FULL.forks(), custom.profile().forks());
    assertEquals(List.of("-Xmx2g", "-Da=b"), custom.jvmArgs());
    assertTrue(custom.dryRun());
  }

  @Test
  void helpListsEveryOption() {
    String usage = BenchMain.usage();
    for (String option : List.of("--help", "--quick", "--full", "--shapes", "--kernels", "--backends", "--no-baseline",
        "--forks", "--warmups", "--warmup-ms", "--iterations", "--iteration-ms", "--simd-threads", "--jvm-args",
        "--dry-run", "--out", "--from", "--machine", "--no-build")) {
      assertTrue(usage.contains(option), option + " is missing from --help:\n" + usage);
    }
    assertTrue(usage.contains("memoryStepBackward"), "the kernels are listed");
  }

  @Test
  void forksAllowJmhsUnsafeUseWhereTheFlagExists() {
    List<String> args = List.of(BenchMain.appendedForkArgs());
    assertTrue(args.contains("--add-modules=jdk.incubator.vector"));
    assertEquals(Runtime.version().feature() >= 23, args.contains("--sun-misc-unsafe-memory-access=allow"), args.toString());
  }
}
