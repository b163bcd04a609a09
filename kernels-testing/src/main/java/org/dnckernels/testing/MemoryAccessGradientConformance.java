package org.dnckernels.testing;

/** Conformance of {@code eraseAndAddBackward, readBackward, readModeMixBackward and writeWeightsBackward}: finite differences in double, accumulation, edge cases, the reference. */
public abstract class MemoryAccessGradientConformance extends ConformanceBase {}
