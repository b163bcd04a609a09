package org.dnckernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every SIMD kernel uses. Loaded only after {@link SimdBackendProvider} has checked that
 * the Vector API is usable, so nothing here runs on a JVM without {@code jdk.incubator.vector}.
 */
final class SimdSpecies {
  /** Forces a narrower species (128, 256 or 512 bits), e.g. to test tails and narrow paths on AVX-512. */
  static final String BITS_PROPERTY = "dnc.kernels.simd.bits";

  static final VectorSpecies<Float> FLOAT = choose();
  static final int LANES = FLOAT.length();

  private SimdSpecies() {}

  private static VectorSpecies<Float> choose() {
    String bits = System.getProperty(BITS_PROPERTY);
    if (bits == null || bits.isBlank()) {
      return FloatVector.SPECIES_PREFERRED;
    }
    VectorShape shape = VectorShape.forBitSize(Integer.parseInt(bits.trim()));
    VectorSpecies<Float> forced = FloatVector.SPECIES_PREFERRED.withShape(shape);
    if (forced.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
      throw new IllegalStateException(BITS_PROPERTY + "=" + bits + " is wider than this CPU's preferred "
          + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors");
    }
    return forced;
  }
}
