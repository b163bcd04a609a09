// The backward of the write weightings (DncKernels.writeWeightsBackward), with g = gradOut:
//
//   gradAllocation      += g^w g^a g
//   gradContent         += g^w (1 − g^a) g
//   gradWriteGates      += Σ_i g[i] (g^a a[i] + (1 − g^a) c[i])
//   gradAllocationGates += g^w Σ_i g[i] (a[i] − c[i])
//
// One launch, a block per (batch row, write head): the threads stride the slots (the elementwise gradients in
// double, rounded once) and keep the two sums' partials in double, added in a fixed tree (warp shuffles, then warps
// in order). The scalar reference's operations, sums aside.
#pragma once
#include "common.cuh"

// allocation/content [B,Wh,N], writeGates/allocationGates [B,Wh], gradOut [B,Wh,N]; gradAllocation, gradContent
// [B,Wh,N] and gradWriteGates, gradAllocationGates [B,Wh] accumulated; grid B·Wh blocks
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) write_weights_backward(
    const float* __restrict__ allocation, const float* __restrict__ content, const float* __restrict__ writeGates,
    const float* __restrict__ allocationGates, const float* __restrict__ gradOut, float* __restrict__ gradAllocation,
    float* __restrict__ gradContent, float* __restrict__ gradWriteGates, float* __restrict__ gradAllocationGates,
    int slots) {
  __shared__ double red[dnc::WARP + 1];
  size_t bh = blockIdx.x;
  size_t row = bh * slots;
  double write = writeGates[bh];
  double alloc = allocationGates[bh];
  double toAllocation = write * alloc;
  double toContent = write * (1 - alloc);
  double mixed = 0;
  double difference = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    double gi = gradOut[row + i];
    double ai = allocation[row + i];
    double ci = content[row + i];
    gradAllocation[row + i] += static_cast<float>(toAllocation * gi);
    gradContent[row + i] += static_cast<float>(toContent * gi);
    mixed += gi * (alloc * ai + (1 - alloc) * ci);
    difference += gi * (ai - ci);
  }
  mixed = dnc::blockSum(mixed, red);
  difference = dnc::blockSum(difference, red);
  if (threadIdx.x == 0) {
    gradWriteGates[bh] += static_cast<float>(mixed);
    gradAllocationGates[bh] += static_cast<float>(write * difference);
  }
}
