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


// where each part of one raw interface row starts (the seed's layout for one write head), and its length
struct InterfaceLayout {
  int readStrengths, writeKey, writeStrength, erase, writeVector, freeGates, allocationGate, writeGate, modes, width;

  __device__ InterfaceLayout(int W, int R)
      : readStrengths(W * R),
        writeKey(readStrengths + R),
        writeStrength(writeKey + W),
        erase(writeStrength + 1),
        writeVector(erase + W),
        freeGates(writeVector + W),
        allocationGate(freeGates + R),
        writeGate(allocationGate + 1),
        modes(writeGate + 1),
        width(W * R + 3 * W + 5 * R + 3) {}
};

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
  const dnc::InterfaceLayout at(W, R);
  int width = at.width;
  long long total = static_cast<long long>(batch) * width;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    int b = static_cast<int>(e / width);
    int x = static_cast<int>(e % width);
    float v = raw[e];
    if (x < at.readStrengths) {
      readKeys[static_cast<size_t>(b) * R * W + x] = v;
    } else if (x < at.writeKey) {
      readStrengths[static_cast<size_t>(b) * R + (x - at.readStrengths)] = static_cast<float>(oneplus(v));
    } else if (x < at.writeStrength) {
      writeKeys[static_cast<size_t>(b) * W + (x - at.writeKey)] = v;
    } else if (x < at.erase) {
      writeStrengths[b] = static_cast<float>(oneplus(v));
    } else if (x < at.writeVector) {
      eraseVectors[static_cast<size_t>(b) * W + (x - at.erase)] = static_cast<float>(sigmoid(v));
    } else if (x < at.freeGates) {
      writeVectors[static_cast<size_t>(b) * W + (x - at.writeVector)] = v;
    } else if (x < at.allocationGate) {
      freeGates[static_cast<size_t>(b) * R + (x - at.freeGates)] = static_cast<float>(sigmoid(v));
    } else if (x < at.writeGate) {
      allocationGates[b] = static_cast<float>(sigmoid(v));
    } else if (x < at.modes) {
      writeGates[b] = static_cast<float>(sigmoid(v));
    } else if ((x - at.modes) % 3 == 0) {
      // softmax over the head's 3 modes, max-subtracted so large logits cannot overflow
      int r = (x - at.modes) / 3;
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
