// Splits and activates the raw interface vector of one write head:
//
//   ξ̂ = [ k^r (R·W) ; β̂^r (R) ; k^w (W) ; β̂^w (1) ; ê (W) ; v (W) ; f̂ (R) ; ĝ^a (1) ; ĝ^w (1) ; π̂ (3R) ]
//   β = oneplus(β̂) = 1 + max(x,0) + log1p(e^−|x|),   e, f, g^a, g^w = σ(·),   π_r = softmax over its 3 modes
//
// Elementwise over ξ̂ (a read head's 3 modes by the thread of its first mode). Activations in double,
// rounded once, with the reference's formulas; keys and write vectors are copied unchanged.
#pragma once
#include "common.cuh"

namespace dnc {

__device__ __forceinline__ double oneplus(double x) {
  return 1 + fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

// 1 / (1 + e^−x) without overflow for large |x|
__device__ __forceinline__ double sigmoid(double x) {
  if (x >= 0) {
    return 1 / (1 + exp(-x));
  }
  double e = exp(x);
  return e / (1 + e);
}

}  // namespace dnc

// raw [B, W·R + 3W + 5R + 3] → the ten interface tensors (Wh = 1); elementwise grid-stride over raw
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) interface_split(
    const float* __restrict__ raw, float* __restrict__ readKeys, float* __restrict__ readStrengths,
    float* __restrict__ writeKeys, float* __restrict__ writeStrengths, float* __restrict__ eraseVectors,
    float* __restrict__ writeVectors, float* __restrict__ freeGates, float* __restrict__ allocationGates,
    float* __restrict__ writeGates, float* __restrict__ readModes, int batch, int readHeads, int word) {
  using dnc::oneplus;
  using dnc::sigmoid;
  int R = readHeads, W = word;
  int width = W * R + 3 * W + 5 * R + 3;
  // where each part starts in one raw row
  int atReadStrengths = W * R;
  int atWriteKey = atReadStrengths + R;
  int atWriteStrength = atWriteKey + W;
  int atErase = atWriteStrength + 1;
  int atWriteVector = atErase + W;
  int atFreeGates = atWriteVector + W;
  int atAllocationGate = atFreeGates + R;
  int atWriteGate = atAllocationGate + 1;
  int atModes = atWriteGate + 1;
  long long total = static_cast<long long>(batch) * width;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    int b = static_cast<int>(e / width);
    int x = static_cast<int>(e % width);
    float v = raw[e];
    if (x < atReadStrengths) {
      readKeys[static_cast<size_t>(b) * R * W + x] = v;
    } else if (x < atWriteKey) {
      readStrengths[static_cast<size_t>(b) * R + (x - atReadStrengths)] = static_cast<float>(oneplus(v));
    } else if (x < atWriteStrength) {
      writeKeys[static_cast<size_t>(b) * W + (x - atWriteKey)] = v;
    } else if (x < atErase) {
      writeStrengths[b] = static_cast<float>(oneplus(v));
    } else if (x < atWriteVector) {
      eraseVectors[static_cast<size_t>(b) * W + (x - atErase)] = static_cast<float>(sigmoid(v));
    } else if (x < atFreeGates) {
      writeVectors[static_cast<size_t>(b) * W + (x - atWriteVector)] = v;
    } else if (x < atAllocationGate) {
      freeGates[static_cast<size_t>(b) * R + (x - atFreeGates)] = static_cast<float>(sigmoid(v));
    } else if (x < atWriteGate) {
      allocationGates[b] = static_cast<float>(sigmoid(v));
    } else if (x < atModes) {
      writeGates[b] = static_cast<float>(sigmoid(v));
    } else if ((x - atModes) % 3 == 0) {
      // softmax over the head's 3 modes, max-subtracted so large logits cannot overflow
      int r = (x - atModes) / 3;
      double m0 = v, m1 = raw[e + 1], m2 = raw[e + 2];
      double max = fmax(m0, fmax(m1, m2));
      double e0 = exp(m0 - max), e1 = exp(m1 - max), e2 = exp(m2 - max);
      double sum = e0 + e1 + e2;
      float* out = readModes + (static_cast<size_t>(b) * R + r) * 3;
      out[0] = static_cast<float>(e0 / sum);
      out[1] = static_cast<float>(e1 / sum);
      out[2] = static_cast<float>(e2 / sum);
    }
  }
}
