package org.dnckernels.testing;

/** Conformance of {@code ntmInterpolateBackward, ntmShiftBackward and ntmSharpenBackward}: finite differences in double, accumulation, edge cases, the reference. */
public abstract class NtmAddressingGradientConformance extends ConformanceBase {}
