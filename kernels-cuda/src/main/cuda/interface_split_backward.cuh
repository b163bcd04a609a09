// Backward of the interface split (one write head), elementwise over ξ̂ like the forward:
//
//   keys, write vectors:      gradRaw += g                          (copied unchanged by the forward)
//   strengths (oneplus):      gradRaw += σ(x) g                     (oneplus′ = σ)
//   erase, gates (σ):         gradRaw += σ(x) (1 − σ(x)) g
//   modes (softmax of 3):     gradRaw[m] += π_m (g_m − Σ_m' π_m' g_m')
//
// Activations in double from the raw value with the forward's formulas, each gradient rounded once to float and
// added to the accumulated one. A read head's three modes are written by the thread of its first mode, which
// recomputes the forward's max-subtracted softmax.
#pragma once
#include "common.cuh"
#include "interface_split.cuh"

// raw, gradRaw [B, W·R + 3W + 5R + 3]; the ten gradients of the interface tensors (Wh = 1); grid-stride over raw
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) interface_split_backward(
    const float* __restrict__ raw, const float* __restrict__ gradReadKeys,
    const float* __restrict__ gradReadStrengths, const float* __restrict__ gradWriteKeys,
    const float* __restrict__ gradWriteStrengths, const float* __restrict__ gradEraseVectors,
    const float* __restrict__ gradWriteVectors, const float* __restrict__ gradFreeGates,
    const float* __restrict__ gradAllocationGates, const float* __restrict__ gradWriteGates,
    const float* __restrict__ gradReadModes, float* __restrict__ gradRaw, int batch, int readHeads, int word) {
  using dnc::sigmoid;
  int R = readHeads, W = word;
  const dnc::InterfaceLayout at(W, R);
  int width = at.width;
  long long total = static_cast<long long>(batch) * width;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    int b = static_cast<int>(e / width);
    int x = static_cast<int>(e % width);
    double v = raw[e];
    if (x < at.readStrengths) {
      gradRaw[e] += gradReadKeys[static_cast<size_t>(b) * R * W + x];
    } else if (x < at.writeKey) {
      double g = gradReadStrengths[static_cast<size_t>(b) * R + (x - at.readStrengths)];
      gradRaw[e] += static_cast<float>(sigmoid(v) * g);
    } else if (x < at.writeStrength) {
      gradRaw[e] += gradWriteKeys[static_cast<size_t>(b) * W + (x - at.writeKey)];
    } else if (x < at.erase) {
      double g = gradWriteStrengths[b];
      gradRaw[e] += static_cast<float>(sigmoid(v) * g);
    } else if (x < at.writeVector) {
      double s = sigmoid(v), g = gradEraseVectors[static_cast<size_t>(b) * W + (x - at.erase)];
      gradRaw[e] += static_cast<float>(s * (1 - s) * g);
    } else if (x < at.freeGates) {
      gradRaw[e] += gradWriteVectors[static_cast<size_t>(b) * W + (x - at.writeVector)];
    } else if (x < at.allocationGate) {
      double s = sigmoid(v), g = gradFreeGates[static_cast<size_t>(b) * R + (x - at.freeGates)];
      gradRaw[e] += static_cast<float>(s * (1 - s) * g);
    } else if (x < at.writeGate) {
      double s = sigmoid(v), g = gradAllocationGates[b];
      gradRaw[e] += static_cast<float>(s * (1 - s) * g);
    } else if (x < at.modes) {
      double s = sigmoid(v), g = gradWriteGates[b];
      gradRaw[e] += static_cast<float>(s * (1 - s) * g);
    } else if ((x - at.modes) % 3 == 0) {
      // the forward's softmax over the head's 3 modes, then its Jacobian-vector product
      int r = (x - at.modes) / 3;
      double m0 = v, m1 = raw[e + 1], m2 = raw[e + 2];
      double max = fmax(m0, fmax(m1, m2));
      double e0 = exp(m0 - max), e1 = exp(m1 - max), e2 = exp(m2 - max);
      double sum = e0 + e1 + e2;
      double p0 = e0 / sum, p1 = e1 / sum, p2 = e2 / sum;
      const float* g = gradReadModes + (static_cast<size_t>(b) * R + r) * 3;
      double g0 = g[0], g1 = g[1], g2 = g[2];
      double mean = p0 * g0 + p1 * g1 + p2 * g2;
      gradRaw[e] += static_cast<float>(p0 * (g0 - mean));
      gradRaw[e + 1] += static_cast<float>(p1 * (g1 - mean));
      gradRaw[e + 2] += static_cast<float>(p2 * (g2 - mean));
    }
  }
}
