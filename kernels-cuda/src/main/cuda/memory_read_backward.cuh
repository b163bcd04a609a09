// The backward of the read (DncKernels.readBackward), with g = gradOut:
//
//   gradMemory[i,j]      += Σ_h w[h,i] g[h,j]
//   gradReadWeights[h,i] += Σ_j M[i,j] g[h,j]
//
// One launch, a warp per memory row (batch row b, slot i): the lanes take words, first adding the heads' terms to
// the row of gradMemory (heads in order, in double, rounded once: the reference's operations), then, head by
// head, the dot product of the row with g[h] (lane partials in double, a warp tree). No sum crosses warps.
#pragma once
#include "common.cuh"

// memory [B,N,W], readWeights [B,R,N], gradOut [B,R,W], gradMemory [B,N,W] and gradReadWeights [B,R,N]
// accumulated; a warp per memory row, grid-stride over B·N rows
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) read_backward(
    const float* __restrict__ memory, const float* __restrict__ readWeights, const float* __restrict__ gradOut,
    float* __restrict__ gradMemory, float* __restrict__ gradReadWeights, int batch, int slots, int word,
    int heads) {
  long long rows = static_cast<long long>(batch) * slots;
  long long warps = dnc::globalStride() / dnc::WARP;
  for (long long row = dnc::globalThread() / dnc::WARP; row < rows; row += warps) {
    int i = static_cast<int>(row % slots);
    int b = static_cast<int>(row / slots);
    const float* w = readWeights + static_cast<size_t>(b) * heads * slots + i;
    const float* g = gradOut + static_cast<size_t>(b) * heads * word;
    const float* m = memory + static_cast<size_t>(row) * word;
    float* gm = gradMemory + static_cast<size_t>(row) * word;
    for (int j = dnc::lane(); j < word; j += dnc::WARP) {
      double sum = 0;
      for (int h = 0; h < heads; h++) {
        sum += static_cast<double>(w[static_cast<size_t>(h) * slots]) * g[static_cast<size_t>(h) * word + j];
      }
      gm[j] += static_cast<float>(sum);
    }
    for (int h = 0; h < heads; h++) {
      const float* gh = g + static_cast<size_t>(h) * word;
      double dot = 0;
      for (int j = dnc::lane(); j < word; j += dnc::WARP) {
        dot += static_cast<double>(m[j]) * gh[j];
      }
      dot = dnc::warpSum(dot);
      if (dnc::lane() == 0) {
        gradReadWeights[static_cast<size_t>(b) * heads * slots + static_cast<size_t>(h) * slots + i] +=
            static_cast<float>(dot);
      }
    }
  }
}
