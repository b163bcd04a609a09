// Writing to and reading from the memory matrix.
//
//   erase/add: M[b,i,j] ← M[b,i,j] · Π_h (1 − w[b,h,i] e[b,h,j]) + Σ_h w[b,h,i] a[b,h,j]
//   read:      r[b,h,j] = Σ_i w[b,h,i] M[b,i,j]
//
// Erase/add is elementwise (the product and the sum over heads in double, in head order, rounded once: the
// same operations as the scalar reference). The read is one block per (batch row, head): warps take rows
// i ≡ warp (mod warps), lanes take 32 consecutive words, and the warp partials are summed in warp order.
#pragma once
#include "common.cuh"

namespace dnc {

// the new value of M[b,i,j] from its old value; weightOf(h) gives w[b,h,i] as a double, erase/add are [Wh,W]
// of batch row b
template <typename WeightOf>
__device__ __forceinline__ float erasedAndAdded(
    float old, WeightOf weightOf, const float* erase, const float* add, int j, int word, int writeHeads) {
  double keep = 1;
  double added = 0;
  for (int h = 0; h < writeHeads; h++) {
    double wi = weightOf(h);
    keep *= 1 - wi * erase[static_cast<size_t>(h) * word + j];
    added += wi * add[static_cast<size_t>(h) * word + j];
  }
  return static_cast<float>(old * keep + added);
}

// out[0..word) = Σ_i weights[i] memory[i, ·]; part: shared scratch of warpCount()·WARP doubles.
// All threads of the block must call it.
__device__ void readBlock(
    const float* memory, const float* weights, float* out, int slots, int word,
    double* part) {
  for (int j0 = 0; j0 < word; j0 += WARP) {
    int j = j0 + lane();
    double acc = 0;
    if (j < word) {
      for (int i = warpId(); i < slots; i += warpCount()) {
        acc += static_cast<double>(weights[i]) * memory[static_cast<size_t>(i) * word + j];
      }
    }
    part[warpId() * WARP + lane()] = acc;
    __syncthreads();
    if (warpId() == 0 && j < word) {
      double total = 0;
      for (int w = 0; w < warpCount(); w++) {
        total += part[w * WARP + lane()];
      }
      out[j] = static_cast<float>(total);
    }
    __syncthreads();
  }
}

}  // namespace dnc

// memory [B,N,W] in place, writeWeights [B,Wh,N], erase [B,Wh,W], add [B,Wh,W]; elementwise grid-stride
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) erase_add(
    float* __restrict__ memory, const float* __restrict__ writeWeights, const float* __restrict__ erase,
    const float* __restrict__ add, int batch, int slots, int word, int writeHeads) {
  long long total = static_cast<long long>(batch) * slots * word;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    int j = static_cast<int>(e % word);
    long long row = e / word;
    int i = static_cast<int>(row % slots);
    int b = static_cast<int>(row / slots);
    size_t heads = static_cast<size_t>(b) * writeHeads;
    const float* w = writeWeights + heads * slots + i;
    memory[e] = dnc::erasedAndAdded(
        memory[e], [&](int h) { return static_cast<double>(w[static_cast<size_t>(h) * slots]); },
        erase + heads * word, add + heads * word, j, word, writeHeads);
  }
}

// memory [B,N,W], readWeights [B,R,N], out [B,R,W]; grid B·R blocks of BLOCK threads
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) read_memory(
    const float* __restrict__ memory, const float* __restrict__ readWeights, float* __restrict__ out, int slots,
    int word, int heads) {
  __shared__ double part[dnc::BLOCK];
  int bh = blockIdx.x;
  int b = bh / heads;
  dnc::readBlock(
      memory + static_cast<size_t>(b) * slots * word, readWeights + static_cast<size_t>(bh) * slots,
      out + static_cast<size_t>(bh) * word, slots, word, part);
}
