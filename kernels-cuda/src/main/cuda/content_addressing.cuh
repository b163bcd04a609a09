// Content-based addressing: cosine similarity of a key with each memory row, sharpened by the key strength
// and normalised with a softmax over the slots.
//
//   ‖x‖  = sqrt(Σ x² + ε)
//   D[i] = k·M[i] / (‖k‖ ‖M[i]‖ + ε)
//   out  = softmax_i(β D[i])        (max-subtracted, in double)
//
// One block per (batch row, head). Each of CONTENT_WARPS warps owns slots i ≡ warp (mod CONTENT_WARPS); its
// lanes stride over the word for the dot product and the row norm. Pass 1 keeps an online (max, Σexp) per
// warp, merged in warp order; pass 2 recomputes the same logits (bitwise the same: same code, same lanes) and
// writes the weights, so no O(N) scratch is needed for any N. The work is spread over CONTENT_WARPS warps
// whatever the block size, so the memory step's 1024-thread blocks give bitwise the result of this kernel.
#pragma once
#include "common.cuh"

namespace dnc {

constexpr int CONTENT_WARPS = BLOCK / WARP;

// β·D for slot i, valid in lane 0 of the calling warp (all 32 lanes must call)
__device__ __forceinline__ double contentLogit(
    const float* row, const float* key, int word, double keyNorm, double strength) {
  double dot = 0, squares = 0;
  for (int j = lane(); j < word; j += WARP) {
    double m = row[j];
    dot += static_cast<double>(key[j]) * m;
    squares += m * m;
  }
  dot = warpSum(dot);
  squares = warpSum(squares);
  double rowNorm = sqrt(squares + EPS);
  double similarity = dot / (keyNorm * rowNorm + EPS);
  return strength * similarity;
}

// out[0..slots) = softmax(β cos(key, memory rows)); memory is one batch row [slots, word].
// red: shared scratch of at least 2 * (WARP + 1) doubles. All threads of the block (at least BLOCK) must call
// it; threads beyond BLOCK only take part in the barriers (their zero / empty partials change nothing).
__device__ void contentWeightsBlock(
    const float* memory, const float* key, float strength, float* out,
    int slots, int word, double* red) {
  double squares = 0;
  if (threadIdx.x < BLOCK) {
    for (int j = threadIdx.x; j < word; j += BLOCK) {
      double k = key[j];
      squares += k * k;
    }
  }
  double keyNorm = sqrt(blockSum(squares, red) + EPS);
  double beta = strength;

  // pass 1: running max and Σexp per warp, over the warp's slots in ascending order
  double max = -INFINITY, sum = 0;
  for (int i = warpId(); i < slots && warpId() < CONTENT_WARPS; i += CONTENT_WARPS) {
    double logit = contentLogit(memory + static_cast<size_t>(i) * word, key, word, keyNorm, beta);
    if (lane() == 0) {
      softmaxAdd(max, sum, logit);
    }
  }
  double* warpMax = red;
  double* warpTotal = red + WARP + 1;
  if (lane() == 0) {
    warpMax[warpId()] = max;
    warpTotal[warpId()] = sum;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    double m = -INFINITY, s = 0;
    for (int w = 0; w < warpCount(); w++) {
      softmaxMerge(m, s, warpMax[w], warpTotal[w]);
    }
    warpMax[WARP] = m;
    warpTotal[WARP] = s;
  }
  __syncthreads();
  double blockMax = warpMax[WARP];
  double blockTotal = warpTotal[WARP];
  __syncthreads();

  // pass 2: the same logits again, normalised
  for (int i = warpId(); i < slots && warpId() < CONTENT_WARPS; i += CONTENT_WARPS) {
    double logit = contentLogit(memory + static_cast<size_t>(i) * word, key, word, keyNorm, beta);
    if (lane() == 0) {
      out[i] = static_cast<float>(exp(logit - blockMax) / blockTotal);
    }
  }
}

}  // namespace dnc

// memory [B,N,W], keys [B,H,W], strengths [B,H], out [B,H,N]; grid B·H blocks of BLOCK threads
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) content_weights(
    const float* __restrict__ memory, const float* __restrict__ keys, const float* __restrict__ strengths,
    float* __restrict__ out, int slots, int word, int heads) {
  __shared__ double red[2 * (dnc::WARP + 1)];
  int bh = blockIdx.x;
  int b = bh / heads;
  dnc::contentWeightsBlock(
      memory + static_cast<size_t>(b) * slots * word, keys + static_cast<size_t>(bh) * word, strengths[bh],
      out + static_cast<size_t>(bh) * slots, slots, word, red);
}
