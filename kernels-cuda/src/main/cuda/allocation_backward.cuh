// Backward of the allocation weightings, the sort permutation held constant (DncKernels.allocationBackward):
//
//   recompute the forward exactly as allocation_weights does: u^(h), ũ = ε + (1 − ε) u^(h), the order φ_h
//   walk the heads in reverse, s_h = g^a_h g^w_h, du^(Wh+1) = 0:
//     g_h                  = gradOut[h] + s_h (1 − u^(h)) ∘ du^(h+1)
//     gradAllocationGates += g^w_h Σ_i du^(h+1)[i] (1 − u^(h)[i]) a_h[i];  gradWriteGates += g^a_h (same sum)
//     in sorted order j, P_j = Π_{i<j} ũ_i:  S_{N−1} = 0,  S_{j−1} = g_j (1 − ũ_j) + ũ_j S_j
//     dũ_j                 = P_j (S_j − g_j)
//     du^(h)               = du^(h+1) ∘ (1 − s_h a_h) + (1 − ε) dũ,   a_h[φ_j] = (1 − ũ_j) P_j
//   gradUsage += du^(1)
//
// One block of ALLOC_BLOCK threads per batch row. The forward is allocation.cuh's own code (keys, bitonic sort,
// block scan, usage update between heads), so the orders and usage copies are the forward kernel's bit for bit;
// each head's u^(h) and φ_h are kept in global scratch. The backward walk uses the forward's segments: each thread
// owns a contiguous run of sorted positions. P is the forward's product scan; the suffix recurrence is affine,
// S ↦ c + m S, so each thread composes its segment's map, the maps are scanned Hillis–Steele from the last
// segment down (a fixed pairing), and each thread re-walks its segment from the value entering it. All in double
// and without a division, so ties and usages of 0 and 1 give finite gradients. No atomics: fixed shapes only.
#pragma once
#include "allocation.cuh"
#include "common.cuh"

namespace dnc {

// allocation backward of one batch row: usage [N], gates [Wh], gradOut [Wh,N], gradUsage [N] and the gate
// gradients [Wh] accumulated. Sort memory as allocationBlock's (scratchKey null: all in dynamic shared memory).
// savedUsage [Wh,N] doubles, savedOrder [Wh,N] ints, work [3,N] doubles (du, g, S), allocation [N] floats
// (the forward's weights, written and unused): global scratch of this row. segment, carry: shared, blockDim
// doubles each; red: shared, WARP + 1 doubles. All threads of the block must call it.
__device__ void allocationBackwardBlock(
    const float* usage, const float* writeGates, const float* allocationGates, const float* gradOut,
    float* gradUsage, float* gradWriteGates, float* gradAllocationGates, int slots, int writeHeads, int padded,
    int chunk, u64* scratchKey, int* scratchIndex, double* scratchUsed, double* savedUsage, int* savedOrder,
    double* work, float* allocation, unsigned char* shared, double* segment, double* carry, double* red) {
  u64* key;
  int* index;
  double* used;
  u64* chunkKey;
  int* chunkIndex;
  sortBuffers(slots, padded, chunk, scratchKey, scratchIndex, scratchUsed, shared, key, index, used, chunkKey,
      chunkIndex);

  // the forward, keeping u^(h) and φ_h
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    used[i] = usage[i];
  }
  __syncthreads();
  for (int h = 0; h < writeHeads; h++) {
    double* headUsage = savedUsage + static_cast<size_t>(h) * slots;
    for (int i = threadIdx.x; i < padded; i += blockDim.x) {
      if (i < slots) {
        headUsage[i] = used[i];
        double remapped = EPS + (1 - EPS) * used[i];
        key[i] = orderedBits(remapped);
      } else {
        key[i] = PAD_KEY;
      }
      index[i] = i;
    }
    __syncthreads();
    sortPairs(key, index, padded, chunkKey, chunkIndex, chunk);
    int* order = savedOrder + static_cast<size_t>(h) * slots;
    for (int p = threadIdx.x; p < slots; p += blockDim.x) {
      order[p] = index[p];
    }
    if (h + 1 < writeHeads) {
      double gate = static_cast<double>(allocationGates[h]) * writeGates[h];
      allocateSorted(key, index, slots, segment, allocation, used, gate, true);
    } else {
      __syncthreads();
    }
  }

