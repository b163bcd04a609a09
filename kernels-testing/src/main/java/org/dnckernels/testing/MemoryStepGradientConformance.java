package org.dnckernels.testing;

/** Conformance of {@code memoryStepBackward}: finite differences in double, accumulation, edge cases, the reference. */
public abstract class MemoryStepGradientConformance extends ConformanceBase {}
