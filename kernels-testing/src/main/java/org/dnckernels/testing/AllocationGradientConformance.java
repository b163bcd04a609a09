package org.dnckernels.testing;

/** Conformance of {@code usageBackward and allocationBackward}: finite differences in double, accumulation, edge cases, the reference. */
public abstract class AllocationGradientConformance extends ConformanceBase {}
