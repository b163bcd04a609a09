package org.dnckernels.testing;

/** Conformance of {@code precedenceBackward, linkUpdateBackward, forwardBackwardBackward and linkUpdateAndWeightingsBackward}: finite differences in double, accumulation, edge cases, the reference. */
public abstract class TemporalLinkageGradientConformance extends ConformanceBase {}
