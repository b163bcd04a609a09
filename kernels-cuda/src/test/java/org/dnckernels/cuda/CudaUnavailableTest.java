package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.BackendInfo;
import org.dnckernels.DncKernels;
import org.junit.jupiter.api.Test;

/**
 * What the registry says about cuda on this machine. Without a GPU (no libcuda.so.1, no device, a driver too
 * old, ...): listed as unavailable with a reason, forcing it fails with that reason, {@code auto} picks another
 * backend. With one: available, and it loads.
 */
class CudaUnavailableTest {
  static BackendInfo cuda() {
    return DncKernels.backends().stream().filter(i -> i.name().equals("cuda")).findFirst()
        .orElseThrow(() -> new AssertionError("cuda is not listed: " + DncKernels.backends()));
  }

  @Test
  void cudaIsListedWithItsPriority() {
    BackendInfo info = cuda();
    assertEquals(300, info.priority());
    assertFalse(info.reason() == null || info.reason().isBlank(), "reason or description");
    assertEquals(info, DncKernels.backends().get(0), "cuda is the first choice of auto");
  }

  @Test
  void withoutAGpuForcingCudaFailsWithTheReason() {
    BackendInfo info = cuda();
    assumeFalse(info.available(), "a CUDA device is available here: " + info.reason());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DncKernels.load("cuda"));
    assertTrue(e.getMessage().contains(info.reason()), e.getMessage());
    assertTrue(e.getMessage().contains("cuda"), e.getMessage());
  }

  @Test
  void withoutAGpuAutoPicksAnotherBackend() {
    BackendInfo info = cuda();
    assumeFalse(info.available(), "a CUDA device is available here: " + info.reason());
    try (DncKernels k = DncKernels.load("auto")) {
      assertNotEquals("cuda", k.name());
    }
  }

  @Test
  void withAGpuTheProbeSaysAvailableAndTheBackendLoads() {
    BackendInfo info = cuda();
    assumeTrue(info.available(), () -> "no CUDA device here: " + info.reason());
    try (DncKernels k = DncKernels.load("cuda")) {
      assertEquals("cuda", k.name());
      assertEquals(info.reason(), k.description());
    }
  }
}
