// The backward of erase/add (DncKernels.eraseAndAddBackward). With G = gradMemory on entry, f_h = 1 − w[h,i] e[h,j],
// R = Π_h f_h and R_¬h = Π_{h'≠h} f_h' (the product before h times the product after it, never R / f_h: a full
// erase makes a factor exactly 0):
//
//   gradAdd[h,j]          += Σ_i w[h,i] G[i,j]
//   gradErase[h,j]        −= Σ_i w[h,i] M[i,j] R_¬h[i,j] G[i,j]
//   gradWriteWeights[h,i] += Σ_j G[i,j] (a[h,j] − e[h,j] M[i,j] R_¬h[i,j])
//   gradMemory            ← G ∘ R                       (in place)
//
// Two launches on the stream, in this order: erase_add_backward_columns (the sums over slots, one block per
// (batch row, head, 32 words): warps take rows i ≡ warp (mod warps), lanes consecutive words, warp partials added
// in warp order) reads G; erase_add_backward_rows (one warp per memory row: the sums over words for each head,
// then the row of G overwritten with G ∘ R by the lanes that read it) runs after it. Products and sums in double,
// each result rounded once, the factors multiplied in the scalar reference's order.
#pragma once
#include "common.cuh"

namespace dnc {

// R_¬h of element (i, j) of one batch row: the factors before h in head order times those after h from the last
// head down (the reference's prefix and suffix). w: [Wh,N] at slot i (stride slots), e: [Wh,W] at word j.
// The loops stay rolled: unrolled, erase_add_backward_columns needs 104 registers instead of 42 on sm_90.
__device__ __forceinline__ double otherEraseFactors(
    const float* w, const float* e, int h, int slots, int word, int writeHeads) {
  double prefix = 1;
#pragma unroll 1
  for (int k = 0; k < h; k++) {
    prefix *= 1 - static_cast<double>(w[static_cast<size_t>(k) * slots]) * e[static_cast<size_t>(k) * word];
  }
  double suffix = 1;
#pragma unroll 1
  for (int k = writeHeads - 1; k > h; k--) {
    suffix *= 1 - static_cast<double>(w[static_cast<size_t>(k) * slots]) * e[static_cast<size_t>(k) * word];
  }
  return prefix * suffix;
}

}  // namespace dnc

// prevMemory [B,N,W], writeWeights [B,Wh,N], erase/add [B,Wh,W], gradMemory [B,N,W] (only read here),
// gradErase/gradAdd [B,Wh,W] accumulated; grid B·Wh·⌈W/32⌉ blocks
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) erase_add_backward_columns(
    const float* __restrict__ prevMemory, const float* __restrict__ writeWeights, const float* __restrict__ erase,
    const float* __restrict__ gradMemory, float* __restrict__ gradErase, float* __restrict__ gradAdd, int slots,
    int word, int writeHeads) {
  __shared__ double part[2 * dnc::BLOCK];
  int wordTiles = (word + dnc::WARP - 1) / dnc::WARP;
  int tile = blockIdx.x % wordTiles;
  int bh = blockIdx.x / wordTiles;
  int h = bh % writeHeads;
  int b = bh / writeHeads;
  int j = tile * dnc::WARP + dnc::lane();
  size_t heads = static_cast<size_t>(b) * writeHeads;
  double added = 0;
  double erased = 0;
  if (j < word) {
    const float* m = prevMemory + static_cast<size_t>(b) * slots * word + j;
    const float* g = gradMemory + static_cast<size_t>(b) * slots * word + j;
    const float* e = erase + heads * word + j;
    for (int i = dnc::warpId(); i < slots; i += dnc::warpCount()) {
      const float* w = writeWeights + heads * slots + i;
      size_t ij = static_cast<size_t>(i) * word;
      double gij = g[ij];
      double wg = static_cast<double>(w[static_cast<size_t>(h) * slots]) * gij;
      added += wg;
      erased += wg * m[ij] * dnc::otherEraseFactors(w, e, h, slots, word, writeHeads);
    }
  }
  part[dnc::warpId() * dnc::WARP + dnc::lane()] = added;
  part[dnc::BLOCK + dnc::warpId() * dnc::WARP + dnc::lane()] = erased;
  __syncthreads();
  if (dnc::warpId() == 0 && j < word) {
    double addTotal = 0;
    double eraseTotal = 0;
    for (int w = 0; w < dnc::warpCount(); w++) {
      addTotal += part[w * dnc::WARP + dnc::lane()];
      eraseTotal += part[dnc::BLOCK + w * dnc::WARP + dnc::lane()];
    }
    size_t hj = static_cast<size_t>(bh) * word + j;
    gradAdd[hj] += static_cast<float>(addTotal);
    gradErase[hj] -= static_cast<float>(eraseTotal);
  }
}

// prevMemory [B,N,W], writeWeights [B,Wh,N], erase/add [B,Wh,W], gradMemory [B,N,W] in place (∂ℓ/∂M_t in,
// ∂ℓ/∂M_{t−1} out), gradWriteWeights [B,Wh,N] accumulated; a warp per memory row, grid-stride over B·N rows.
// Launched after erase_add_backward_columns, which reads gradMemory before this overwrites it.
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) erase_add_backward_rows(
    const float* __restrict__ prevMemory, const float* __restrict__ writeWeights, const float* __restrict__ erase,
    const float* __restrict__ add, float* __restrict__ gradMemory, float* __restrict__ gradWriteWeights, int batch,
    int slots, int word, int writeHeads) {
  long long rows = static_cast<long long>(batch) * slots;
  long long warps = dnc::globalStride() / dnc::WARP;
  for (long long row = dnc::globalThread() / dnc::WARP; row < rows; row += warps) {
    int i = static_cast<int>(row % slots);
    int b = static_cast<int>(row / slots);
    size_t heads = static_cast<size_t>(b) * writeHeads;
    const float* w = writeWeights + heads * slots + i;
    const float* m = prevMemory + static_cast<size_t>(row) * word;
    float* g = gradMemory + static_cast<size_t>(row) * word;
    for (int h = 0; h < writeHeads; h++) {
      const float* a = add + (heads + h) * word;
      const float* eh = erase + (heads + h) * word;
      double acc = 0;
      for (int j = dnc::lane(); j < word; j += dnc::WARP) {
        double others = dnc::otherEraseFactors(w, erase + heads * word + j, h, slots, word, writeHeads);
        double gij = g[j];
        acc += gij * (a[j] - eh[j] * static_cast<double>(m[j]) * others);
      }
      acc = dnc::warpSum(acc);
      if (dnc::lane() == 0) {
        gradWriteWeights[(heads + h) * slots + i] += static_cast<float>(acc);
      }
    }
    // every lane overwrites only the words it read above
    for (int j = dnc::lane(); j < word; j += dnc::WARP) {
      double keep = 1;
      for (int h = 0; h < writeHeads; h++) {
        keep *= 1 - static_cast<double>(w[static_cast<size_t>(h) * slots]) * erase[(heads + h) * word + j];
      }
      g[j] = static_cast<float>(static_cast<double>(g[j]) * keep);
    }
  }
}
