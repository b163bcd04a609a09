package org.dnckernels.cuda;


import org.dnckernels.DncKernels;
import org.dnckernels.testing.AllocationConformance;
import org.dnckernels.testing.AllocationGradientConformance;
import org.dnckernels.testing.ArgumentConformance;
import org.dnckernels.testing.ConformanceBackend;
import org.dnckernels.testing.ContentAddressingConformance;
import org.dnckernels.testing.ContentAddressingGradientConformance;
import org.dnckernels.testing.InterfaceSplitConformance;
import org.dnckernels.testing.InterfaceSplitGradientConformance;
import org.dnckernels.testing.MemoryAccessGradientConformance;
import org.dnckernels.testing.MemoryStepConformance;
import org.dnckernels.testing.MemoryStepGradientConformance;
import org.dnckernels.testing.MemoryTapeConformance;
import org.dnckernels.testing.MemoryWriteReadConformance;
import org.dnckernels.testing.NtmAddressingConformance;
import org.dnckernels.testing.NtmAddressingGradientConformance;
import org.dnckernels.testing.ReadModesConformance;
import org.dnckernels.testing.TemporalLinkageConformance;
import org.dnckernels.testing.TemporalLinkageGradientConformance;
import org.junit.jupiter.api.Nested;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance suites on the CPU emulator of the kernels (kernels-cuda/emulate.sh), with an H100's shared
 * memory: the kernels' own source and the host code of {@link CudaKernels}, without a GPU. Skipped unless the
 * emulator library is given.
 */
class CudaEmulatedConformanceTest {
  /** An H100's opt-in shared memory per block, less step_allocate's static shared memory. */
  static final int H100_SHARED = 232448 - 8720;

  private static DncKernels emulated;

  interface Backend extends ConformanceBackend {
    @Override
    default DncKernels backend() {
      assumeTrue(EmulatedGpu.available(), EmulatedGpu::unavailableReason);
      synchronized (CudaEmulatedConformanceTest.class) {
        if (emulated == null) {
          emulated = new CudaKernels(new EmulatedGpu(H100_SHARED));
        }
        return emulated;
      }
    }

    /** The emulator takes about 45 ms a step: 300 steps here (3000, the suite's default, passed on it too). */
    @Override
    default int longRunSteps() {
      return 300;
    }
  }

  @Nested class ContentAddressing extends ContentAddressingConformance implements Backend {}
  @Nested class MemoryWriteRead extends MemoryWriteReadConformance implements Backend {}
  @Nested class Allocation extends AllocationConformance implements Backend {}
  @Nested class TemporalLinkage extends TemporalLinkageConformance implements Backend {}
  @Nested class ReadModes extends ReadModesConformance implements Backend {}
  @Nested class NtmAddressing extends NtmAddressingConformance implements Backend {}
  @Nested class InterfaceSplit extends InterfaceSplitConformance implements Backend {}
  @Nested class MemoryStep extends MemoryStepConformance implements Backend {}
  @Nested class Arguments extends ArgumentConformance implements Backend {}
  @Nested class ContentAddressingGradient extends ContentAddressingGradientConformance implements Backend {}
  @Nested class InterfaceSplitGradient extends InterfaceSplitGradientConformance implements Backend {}
  @Nested class MemoryAccessGradient extends MemoryAccessGradientConformance implements Backend {}
  @Nested class AllocationGradient extends AllocationGradientConformance implements Backend {}
  @Nested class TemporalLinkageGradient extends TemporalLinkageGradientConformance implements Backend {}
  @Nested class NtmAddressingGradient extends NtmAddressingGradientConformance implements Backend {}
  @Nested class MemoryStepGradient extends MemoryStepGradientConformance implements Backend {}
  @Nested class MemoryTape extends MemoryTapeConformance implements Backend {}
}
