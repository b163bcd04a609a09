// Backwards of NTM location addressing, per head, with g = gradOut (DncKernels' javadoc gives the equations):
//
//   interpolate: gradContent += γ g,  gradPrevious += (1 − γ) g,  gradGate += Σ_i g[i] (c[i] − w_prev[i])
//   shift:       gradWeights[j] += Σ_d g[(j + d) mod N] s[d + k],  gradShift[d + k] += Σ_i g[i] w[(i − d) mod N]
//   sharpen:     gradWeights[i] += γ (g[i] − ḡ) v[i]^(γ−1) / (m S),  gradGamma += Σ_{v>0} y[i] (g[i] − ḡ) ln v[i]
//
// Arithmetic and sums in double, each gradient rounded once to float and then added to the accumulated one, as
// the reference does. Per-row sums (the gate's, the taps', sharpening's) are fixed-shape block reductions, one
// block per row (or per row and tap); elementwise gradients need no reduction across threads. No atomics.
#pragma once
#include "common.cuh"

namespace dnc {

// i mod N for i in (−N, 2N): |d| ≤ k < N, so one correction is enough
__device__ __forceinline__ int wrapSlot(int i, int slots) {
  return i < 0 ? i + slots : i >= slots ? i - slots : i;
}

}  // namespace dnc

// content, previous, gradOut, gradContent, gradPrevious [B,H,N]; gate, gradGate [B,H]; grid B·H blocks, one per row
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) ntm_interpolate_backward(
    const float* __restrict__ content, const float* __restrict__ previous, const float* __restrict__ gate,
    const float* __restrict__ gradOut, float* __restrict__ gradContent, float* __restrict__ gradPrevious,
    float* __restrict__ gradGate, int slots) {
  __shared__ double red[dnc::WARP + 1];
  size_t row = static_cast<size_t>(blockIdx.x) * slots;
  double g = gate[blockIdx.x];
  double gateSum = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    double gi = gradOut[row + i];
    gradContent[row + i] += static_cast<float>(g * gi);
    gradPrevious[row + i] += static_cast<float>((1 - g) * gi);
    gateSum += gi * (static_cast<double>(content[row + i]) - previous[row + i]);
  }
  double total = dnc::blockSum(gateSum, red);
  if (threadIdx.x == 0) {
    gradGate[blockIdx.x] += static_cast<float>(total);
  }
}

// weights, gradOut, gradWeights [B,H,N]; shift, gradShift [B,H,2k+1]. The first rows·width blocks reduce one tap
// each (gradShift), the blocks after them run a grid-stride loop over gradWeights (the forward's taps transposed).
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) ntm_shift_backward(
    const float* __restrict__ weights, const float* __restrict__ shift, const float* __restrict__ gradOut,
    float* __restrict__ gradWeights, float* __restrict__ gradShift, int rows, int slots, int width) {
  __shared__ double red[dnc::WARP + 1];
  int reach = width / 2;
  long long taps = static_cast<long long>(rows) * width;
  if (blockIdx.x < taps) {
    // gradShift[row, d + k]: the correlation of g with w moved by d
    long long row = blockIdx.x / width;
    int d = static_cast<int>(blockIdx.x % width) - reach;
    const float* w = weights + row * slots;
    const float* g = gradOut + row * slots;
    double sum = 0;
    for (int i = threadIdx.x; i < slots; i += blockDim.x) {
      sum += static_cast<double>(g[i]) * w[dnc::wrapSlot(i - d, slots)];
    }
    double total = dnc::blockSum(sum, red);
    if (threadIdx.x == 0) {
      gradShift[blockIdx.x] += static_cast<float>(total);
    }
    return;
  }
  // gradWeights[j]: out[j + d] took w[j] s[d + k]; ascending d, like the reference
  long long total = static_cast<long long>(rows) * slots;
  long long stride = (static_cast<long long>(gridDim.x) - taps) * blockDim.x;
  for (long long e = (blockIdx.x - taps) * blockDim.x + threadIdx.x; e < total; e += stride) {
    long long row = e / slots;
    int j = static_cast<int>(e % slots);
    const float* g = gradOut + row * slots;
    const float* s = shift + row * width;
    double sum = 0;
    for (int d = -reach; d <= reach; d++) {
      sum += static_cast<double>(g[dnc::wrapSlot(j + d, slots)]) * s[d + reach];
    }
    gradWeights[e] += static_cast<float>(sum);
  }
}

// weights, gradOut, gradWeights [B,H,N]; gamma, gradGamma [B,H]; grid B·H blocks, one per row. The forward's
// max and powers are recomputed with the forward's arithmetic; an all-zero row (output 1/N) gets no gradient.
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) ntm_sharpen_backward(
    const float* __restrict__ weights, const float* __restrict__ gamma, const float* __restrict__ gradOut,
    float* __restrict__ gradWeights, float* __restrict__ gradGamma, int slots) {
  __shared__ double red[dnc::WARP + 1];
  __shared__ float maxRed[dnc::WARP + 1];
  size_t row = static_cast<size_t>(blockIdx.x) * slots;
  const float* w = weights + row;
  const float* g = gradOut + row;
  float* gw = gradWeights + row;

  float localMax = 0.0f;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    // a NaN is skipped here and then propagates, as in the forward
    if (w[i] > localMax) {
      localMax = w[i];
    }
  }
  float max = dnc::blockMaxFromZero(localMax, maxRed);
  if (!(max > 0.0f)) {
    return;
  }
  double m = max;
  double exponent = gamma[blockIdx.x];
  // S and S·ḡ: Σ v^γ and Σ v^γ g
  double powers = 0, weighted = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    double p = pow(w[i] / m, exponent);
    powers += p;
    weighted += p * g[i];
  }
  double sum = dnc::blockSum(powers, red);
  double mean = dnc::blockSum(weighted, red) / sum;
  // S ≥ 1 (the max's term is 1) and m > 0: the only divisors
  double scale = exponent / (m * sum);
  double gammaSum = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    double v = w[i] / m;
    double centred = g[i] - mean;
    // v^(γ−1), not p / v: no division by a weight (pow(0, 0) = 1 at γ = 1)
    gw[i] += static_cast<float>(scale * centred * pow(v, exponent - 1));
    if (v > 0) {
      gammaSum += pow(v, exponent) * centred * log(v);
    }
  }
  double total = dnc::blockSum(gammaSum, red);
  if (threadIdx.x == 0) {
    gradGamma[blockIdx.x] += static_cast<float>(total / sum);
  }
}
