// A CPU stand-in for the CUDA features the kernels use, so that src/main/cuda compiles as plain C++ and runs
// without a GPU (see emulator.cpp). One block runs at a time; every CUDA thread of it is a fiber on
// one OS thread, run until it reaches a barrier, in a different shuffled order for every block: __shared__
// variables become function statics (shared by the block's threads, reused by the next block),
// __syncthreads() waits for every fiber of the block, a warp shuffle for every fiber of the warp.
//
// What this checks: indexing, the algorithms (sort network, scans, tile partials, the fused step), barrier
// placement (a barrier some thread never reaches is reported as a deadlock), races across a missing barrier
// (the fiber order changes from block to block, so results would change from run to run), and, under
// AddressSanitizer, every out-of-bounds access. What it cannot check: the GPU's memory model beyond barriers,
// timing, register or shared-memory limits, and CUDA's own math library (glibc's is used).
#pragma once

#include <math.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __restrict__ __restrict
#define __shared__ static
#define __align__(n) alignas(n)

struct dnc_uint3 {
  unsigned x, y, z;
};

namespace dnc_emulation {
extern dnc_uint3 threadIndex;
extern dnc_uint3 blockIndex;
extern dnc_uint3 blockDimension;
extern dnc_uint3 gridDimension;

unsigned char* dynamicShared();
void syncThreads();
uint64_t shuffleDown(uint64_t bits, int delta);
}  // namespace dnc_emulation

#define threadIdx (dnc_emulation::threadIndex)
#define blockIdx (dnc_emulation::blockIndex)
#define blockDim (dnc_emulation::blockDimension)
#define gridDim (dnc_emulation::gridDimension)

inline void __syncthreads() {
  dnc_emulation::syncThreads();
}

template <typename T>
inline T __shfl_down_sync(unsigned, T value, int delta) {
  static_assert(sizeof(T) <= sizeof(uint64_t), "shuffle of at most 64 bits");
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  bits = dnc_emulation::shuffleDown(bits, delta);
  T out;
  std::memcpy(&out, &bits, sizeof(T));
  return out;
}

inline long long __double_as_longlong(double x) {
  long long bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

inline double __longlong_as_double(long long bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

using std::max;
using std::min;
