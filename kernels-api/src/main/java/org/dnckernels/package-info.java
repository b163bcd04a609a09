/**
 * The kernel interface of dnc-kernels: {@link org.dnckernels.DncKernels} (load a backend, then call its kernels on
 * {@link org.dnckernels.Tensor}s), the records of a memory step ({@link org.dnckernels.MemoryShape},
 * {@link org.dnckernels.MemoryState}, {@link org.dnckernels.InterfaceValues}, {@link org.dnckernels.Workspace}),
 * one description per kernel ({@link org.dnckernels.KernelSpec}) and, for backend implementers,
 * {@link org.dnckernels.KernelMath}, {@link org.dnckernels.HostKernels} and {@link org.dnckernels.HostScratch}.
 */
package org.dnckernels;
