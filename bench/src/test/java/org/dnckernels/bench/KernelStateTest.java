package org.dnckernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;
import org.dnckernels.KernelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Param;

/**
 * Every kernel's benchmark state, on every host backend available to the tests, stays sane over many calls: the
 * steady states of the in-place kernels do not drift to zero, NaN or infinity (tearDown checks and throws).
 */
class KernelStateTest {
  private static final String SMALL = "2x16x8x2";
  private static final int CALLS = 500;

  private static List<String> hostBackends() {
    return DncKernels.backends().stream().filter(BackendInfo::available).map(BackendInfo::name)
        .filter(b -> b.equals("scalar") || b.equals("simd")).toList();
  }

  static Stream<Arguments> states() {
    List<Arguments> out = new ArrayList<>();
    for (KernelSpec k : KernelSpec.values()) {
      for (String b : hostBackends()) {
        out.add(Arguments.of(k.method(), b));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("states")
  void staysSaneOverManyCalls(String kernel, String backend) {
    KernelBenchmark.Args s = new KernelBenchmark.Args();
    s.kernel = kernel;
    s.backend = backend;
    s.shape = SMALL;
    exercise(s);
  }

  @Test
  void threadScalingStateStaysSane() {
    for (String backend : hostBackends()) {
      ThreadScalingBenchmark.StepThreads s = new ThreadScalingBenchmark.StepThreads();
      s.threads = "1";
      s.backend = backend;
      s.shape = SMALL;
      exercise(s);
    }
  }

  private static void exercise(KernelState s) {
    s.setUp();
    for (int i = 0; i < CALLS; i++) {
      assertNotNull(s.run());
    }
    for (int i = 0; i < 3; i++) {
      assertNotNull(s.runWithTransfer());
    }
    s.tearDown();
  }

  /** JMH needs compile-time constants: the kernel parameter's list cannot drift from KernelSpec's. */
  @Test
  void kernelParameterListsEveryKernelInOrder() throws Exception {
    Param p = KernelBenchmark.Args.class.getField("kernel").getAnnotation(Param.class);
    assertEquals(Arrays.stream(KernelSpec.values()).map(KernelSpec::method).toList(), List.of(p.value()));
  }

  @Test
  void sanityCheckCatchesDrift() {
    assertThrows(IllegalStateException.class, () -> KernelState.checkSane("x", new float[] {0f, 0f}));
    assertThrows(IllegalStateException.class, () -> KernelState.checkSane("x", new float[] {1f, Float.NaN}));
    assertThrows(IllegalStateException.class, () -> KernelState.checkSane("x", new float[] {1f, 1e30f}));
    KernelState.checkSane("x", new float[] {0f, 0.5f});
  }
}
