package org.dnckernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dnckernels.DncKernels;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.dnckernels.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/**
 * {@link DeterminismChecks} on the CPU emulator of the kernels (kernels-cuda/emulate.sh), plus what only the
 * emulator can count: the launches of a memory step, and the emulator's kernel table against the host's.
 */
class CudaEmulatedDeterminismTest extends DeterminismChecks {
  private static CudaKernels emulated;
  private static EmulatedGpu gpu;

  @Override
  protected DncKernels backend() {
    assumeTrue(EmulatedGpu.available(), EmulatedGpu::unavailableReason);
    synchronized (CudaEmulatedDeterminismTest.class) {
      if (emulated == null) {
        gpu = new EmulatedGpu(CudaEmulatedConformanceTest.H100_SHARED);
        emulated = new CudaKernels(gpu);
      }
      return emulated;
    }
  }

  @Test
  void aMemoryStepIsFourLaunches() {
    MemoryShape s = new MemoryShape(2, 17, 5, 3, 2);
    try (MemoryState state = emulated.newState(s);
        Workspace ws = emulated.newWorkspace(s);
        Tensor rv = emulated.allocate(2, 3, 5);
        var in = new RandomTensors(5).interfaceValues(2, 5, 3, 2).upload(emulated, s)) {
      long before = gpu.launches();
      emulated.memoryStep(state, in, rv, ws);
      assertEquals(4, gpu.launches() - before);
    }
  }

  @Test
  void theEmulatorHasExactlyTheHostsKernels() {
    assertSameKernels(EmulatedGpu.kernels());
  }
}
