package org.dnckernels.bench;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every benchmark state, on every host backend available to the tests, stays sane over many calls: the steady
 * states of the in-place kernels do not drift to zero, NaN or infinity (tearDown checks and throws).
 */
class KernelStatesTest {
  private static final String SMALL = "2x16x8x2";
  private static final int CALLS = 500;

  static Stream<Arguments> states() {
    List<Arguments> out = new ArrayList<>();
    List<String> backends = DncKernels.backends().stream()
        .filter(BackendInfo::available).map(BackendInfo::name)
        .filter(b -> b.equals("scalar") || b.equals("simd")).toList();
    for (Class<?> c : KernelStates.class.getDeclaredClasses()) {
      if (KernelState.class.isAssignableFrom(c)) {
        for (String b : backends) {
          out.add(Arguments.of(c.getSimpleName(), b));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("states")
  void staysSaneOverManyCalls(String state, String backend) throws Exception {
    KernelState s = (KernelState) Class.forName(KernelStates.class.getName() + "$" + state)
        .getDeclaredConstructor().newInstance();
    s.backend = backend;
    s.shape = SMALL;
    if (s instanceof KernelStates.MemoryStepThreads t) {
      t.threads = "1";
    }
    s.setUp();
    for (int i = 0; i < CALLS; i++) {
      assertNotNull(s.run());
    }
    for (int i = 0; i < 3; i++) {
      assertNotNull(s.runWithTransfer());
    }
    s.tearDown();
  }

  @Test
  void sanityCheckCatchesDrift() {
    assertThrows(IllegalStateException.class, () -> KernelState.checkSane("x", new float[] {0f, 0f}));
    assertThrows(IllegalStateException.class, () -> KernelState.checkSane("x", new float[] {1f, Float.NaN}));
    assertThrows(IllegalStateException.class, () -> KernelState.checkSane("x", new float[] {1f, 1e30f}));
    KernelState.checkSane("x", new float[] {0f, 0.5f});
  }
}
