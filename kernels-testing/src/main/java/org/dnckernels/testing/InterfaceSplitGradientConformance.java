package org.dnckernels.testing;

/** Conformance of {@code interfaceSplitBackward}: finite differences in double, accumulation, edge cases, the reference. */
public abstract class InterfaceSplitGradientConformance extends ConformanceBase {}
