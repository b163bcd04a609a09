// NTM location addressing, per head: interpolation, circular shift and sharpening.
//
//   interpolate: out = g c + (1 − g) w_prev
//   shift:       out[i] = Σ_{d=−k..k} w[(i − d) mod N] s[d + k]
//   sharpen:     out[i] = (w[i]/max w)^γ / Σ_j (w[j]/max w)^γ      (max over w ∪ {0}; max 0 → 1/N)
//
// Interpolation and shift are elementwise (the shift sums ascending d in double, like the reference).
// Sharpen is one block per head: a block max, a fixed-order block sum of the powers, then the writes, so
// out may be the weights themselves (every read happens before the first write).
#pragma once
#include "common.cuh"

// content [B,H,N], previous [B,H,N], gate [B,H], out [B,H,N] (may be content or previous); elementwise
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) ntm_interpolate(
    const float* content, const float* previous, const float* gate, float* out, int rows, int slots) {
  long long total = static_cast<long long>(rows) * slots;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    double g = gate[e / slots];
    double c = content[e];
    double p = previous[e];
    out[e] = static_cast<float>(g * c + (1 - g) * p);
  }
}

// weights [B,H,N], shift [B,H,2k+1] (s[0] is offset −k), out [B,H,N] (separate); elementwise
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) ntm_shift(
    const float* __restrict__ weights, const float* __restrict__ shift, float* __restrict__ out, int rows,
    int slots, int width) {
  int reach = width / 2;
  long long total = static_cast<long long>(rows) * slots;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    long long row = e / slots;
    int i = static_cast<int>(e % slots);
    const float* w = weights + row * slots;
    const float* s = shift + row * width;
    double sum = 0;
    for (int d = -reach; d <= reach; d++) {
      // (i − d) mod N, non-negative; |d| ≤ k < N so one correction is enough
      int from = i - d;
      if (from < 0) {
        from += slots;
      } else if (from >= slots) {
        from -= slots;
      }
      sum += static_cast<double>(w[from]) * s[d + reach];
    }
    out[e] = static_cast<float>(sum);
  }
}

// weights [B,H,N] (expected ≥ 0), gamma [B,H], out [B,H,N] (may be weights); grid B·H blocks of BLOCK threads
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) ntm_sharpen(
    const float* weights, const float* gamma, float* out, int slots) {
  __shared__ double red[dnc::WARP + 1];
  __shared__ float maxRed[dnc::WARP + 1];
  size_t row = static_cast<size_t>(blockIdx.x) * slots;
  const float* w = weights + row;
  float* o = out + row;

  float localMax = 0.0f;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    // a NaN is skipped here and then propagates through pow and the sum
    if (w[i] > localMax) {
      localMax = w[i];
    }
  }
  float max = dnc::blockMaxFromZero(localMax, maxRed);
  if (!(max > 0.0f)) {
    // nothing to sharpen (all zero): the uniform weighting
    float uniform = static_cast<float>(1.0 / slots);
    for (int i = threadIdx.x; i < slots; i += blockDim.x) {
      o[i] = uniform;
    }
    return;
  }
  // dividing by the max first keeps the largest term at 1, so the sum cannot underflow
  double exponent = gamma[blockIdx.x];
  double powers = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    powers += pow(w[i] / static_cast<double>(max), exponent);
  }
  double sum = dnc::blockSum(powers, red);
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    o[i] = static_cast<float>(pow(w[i] / static_cast<double>(max), exponent) / sum);
  }
}
