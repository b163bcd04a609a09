// The dnc-kernels CUDA module: every kernel the Java backend (org.dnckernels.cuda.CudaKernels) launches, as
// extern "C" entry points in one PTX module. Each family lives in its own header; regen-ptx.sh compiles this
// file to src/main/resources/org/dnckernels/cuda/dnc_kernels.ptx.
#include "allocation.cuh"
#include "allocation_backward.cuh"
#include "content_addressing.cuh"
#include "interface_split.cuh"
#include "memory_access.cuh"
#include "memory_step.cuh"
#include "ntm_addressing.cuh"
#include "read_modes.cuh"
#include "temporal_linkage.cuh"
#include "temporal_linkage_backward.cuh"
#include "usage.cuh"
#include "write_weighting.cuh"
