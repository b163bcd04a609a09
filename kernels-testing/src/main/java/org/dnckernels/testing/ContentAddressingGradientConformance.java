package org.dnckernels.testing;

/** Conformance of {@code contentWeightsBackward}: finite differences in double, accumulation, edge cases, the reference. */
public abstract class ContentAddressingGradientConformance extends ConformanceBase {}
