// Write weightings: out[b,h] = g^w[b,h] (g^a[b,h] a[b,h] + (1 − g^a[b,h]) c[b,h]), in double, rounded once.
// Elementwise, so out may be the allocation or the content weighting itself.
#pragma once
#include "common.cuh"

namespace dnc {

__device__ __forceinline__ float writeWeight(float allocation, float content, float writeGate, float allocationGate) {
  double write = writeGate;
  double alloc = allocationGate;
  double a = allocation;
  double c = content;
  return static_cast<float>(write * (alloc * a + (1 - alloc) * c));
}

}  // namespace dnc

// allocation [B,Wh,N], content [B,Wh,N], writeGates [B,Wh], allocationGates [B,Wh], out [B,Wh,N] (may be
// allocation or content); elementwise grid-stride
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) write_weights(
    const float* allocation, const float* content, const float* writeGates, const float* allocationGates,
    float* out, int rows, int slots) {
  long long total = static_cast<long long>(rows) * slots;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    long long bh = e / slots;
    out[e] = dnc::writeWeight(allocation[e], content[e], writeGates[bh], allocationGates[bh]);
  }
}
