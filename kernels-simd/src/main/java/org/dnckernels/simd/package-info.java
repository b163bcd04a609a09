/**
 * The SIMD backend ({@code simd}): the kernels written with the Vector API ({@code jdk.incubator.vector}) in the
 * preferred species, the batch split over a small thread pool. {@link org.dnckernels.simd.SimdKernels} builds one
 * class per kernel family ({@code SimdContentAddressing}, ...); {@link org.dnckernels.simd.SimdBackendProvider}
 * registers it with the service loader and, before any Vector API class loads, checks that the module is in the
 * boot layer ({@code --add-modules jdk.incubator.vector}), so that without it {@code auto} falls back to scalar
 * with one warning. See {@code docs/simd.md}.
 */
package org.dnckernels.simd;
