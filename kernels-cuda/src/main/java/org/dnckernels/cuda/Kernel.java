package org.dnckernels.cuda;

/**
 * The entry points of {@code dnc_kernels.ptx}: name, parameter list and block size. {@code P} is a device
 * pointer ({@code .u64} in the PTX), {@code I} an {@code int} ({@code .u32}); the block size is the kernel's
 * {@code __launch_bounds__} ({@code .maxntid}). {@code PtxModuleTest} checks this table against the PTX, so a
 * changed kernel signature fails the build on any machine, GPU or not.
 *
 * <p>No JCuda here: the table is read by the tests and the GPU seam alike.
 */
enum Kernel {
  CONTENT_WEIGHTS("content_weights", "PPPPIII", Kernel.BLOCK),
  ERASE_ADD("erase_add", "PPPPIIII", Kernel.BLOCK),
  READ_MEMORY("read_memory", "PPPIII", Kernel.BLOCK),
  USAGE_UPDATE("usage_update", "PPPPPIIII", Kernel.BLOCK),
  ALLOCATION_WEIGHTS("allocation_weights", "PPPPIIIIPPP", Kernel.ALLOC_BLOCK),
  WRITE_WEIGHTS("write_weights", "PPPPPII", Kernel.BLOCK),
  PRECEDENCE_UPDATE("precedence_update", "PPI", Kernel.BLOCK),
  LINK_TILES("link_tiles", "PPPPPPIIII", Kernel.LINK_TILE),
  LINK_WEIGHTINGS("link_weightings", "PPPPIIII", Kernel.BLOCK),
  READ_MODE_MIX("read_mode_mix", "PPPPPIIII", Kernel.BLOCK),
  NTM_INTERPOLATE("ntm_interpolate", "PPPPII", Kernel.BLOCK),
  NTM_SHIFT("ntm_shift", "PPPIII", Kernel.BLOCK),
  NTM_SHARPEN("ntm_sharpen", "PPPI", Kernel.BLOCK),
  INTERFACE_SPLIT("interface_split", "PPPPPPPPPPPIII", Kernel.BLOCK),
  STEP_ALLOCATE("step_allocate", "PPPPPPPPPPPIIIIIIPPP", Kernel.ALLOC_BLOCK),
  STEP_WRITE("step_write", "PPPPPPPPIIII", Kernel.BLOCK),
  STEP_READ("step_read", "PPPPPPPPPPPPPIIII", Kernel.BLOCK),
  // gradients: allocation and temporal linkage
  ALLOCATION_BACKWARD("allocation_backward", "PPPPPPPIIIIPPPPPPP", Kernel.ALLOC_BLOCK),
  PRECEDENCE_BACKWARD("precedence_backward", "PPPPI", Kernel.BLOCK),
  LINK_BACKWARD_TILES("link_backward_tiles", "PPPPPPPPPIIII", Kernel.LINK_TILE),
  LINK_BACKWARD_SUMS("link_backward_sums", "PPPPPIIIII", Kernel.BLOCK);

  /** Threads of the row and elementwise kernels ({@code dnc::BLOCK}). */
  static final int BLOCK = 256;
  /** Threads of the allocation sort, one block per batch row ({@code dnc::ALLOC_BLOCK}). */
  static final int ALLOC_BLOCK = 1024;
  /** Rows and columns of a link tile, one column per thread ({@code dnc::LINK_TILE}). */
  static final int LINK_TILE = 256;

  /** The {@code extern "C"} name in the PTX. */
  final String entry;
  /** One letter per parameter: {@code P} device pointer, {@code I} int. */
  final String parameters;
  /** Threads per block (the kernel's {@code __launch_bounds__}). */
  final int block;

  Kernel(String entry, String parameters, int block) {
    this.entry = entry;
    this.parameters = parameters;
    this.block = block;
  }

  /** Whether the kernel asks for dynamic shared memory (the allocation sort, also in its backward). */
  boolean usesDynamicSharedMemory() {
    return this == ALLOCATION_WEIGHTS || this == STEP_ALLOCATE || this == ALLOCATION_BACKWARD;
  }
}
