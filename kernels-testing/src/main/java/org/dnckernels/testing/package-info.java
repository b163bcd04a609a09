/**
 * The conformance suites every backend runs, one abstract JUnit class per kernel family on
 * {@link org.dnckernels.testing.ConformanceBase} (golden vectors, properties, bad input, a cross-check against
 * the scalar reference over random shapes), one gradient suite per family ({@code *GradientConformance}: finite
 * differences in double against the {@code Double*} references), and their tolerances
 * ({@link org.dnckernels.testing.Tolerances}). A backend module's tests extend each suite once.
 */
package org.dnckernels.testing;
