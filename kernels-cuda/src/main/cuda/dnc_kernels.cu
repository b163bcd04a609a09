// The dnc-kernels CUDA module: every kernel the Java backend (org.dnckernels.cuda.CudaKernels) launches, as
// extern "C" entry points in one PTX module. Each family lives in its own header; regen-ptx.sh compiles this
// file to src/main/resources/org/dnckernels/cuda/dnc_kernels.ptx.
#include "allocation.cuh"
#include "allocation_backward.cuh"
#include "content_addressing.cuh"
#include "content_addressing_backward.cuh"
#include "interface_split.cuh"
#include "interface_split_backward.cuh"
#include "memory_access.cuh"
#include "memory_read_backward.cuh"
#include "memory_step.cuh"
#include "memory_write_backward.cuh"
#include "ntm_addressing.cuh"
#include "ntm_addressing_backward.cuh"
#include "read_modes.cuh"
#include "read_modes_backward.cuh"
#include "temporal_linkage.cuh"
#include "temporal_linkage_backward.cuh"
#include "usage.cuh"
#include "usage_backward.cuh"
#include "write_weighting.cuh"
#include "write_weighting_backward.cuh"
// backwards: memory write, memory read, read modes, write weighting, usage
