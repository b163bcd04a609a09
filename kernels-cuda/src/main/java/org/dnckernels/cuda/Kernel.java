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
  // backwards: memory write, memory read, read modes, write weighting, usage
  ERASE_ADD_BACKWARD_COLUMNS("erase_add_backward_columns", "PPPPPPIII", Kernel.BLOCK),
  ERASE_ADD_BACKWARD_ROWS("erase_add_backward_rows", "PPPPPPIIII", Kernel.BLOCK),
  READ_BACKWARD("read_backward", "PPPPPIIII", Kernel.BLOCK),
  READ_MODE_MIX_BACKWARD("read_mode_mix_backward", "PPPPPPPPPII", Kernel.BLOCK),
  WRITE_WEIGHTS_BACKWARD("write_weights_backward", "PPPPPPPPPI", Kernel.BLOCK),
  USAGE_BACKWARD_FREE_GATES("usage_backward_free_gates", "PPPPPPIII", Kernel.BLOCK),
  USAGE_BACKWARD("usage_backward", "PPPPPPPPIIII", Kernel.BLOCK),
  // backwards: content addressing, interface split, NTM addressing
  CONTENT_WEIGHTS_BACKWARD_ROWS("content_weights_backward_rows", "PPPPPPPPPIII", Kernel.BLOCK),
  CONTENT_WEIGHTS_BACKWARD_INPUTS("content_weights_backward_inputs", "PPPPPPPIIII", Kernel.BLOCK),
  INTERFACE_SPLIT_BACKWARD("interface_split_backward", "PPPPPPPPPPPPIII", Kernel.BLOCK),
  NTM_INTERPOLATE_BACKWARD("ntm_interpolate_backward", "PPPPPPPI", Kernel.BLOCK),
  NTM_SHIFT_BACKWARD("ntm_shift_backward", "PPPPPIII", Kernel.BLOCK),
  NTM_SHARPEN_BACKWARD("ntm_sharpen_backward", "PPPPPI", Kernel.BLOCK),
  // backwards: allocation, temporal linkage
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