  // the heads in reverse
  double* du = work;
  double* grad = work + slots;
  double* suffix = work + 2 * static_cast<size_t>(slots);
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    du[i] = 0;
  }
  int t = threadIdx.x;
  int per = (slots + blockDim.x - 1) / blockDim.x;
  int lo = min(t * per, slots);
  int hi = min(lo + per, slots);
  for (int h = writeHeads - 1; h >= 0; h--) {
    const double* u = savedUsage + static_cast<size_t>(h) * slots;
    const int* order = savedOrder + static_cast<size_t>(h) * slots;
    const float* g = gradOut + static_cast<size_t>(h) * slots;
    double gate = static_cast<double>(allocationGates[h]) * writeGates[h];
    __syncthreads();  // du of the head after this one is complete
    // the weights feed the output and, through the usage update, every later head
    for (int i = threadIdx.x; i < slots; i += blockDim.x) {
      double fromLater = du[i] * (1 - u[i]);
      grad[i] = g[i] + gate * fromLater;
    }
    __syncthreads();

    // P at the segment's start: the forward's product scan, bit for bit
    double product = 1;
    for (int p = lo; p < hi; p++) {
      product *= EPS + (1 - EPS) * u[order[p]];
    }
    segment[t] = product;
    __syncthreads();
    for (int offset = 1; offset < static_cast<int>(blockDim.x); offset <<= 1) {
      double v = segment[t];
      if (t >= offset) {
        v = segment[t - offset] * v;
      }
      __syncthreads();
      segment[t] = v;
      __syncthreads();
    }
    double running = t == 0 ? 1.0 : segment[t - 1];
    __syncthreads();

    // the segment's suffix map S_{lo−1} = c + m S_{hi−1}, then the maps composed from the last segment down
    double m = 1, c = 0;
    for (int p = hi - 1; p >= lo; p--) {
      int slot = order[p];
      double remapped = EPS + (1 - EPS) * u[slot];
      c = grad[slot] * (1 - remapped) + remapped * c;
      m = remapped * m;
    }
    segment[t] = m;
    carry[t] = c;
    __syncthreads();
    for (int offset = 1; offset < static_cast<int>(blockDim.x); offset <<= 1) {
      double mv = segment[t], cv = carry[t];
      if (t + offset < static_cast<int>(blockDim.x)) {
        // this segment's map after the ones above it
        cv = cv + mv * carry[t + offset];
        mv = mv * segment[t + offset];
      }
      __syncthreads();
      segment[t] = mv;
      carry[t] = cv;
      __syncthreads();
    }
    // S_{hi−1}: every later segment's map applied to S_{N−1} = 0
    double s = t + 1 < static_cast<int>(blockDim.x) ? carry[t + 1] : 0.0;
    for (int p = hi - 1; p >= lo; p--) {
      int slot = order[p];
      suffix[p] = s;
      double remapped = EPS + (1 - EPS) * u[slot];
      s = grad[slot] * (1 - remapped) + remapped * s;
    }

    // dũ_j = P_j (S_j − g_j), du^(h) = du^(h+1) (1 − s_h a_h) + (1 − ε) dũ, and the gates' sum
    double gateSum = 0;
    for (int p = lo; p < hi; p++) {
      int slot = order[p];
      double remapped = EPS + (1 - EPS) * u[slot];
      double dRemapped = running * (suffix[p] - grad[slot]);
      double weight = (1 - remapped) * running;
      double later = du[slot];
      gateSum += later * (1 - u[slot]) * weight;
      du[slot] = later * (1 - gate * weight) + (1 - EPS) * dRemapped;
      running *= remapped;
    }
    gateSum = blockSum(gateSum, red);
    if (t == 0) {
      gradAllocationGates[h] += static_cast<float>(writeGates[h] * gateSum);
      gradWriteGates[h] += static_cast<float>(allocationGates[h] * gateSum);
    }
  }
  __syncthreads();
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    gradUsage[i] += static_cast<float>(du[i]);
  }
}

}  // namespace dnc

// usage [B,N], writeGates [B,Wh], allocationGates [B,Wh], gradOut [B,Wh,N]; gradUsage [B,N], gradWriteGates and
// gradAllocationGates [B,Wh] accumulated; grid B blocks of ALLOC_BLOCK threads. scratch*: as allocation_weights.
// savedUsage [B,Wh,N] doubles, savedOrder [B,Wh,N] ints, work [B,3,N] doubles, allocation [B,N] floats: scratch.
extern "C" __global__ void __launch_bounds__(dnc::ALLOC_BLOCK) allocation_backward(
    const float* usage, const float* writeGates, const float* allocationGates, const float* gradOut,
    float* gradUsage, float* gradWriteGates, float* gradAllocationGates, int slots, int writeHeads, int padded,
    int chunk, unsigned long long* scratchKey, int* scratchIndex, double* scratchUsed, double* savedUsage,
    int* savedOrder, double* work, float* allocation) {
  DNC_DYNAMIC_SHARED(shared);
  __shared__ double segment[dnc::ALLOC_BLOCK];
  __shared__ double carry[dnc::ALLOC_BLOCK];
  __shared__ double red[dnc::WARP + 1];
  int b = blockIdx.x;
  bool global = scratchKey != nullptr;
  size_t row = static_cast<size_t>(b) * slots, heads = static_cast<size_t>(b) * writeHeads;
  dnc::allocationBackwardBlock(usage + row, writeGates + heads, allocationGates + heads,
      gradOut + heads * slots, gradUsage + row, gradWriteGates + heads, gradAllocationGates + heads, slots,
      writeHeads, padded, chunk, global ? scratchKey + static_cast<size_t>(b) * padded : nullptr,
      global ? scratchIndex + static_cast<size_t>(b) * padded : nullptr, global ? scratchUsed + row : nullptr,
      savedUsage + heads * slots, savedOrder + heads * slots, work + 3 * row, allocation + row, shared, segment,
      carry, red);
}
