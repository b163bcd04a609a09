// The backward of the usage update (DncKernels.usageBackward). With g = gradOut, ŵ = 1 − Π_h (1 − w^w_h) and
// ψ = Π_r (1 − f_r w^r_r), the products over the other heads a prefix times a suffix (never a quotient):
//
//   gradPrevUsage           += g ψ (1 − ŵ)                       (overwritten when it is gradOut itself)
//   gradPrevWriteWeights[h] += g ψ (1 − u) Π_{h'≠h} (1 − w^w_h')
//   dψ                       = g (u + (1 − u) ŵ)
//   gradPrevReadWeights[r]  −= dψ f_r Π_{r'≠r} (1 − f_r' w^r_r')
//   gradFreeGates[r]        −= Σ_i dψ[i] w^r_r[i] Π_{r'≠r} (1 − f_r' w^r_r'[i])
//
// Two launches, in this order: usage_backward_free_gates (a block per (batch row, read head), the sum over slots
// in a fixed tree) and usage_backward (elementwise over the slots). The second may overwrite gradOut, which the
// first has read by then. Products in the scalar reference's order (the full products from the last head down, a
// head's prefix from the first head up), everything in double, each gradient rounded once.
#pragma once
#include "common.cuh"

namespace dnc {

// Π_{k ≥ from} (1 − w[k]) from the last head down; w: [Wh,N] at slot i (stride slots). The head loops stay rolled
// (unrolled, usage_backward_free_gates needs 64 registers instead of 32 on sm_90).
__device__ __forceinline__ double notWrittenFrom(const float* w, int from, int slots, int writeHeads) {
  double p = 1;
#pragma unroll 1
  for (int k = writeHeads - 1; k >= from; k--) {
    p *= 1 - static_cast<double>(w[static_cast<size_t>(k) * slots]);
  }
  return p;
}

// Π_{k ≥ from} (1 − f[k] w^r[k]) from the last head down; wr: [R,N] at slot i (stride slots)
__device__ __forceinline__ double retainedFrom(const float* f, const float* wr, int from, int slots, int readHeads) {
  double p = 1;
#pragma unroll 1
  for (int k = readHeads - 1; k >= from; k--) {
    p *= 1 - static_cast<double>(f[k]) * wr[static_cast<size_t>(k) * slots];
  }
  return p;
}

// dψ of one slot: g (u + (1 − u) ŵ)
__device__ __forceinline__ double retentionGradient(double grad, double previous, double notWritten) {
  return grad * (previous + (1 - previous) * (1 - notWritten));
}

}  // namespace dnc

// prevUsage [B,N], prevWriteWeights [B,Wh,N], freeGates [B,R], prevReadWeights [B,R,N], gradOut [B,N];
// gradFreeGates [B,R] accumulated; grid B·R blocks. Launched before usage_backward (which may overwrite gradOut).
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) usage_backward_free_gates(
    const float* __restrict__ prevUsage, const float* __restrict__ prevWriteWeights,
    const float* __restrict__ freeGates, const float* __restrict__ prevReadWeights,
    const float* __restrict__ gradOut, float* __restrict__ gradFreeGates, int slots, int writeHeads,
    int readHeads) {
  __shared__ double red[dnc::WARP + 1];
  int r = blockIdx.x % readHeads;
  int b = blockIdx.x / readHeads;
  const float* f = freeGates + static_cast<size_t>(b) * readHeads;
  double sum = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    size_t e = static_cast<size_t>(b) * slots + i;
    const float* ww = prevWriteWeights + static_cast<size_t>(b) * writeHeads * slots + i;
    const float* wr = prevReadWeights + static_cast<size_t>(b) * readHeads * slots + i;
    double toRetention =
        dnc::retentionGradient(gradOut[e], prevUsage[e], dnc::notWrittenFrom(ww, 0, slots, writeHeads));
    double prefix = 1;
#pragma unroll 1
    for (int k = 0; k < r; k++) {
      prefix *= 1 - static_cast<double>(f[k]) * wr[static_cast<size_t>(k) * slots];
    }
    double others = toRetention * prefix * dnc::retainedFrom(f, wr, r + 1, slots, readHeads);
    sum += others * wr[static_cast<size_t>(r) * slots];
  }
  sum = dnc::blockSum(sum, red);
  if (threadIdx.x == 0) {
    gradFreeGates[static_cast<size_t>(b) * readHeads + r] -= static_cast<float>(sum);
  }
}

// the same inputs; gradPrevUsage [B,N] accumulated, or overwritten when it is gradOut (the same pointer: each
// element is read before it is written, by the same thread), gradPrevWriteWeights [B,Wh,N] and
// gradPrevReadWeights [B,R,N] accumulated; elementwise grid-stride over B·N
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) usage_backward(
    const float* __restrict__ prevUsage, const float* __restrict__ prevWriteWeights,
    const float* __restrict__ freeGates, const float* __restrict__ prevReadWeights, const float* gradOut,
    float* gradPrevUsage, float* __restrict__ gradPrevWriteWeights, float* __restrict__ gradPrevReadWeights,
    int batch, int slots, int writeHeads, int readHeads) {
  bool inPlace = gradPrevUsage == gradOut;
  long long total = static_cast<long long>(batch) * slots;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    int b = static_cast<int>(e / slots);
    int i = static_cast<int>(e % slots);
    const float* ww = prevWriteWeights + static_cast<size_t>(b) * writeHeads * slots + i;
    const float* f = freeGates + static_cast<size_t>(b) * readHeads;
    const float* wr = prevReadWeights + static_cast<size_t>(b) * readHeads * slots + i;
    double notWritten = dnc::notWrittenFrom(ww, 0, slots, writeHeads);
    double retention = dnc::retainedFrom(f, wr, 0, slots, readHeads);
    double previous = prevUsage[e];
    double grad = gradOut[e];

    float toUsage = static_cast<float>(grad * retention * notWritten);
    gradPrevUsage[e] = inPlace ? toUsage : gradPrevUsage[e] + toUsage;

    double toWrites = grad * retention * (1 - previous);
    float* gww = gradPrevWriteWeights + static_cast<size_t>(b) * writeHeads * slots + i;
    double prefix = 1;
    for (int h = 0; h < writeHeads; h++) {
      gww[static_cast<size_t>(h) * slots] +=
          static_cast<float>(toWrites * prefix * dnc::notWrittenFrom(ww, h + 1, slots, writeHeads));
      prefix *= 1 - static_cast<double>(ww[static_cast<size_t>(h) * slots]);
    }

    double toRetention = dnc::retentionGradient(grad, previous, notWritten);
    float* gwr = gradPrevReadWeights + static_cast<size_t>(b) * readHeads * slots + i;
    prefix = 1;
    for (int r = 0; r < readHeads; r++) {
      double others = toRetention * prefix * dnc::retainedFrom(f, wr, r + 1, slots, readHeads);
      double gate = f[r];
      double read = wr[static_cast<size_t>(r) * slots];
      gwr[static_cast<size_t>(r) * slots] -= static_cast<float>(others * gate);
      prefix *= 1 - gate * read;
    }
  }
}
