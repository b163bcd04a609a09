/**
 * The scalar reference backend ({@code scalar}): plain Java loops with every reduction accumulated in double and
 * rounded once to float. {@link org.dnckernels.scalar.ScalarKernels} delegates each kernel to one class per
 * kernel family; {@link org.dnckernels.scalar.ScalarBackendProvider} registers it with the service loader.
 */
package org.dnckernels.scalar;
