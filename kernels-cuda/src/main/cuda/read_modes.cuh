// Read-mode mix: the read weightings from the backward, content and forward weightings.
//
//   out[b,r] = Σ_h π[b,r,h] backward[b,r,h] + π[b,r,Wh] c[b,r] + Σ_h π[b,r,Wh+1+h] forward[b,r,h]
//
// Elementwise, summed in double in that order (backward heads, content, forward heads) and rounded once.
#pragma once
#include "common.cuh"

namespace dnc {

// the read weight of slot i for one (batch row, read head): modes [2Wh+1], backward/forward [Wh,N], content [N]
__device__ __forceinline__ float mixedReadWeight(
    const float* modes, const float* backward, const float* content, const float* forward, int i, int slots,
    int writeHeads) {
  double sum = 0;
  for (int h = 0; h < writeHeads; h++) {
    sum += static_cast<double>(modes[h]) * backward[static_cast<size_t>(h) * slots + i];
  }
  sum += static_cast<double>(modes[writeHeads]) * content[i];
  for (int h = 0; h < writeHeads; h++) {
    sum += static_cast<double>(modes[writeHeads + 1 + h]) * forward[static_cast<size_t>(h) * slots + i];
  }
  return static_cast<float>(fmin(1.0, sum));  // at most 1 for modes summing to 1 (the reference's clamp)
}

}  // namespace dnc

// modes [B,R,2Wh+1], backward [B,R,Wh,N], content [B,R,N], forward [B,R,Wh,N], out [B,R,N]; elementwise
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) read_mode_mix(
    const float* __restrict__ modes, const float* __restrict__ backward, const float* __restrict__ content,
    const float* __restrict__ forward, float* __restrict__ out, int batch, int readHeads, int writeHeads,
    int slots) {
  long long total = static_cast<long long>(batch) * readHeads * slots;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    long long br = e / slots;
    int i = static_cast<int>(e % slots);
    size_t heads = static_cast<size_t>(br) * writeHeads * slots;
    out[e] = dnc::mixedReadWeight(
        modes + br * (2 * writeHeads + 1), backward + heads, content + static_cast<size_t>(br) * slots,
        forward + heads, i, slots, writeHeads);
  }
}
