package org.dnckernels.cuda;


import org.dnckernels.BackendInfo;
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

/** The conformance suites on the GPU; skipped, with the probe's reason, where there is none. */
class CudaConformanceTest {
  private static DncKernels cuda;

  interface Backend extends ConformanceBackend {
    @Override
    default DncKernels backend() {
      BackendInfo info = CudaUnavailableTest.cuda();
      assumeTrue(info.available(), () -> "no CUDA device: " + info.reason());
      synchronized (CudaConformanceTest.class) {
        if (cuda == null) {
          cuda = DncKernels.load("cuda");
        }
        return cuda;
      }
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
