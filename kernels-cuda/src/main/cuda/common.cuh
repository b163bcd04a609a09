// Shared device helpers: the contract's constants, deterministic reductions, launch geometry.
//
// Every reduction here has a fixed shape (warp shuffles down to lane 0, then warp partials summed by one
// thread in warp order), so the same input on the same launch configuration gives bitwise the same output
// run after run. No atomics anywhere. The whole module is compiled with -fmad=false so that a*b+c is rounded
// twice, like the Java scalar reference, and double accumulation mirrors the reference's operation order
// where it is sequential.
#pragma once

#ifdef DNC_EMULATION
#include "emulation.h"
#define DNC_DYNAMIC_SHARED(name) unsigned char* name = dnc_emulation::dynamicShared()
#else
#define DNC_DYNAMIC_SHARED(name) extern __shared__ __align__(16) unsigned char name[]
#endif

namespace dnc {

// the contract's float ε widened to double, i.e. (double) 1e-6f, exactly like the scalar reference
constexpr double EPS = static_cast<double>(1e-6f);

constexpr int WARP = 32;
constexpr unsigned FULL_MASK = 0xffffffffu;

// block sizes the host launches with (CudaKernels uses the same numbers; the PTX test checks the kernels)
constexpr int BLOCK = 256;         // row kernels and elementwise kernels
constexpr int ALLOC_BLOCK = 1024;  // the allocation sort: one block per batch row
constexpr int LINK_TILE = 256;     // link tiles are LINK_TILE × LINK_TILE, one column per thread
constexpr int LINK_ROW_BATCH = 32; // rows whose forward partials are finished together
constexpr int LINK_HEADS = 4;      // read heads accumulated per pass over a link tile

__device__ __forceinline__ int lane() { return threadIdx.x & (WARP - 1); }
__device__ __forceinline__ int warpId() { return threadIdx.x / WARP; }
__device__ __forceinline__ int warpCount() { return blockDim.x / WARP; }

// sum over the warp in a fixed tree; lane 0 holds the result (other lanes hold partial sums)
__device__ __forceinline__ double warpSum(double v) {
  for (int offset = WARP / 2; offset > 0; offset >>= 1) {
    v += __shfl_down_sync(FULL_MASK, v, offset);
  }
  return v;
}

// sum over the block; every thread gets the same value. red: shared scratch of at least WARP + 1 doubles.
// All threads of the block must call it (it synchronises).
__device__ double blockSum(double v, double* red) {
  v = warpSum(v);
  if (lane() == 0) {
    red[warpId()] = v;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    double total = 0;
    for (int w = 0; w < warpCount(); w++) {
      total += red[w];
    }
    red[WARP] = total;
  }
  __syncthreads();
  double total = red[WARP];
  // red is free again only when everybody has read the total
  __syncthreads();
  return total;
}

// the scalar reference's "max starting at 0, NaN skipped" (exact, so any order gives the same value)
__device__ float blockMaxFromZero(float v, float* red) {
  for (int offset = WARP / 2; offset > 0; offset >>= 1) {
    float other = __shfl_down_sync(FULL_MASK, v, offset);
    if (other > v) {
      v = other;
    }
  }
  if (lane() == 0) {
    red[warpId()] = v;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    float m = 0.0f;
    for (int w = 0; w < warpCount(); w++) {
      if (red[w] > m) {
        m = red[w];
      }
    }
    red[WARP] = m;
  }
  __syncthreads();
  float m = red[WARP];
  __syncthreads();
  return m;
}

// online softmax state (running max, sum of exp(x − max)); adding in a fixed order keeps it deterministic
__device__ __forceinline__ void softmaxAdd(double& max, double& sum, double x) {
  if (x > max) {
    sum = sum * exp(max - x) + 1.0;
    max = x;
  } else {
    sum += exp(x - max);
  }
}

__device__ __forceinline__ void softmaxMerge(double& max, double& sum, double otherMax, double otherSum) {
  if (otherMax > max) {
    sum = sum * exp(max - otherMax) + otherSum;
    max = otherMax;
  } else if (otherSum != 0.0) {
    sum += otherSum * exp(otherMax - max);
  }
}

// grid-stride loop bounds in 64 bits: B·N·W may be close to 2^31
__device__ __forceinline__ long long globalThread() {
  return static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long globalStride() {
  return static_cast<long long>(gridDim.x) * blockDim.x;
}

}  // namespace dnc
