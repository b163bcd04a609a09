// Backward of content-based addressing. With z = βD, w the forward's weights, g = gradWeights, ḡ = Σ_j w[j] g[j]:
//
//   dz[i] = w[i] (g[i] − ḡ),   dD[i] = β dz[i],   den[i] = ‖k‖ ‖M_i‖ + ε,   a[i] = dD[i] / den[i]
//   gradStrengths += Σ_i dz[i] D[i]
//   gradKeys      += Σ_i a[i] M_i − k (Σ_i a[i] D[i] ‖M_i‖) / ‖k‖
//   gradMemory_i  += Σ_h (a[h,i] k_h − a[h,i] D[h,i] ‖k_h‖ / ‖M_i‖ · M_i)
//
// Two launches, no atomics. content_weights_backward_rows: one block per (batch row, head) with the forward's
// layout (8 warps own slots i ≡ warp (mod 8), lanes stride the word) recomputes D and the norms, writes gradStrengths
// and leaves the per-slot coefficients a[h,i] and c[h,i] = a D ‖k‖ / ‖M_i‖ and the per-head scale of k in a double
// scratch. content_weights_backward_inputs: gradKeys by blocks of (batch row, head, 32 words), whose warps sum
// slots i ≡ warp (mod 8) and are added in warp order; gradMemory elementwise in the same launch's other blocks,
// each element summing its heads in ascending order. Every sum has a fixed shape, so the result is
// deterministic; the ε in the norms keeps every divisor ≥ ε.
#pragma once
#include "common.cuh"
#include "content_addressing.cuh"

// memory [B,N,W], keys [B,H,W], strengths [B,H], weights and gradWeights [B,H,N], gradStrengths [B,H];
// scratch coefficients [B,H,N] (a and c) and keyScale [B,H]; grid B·H blocks of BLOCK threads
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) content_weights_backward_rows(
    const float* __restrict__ memory, const float* __restrict__ keys, const float* __restrict__ strengths,
    const float* __restrict__ weights, const float* __restrict__ gradWeights, float* __restrict__ gradStrengths,
    double* __restrict__ coefKeys, double* __restrict__ coefMemory, double* __restrict__ keyScale, int slots,
    int word, int heads) {
  using dnc::EPS;
  using dnc::lane;
  using dnc::WARP;
  __shared__ double red[dnc::WARP + 1];
  int bh = blockIdx.x;
  int b = bh / heads;
  const float* m = memory + static_cast<size_t>(b) * slots * word;
  const float* key = keys + static_cast<size_t>(bh) * word;
  const float* w = weights + static_cast<size_t>(bh) * slots;
  const float* g = gradWeights + static_cast<size_t>(bh) * slots;

  double squares = 0;
  for (int j = threadIdx.x; j < word; j += blockDim.x) {
    double k = key[j];
    squares += k * k;
  }
  double keyNorm = sqrt(dnc::blockSum(squares, red) + EPS);
  // ḡ: the softmax's Σ w g (its max shift has no gradient)
  double weighted = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    weighted += static_cast<double>(w[i]) * g[i];
  }
  double mean = dnc::blockSum(weighted, red);
  double beta = strengths[bh];

  // lane 0 of each warp keeps its slots' Σ dz D and Σ a D ‖M_i‖, in ascending slot order
  double strengthSum = 0, keySum = 0;
  for (int i = dnc::warpId(); i < slots; i += dnc::CONTENT_WARPS) {
    const float* row = m + static_cast<size_t>(i) * word;
    double dot = 0, rowSquares = 0;
    for (int j = lane(); j < word; j += WARP) {
      double x = row[j];
      dot += static_cast<double>(key[j]) * x;
      rowSquares += x * x;
    }
    dot = dnc::warpSum(dot);
    rowSquares = dnc::warpSum(rowSquares);
    if (lane() == 0) {
      double rowNorm = sqrt(rowSquares + EPS);
      double den = keyNorm * rowNorm + EPS;
      double similarity = dot / den;
      double dz = static_cast<double>(w[i]) * (g[i] - mean);
      double a = beta * dz / den;
      coefKeys[static_cast<size_t>(bh) * slots + i] = a;
      coefMemory[static_cast<size_t>(bh) * slots + i] = a * similarity * keyNorm / rowNorm;
      strengthSum += dz * similarity;
      keySum += a * similarity * rowNorm;
    }
  }
  // only lane 0 holds a partial: the warp trees add zeros, the warps are added in order
  double strengthTotal = dnc::blockSum(strengthSum, red);
  double keyTotal = dnc::blockSum(keySum, red);
  if (threadIdx.x == 0) {
    gradStrengths[bh] += static_cast<float>(strengthTotal);
    keyScale[bh] = keyTotal / keyNorm;
  }
}

// memory [B,N,W], keys [B,H,W], the rows kernel's scratch, gradMemory [B,N,W], gradKeys [B,H,W]. The first
// B·H·⌈W/32⌉ blocks each finish 32 words of one head's gradKeys; the blocks after them run a grid-stride loop
// over gradMemory.
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) content_weights_backward_inputs(
    const float* __restrict__ memory, const float* __restrict__ keys, const double* __restrict__ coefKeys,
    const double* __restrict__ coefMemory, const double* __restrict__ keyScale, float* __restrict__ gradMemory,
    float* __restrict__ gradKeys, int batch, int slots, int word, int heads) {
  using dnc::WARP;
  __shared__ double part[dnc::BLOCK];
  int chunks = (word + WARP - 1) / WARP;
  long long keyBlocks = static_cast<long long>(batch) * heads * chunks;
  if (blockIdx.x < keyBlocks) {
    int bh = static_cast<int>(blockIdx.x / chunks);
    int j = static_cast<int>(blockIdx.x % chunks) * WARP + dnc::lane();
    const float* m = memory + static_cast<size_t>(bh / heads) * slots * word;
    const double* a = coefKeys + static_cast<size_t>(bh) * slots;
    double sum = 0;
    if (j < word) {
      for (int i = dnc::warpId(); i < slots; i += dnc::warpCount()) {
        sum += a[i] * m[static_cast<size_t>(i) * word + j];
      }
    }
    part[threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.x < WARP && j < word) {
      double total = 0;
      for (int v = 0; v < dnc::warpCount(); v++) {
        total += part[v * WARP + threadIdx.x];
      }
      size_t at = static_cast<size_t>(bh) * word + j;
      gradKeys[at] += static_cast<float>(total - keyScale[bh] * keys[at]);
    }
    return;
  }
  // gradMemory[b,i,j]: the heads in ascending order
  long long total = static_cast<long long>(batch) * slots * word;
  long long stride = (static_cast<long long>(gridDim.x) - keyBlocks) * blockDim.x;
  for (long long e = (blockIdx.x - keyBlocks) * blockDim.x + threadIdx.x; e < total; e += stride) {
    long long bi = e / word;
    int j = static_cast<int>(e % word);
    int b = static_cast<int>(bi / slots);
    int i = static_cast<int>(bi % slots);
    double x = memory[e];
    double sum = 0;
    for (int h = 0; h < heads; h++) {
      size_t bh = static_cast<size_t>(b) * heads + h;
      size_t coef = bh * slots + i;
      sum += coefKeys[coef] * keys[bh * word + j] - coefMemory[coef] * x;
    }
    gradMemory[e] += static_cast<float>(sum);
  }
}
