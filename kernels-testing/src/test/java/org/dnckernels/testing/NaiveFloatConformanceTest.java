package org.dnckernels.testing;

import org.dnckernels.DncKernels;
import org.junit.jupiter.api.Nested;

/**
 * The suites on {@link NaiveFloatKernels}: runs the cross-checks here (they skip on the scalar backend), shows
 * that the tolerances admit a worst-case float32 backend, and that the suites never wrap a backend's memory.
 */
class NaiveFloatConformanceTest {
  private static final DncKernels NAIVE = new NaiveFloatKernels();

  interface Backend extends ConformanceBackend {
    @Override
    default DncKernels backend() {
      return NAIVE;
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
