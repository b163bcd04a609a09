// The backward of the read-mode mix (DncKernels.readModeMixBackward), with g = gradOut and the modes ordered
// [backward_1..Wh, content, forward_1..Wh]; x_m is mode m's weighting:
//
//   gradModes[r,m] += Σ_i g[r,i] x_m[r,i]        gradX_m[r,i] += π[r,m] g[r,i]
//
// One launch, a block per (batch row, read head, mode): the threads stride the slots, add π g to the mode's
// weighting gradient (one product in double, rounded once) and keep a partial of the dot product in double; the
// partials are added in a fixed tree (warp shuffles, then warps in order). The forward's clamp at 1 has no
// gradient (docs/contract.md, "clamps").
#pragma once
#include "common.cuh"

// modes [B,R,2Wh+1], backward [B,R,Wh,N], content [B,R,N], forward [B,R,Wh,N], gradOut [B,R,N]; gradModes,
// gradBackward, gradContent, gradForward accumulated; grid B·R·(2Wh+1) blocks
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) read_mode_mix_backward(
    const float* __restrict__ modes, const float* __restrict__ backward, const float* __restrict__ content,
    const float* __restrict__ forward, const float* __restrict__ gradOut, float* __restrict__ gradModes,
    float* __restrict__ gradBackward, float* __restrict__ gradContent, float* __restrict__ gradForward,
    int writeHeads, int slots) {
  __shared__ double red[dnc::WARP + 1];
  int modeCount = 2 * writeHeads + 1;
  int mode = blockIdx.x % modeCount;
  size_t br = blockIdx.x / modeCount;
  const float* x;
  float* gradX;
  if (mode < writeHeads) {
    size_t row = (br * writeHeads + mode) * slots;
    x = backward + row;
    gradX = gradBackward + row;
  } else if (mode == writeHeads) {
    x = content + br * slots;
    gradX = gradContent + br * slots;
  } else {
    size_t row = (br * writeHeads + (mode - writeHeads - 1)) * slots;
    x = forward + row;
    gradX = gradForward + row;
  }
  const float* g = gradOut + br * slots;
  double pi = modes[br * modeCount + mode];
  double dot = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    double gi = g[i];
    dot += gi * x[i];
    gradX[i] += static_cast<float>(pi * gi);
  }
  dot = dnc::blockSum(dot, red);
  if (threadIdx.x == 0) {
    gradModes[br * modeCount + mode] += static_cast<float>(dot);
  }
}
