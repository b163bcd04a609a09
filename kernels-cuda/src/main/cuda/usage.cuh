// Usage update from the previous step's weightings:
//
//   ŵ   = 1 − Π_h (1 − w^w_h)      ψ = Π_r (1 − f_r w^r_r)      out = (u + (1 − u) ∘ ŵ) ∘ ψ
//
// Elementwise; both products in double in head order, rounded once (the scalar reference's operations), so
// out may be the previous usage itself: each element is read before it is written, by the same thread.
#pragma once
#include "common.cuh"

namespace dnc {

// the new usage of slot i of one batch row: writeWeights [Wh,N], freeGates [R], readWeights [R,N]
__device__ __forceinline__ float updatedUsage(
    float previousUsage, const float* writeWeights, const float* freeGates, const float* readWeights, int i,
    int slots, int writeHeads, int readHeads) {
  double notWritten = 1;
  for (int h = 0; h < writeHeads; h++) {
    notWritten *= 1 - static_cast<double>(writeWeights[static_cast<size_t>(h) * slots + i]);
  }
  double written = 1 - notWritten;
  double retention = 1;
  for (int r = 0; r < readHeads; r++) {
    retention *= 1 - static_cast<double>(freeGates[r]) * readWeights[static_cast<size_t>(r) * slots + i];
  }
  double previous = previousUsage;
  return static_cast<float>((previous + (1 - previous) * written) * retention);
}

}  // namespace dnc

// prevUsage [B,N], prevWriteWeights [B,Wh,N], freeGates [B,R], prevReadWeights [B,R,N], out [B,N] (may be
// prevUsage); elementwise grid-stride
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) usage_update(
    const float* prevUsage, const float* prevWriteWeights, const float* freeGates, const float* prevReadWeights,
    float* out, int batch, int slots, int writeHeads, int readHeads) {
  long long total = static_cast<long long>(batch) * slots;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    int b = static_cast<int>(e / slots);
    int i = static_cast<int>(e % slots);
    out[e] = dnc::updatedUsage(
        prevUsage[e], prevWriteWeights + static_cast<size_t>(b) * writeHeads * slots,
        freeGates + static_cast<size_t>(b) * readHeads, prevReadWeights + static_cast<size_t>(b) * readHeads * slots,
        i, slots, writeHeads, readHeads);
  }
}
