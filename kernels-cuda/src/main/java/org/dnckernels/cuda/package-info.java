/**
 * The CUDA backend of dnc-kernels: {@link org.dnckernels.cuda.CudaKernels} runs every kernel as a launch of the
 * PTX module in the jar ({@code dnc_kernels.ptx}, built from {@code src/main/cuda} by {@code regen-ptx.sh}) on
 * the process's GPU through JCuda and the CUDA driver; each kernel family's launches are in a class of their own
 * ({@code CudaContentAddressing}, ..., {@code CudaMemoryStep}) on a shared {@code CudaContext}.
 * {@link org.dnckernels.cuda.CudaBackendProvider} reports it unavailable, with the reason, wherever the driver, a
 * GPU or JCuda's natives are missing. See {@code docs/cuda.md}.
 */
package org.dnckernels.cuda;
