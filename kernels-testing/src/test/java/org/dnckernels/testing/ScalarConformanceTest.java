package org.dnckernels.testing;

import org.dnckernels.DncKernels;
import org.dnckernels.scalar.ScalarKernels;
import org.junit.jupiter.api.Nested;

/** The conformance suites on the scalar reference (their cross-checks skip: it is the reference). */
class ScalarConformanceTest {
  private static final DncKernels SCALAR = DncKernels.load("scalar");

  interface Backend extends ConformanceBackend {
    @Override
    default DncKernels backend() {
      return SCALAR;
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

  @Nested
  class ScalarClass extends ConformanceBase implements Backend {
    @org.junit.jupiter.api.Test
    void theScalarBackendIsTheScalarClass() {
      org.junit.jupiter.api.Assertions.assertInstanceOf(ScalarKernels.class, kernels());
    }
  }
}
