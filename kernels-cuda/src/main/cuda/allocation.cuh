// Allocation weightings for each write head in turn (DeepMind dnc semantics):
//
//   u ← usage[b]                       (a private double copy: usage is not modified)
//   for h = 1..Wh:
//     ũ = ε + (1 − ε) u
//     φ = slots sorted by ascending ũ, ties broken by lower index first
//     out[b,h,φ_j] = (1 − ũ[φ_j]) Π_{i<j} ũ[φ_i]
//     u ← u + (1 − u) ∘ (g^a g^w) out[b,h]        (with the unrounded double allocation)
//
// One block of ALLOC_BLOCK threads per batch row. The sort is a block-wide bitonic network over
// (ũ as order-preserving 64-bit key, slot index) pairs padded to a power of two P: every pair is distinct,
// so the network's result is the unique ascending order, ties in ũ going to the lower index as in the scalar
// reference's stable merge sort. The running product is a fixed-order block scan in double: each thread
// multiplies a contiguous segment, the segment products are scanned Hillis–Steele, then each thread
// re-walks its segment.
//
// Where the pairs and the usage copy fit in shared memory (12·P + 8·N bytes, up to the device's opt-in
// limit: N ≤ 8192 on sm_80/sm_90) everything stays in shared memory. Beyond that the arrays live in global
// scratch and the same network runs in passes: strides below the chunk size C (the largest power of two
// whose pairs fit in shared memory) are done on chunks loaded into shared memory, larger strides directly in
// global memory, all by the same block with __syncthreads between passes. No limit on N but memory.
#pragma once
#include "common.cuh"

namespace dnc {

typedef unsigned long long u64;

constexpr u64 PAD_KEY = ~0ull;

// a double mapped to an unsigned integer with the same order (total order; ũ is never −0)
__device__ __forceinline__ u64 orderedBits(double x) {
  u64 bits = static_cast<u64>(__double_as_longlong(x));
  return (bits >> 63) ? ~bits : (bits | 0x8000000000000000ull);
}

__device__ __forceinline__ double fromOrderedBits(u64 ordered) {
  u64 bits = (ordered >> 63) ? (ordered & 0x7fffffffffffffffull) : ~ordered;
  return __longlong_as_double(static_cast<long long>(bits));
}

// whether (keyA, indexA) belongs after (keyB, indexB): ascending key, then ascending index
__device__ __forceinline__ bool sortsAfter(u64 keyA, int indexA, u64 keyB, int indexB) {
  return keyA > keyB || (keyA == keyB && indexA > indexB);
}

// one compare-exchange step (merge size k, stride j) over count elements (a power of two); base is the
// position of element 0 in the whole array, which decides the merge direction
__device__ void bitonicStep(u64* key, int* index, int count, int base, int k, int j) {
  for (int q = threadIdx.x; q < count / 2; q += blockDim.x) {
    int i = ((q & ~(j - 1)) << 1) | (q & (j - 1));
    int l = i + j;
    bool ascending = ((base + i) & k) == 0;
    u64 keyI = key[i], keyL = key[l];
    int indexI = index[i], indexL = index[l];
    if (sortsAfter(keyI, indexI, keyL, indexL) == ascending) {
      key[i] = keyL;
      key[l] = keyI;
      index[i] = indexL;
      index[l] = indexI;
    }
  }
}

__device__ void copyPairs(u64* toKey, int* toIndex, const u64* fromKey, const int* fromIndex, int count) {
  for (int i = threadIdx.x; i < count; i += blockDim.x) {
    toKey[i] = fromKey[i];
    toIndex[i] = fromIndex[i];
  }
}

// sorts padded pairs ascending. key/index: the whole array (shared or global); chunkKey/chunkIndex: shared
// memory for chunk pairs. When the whole array is the chunk (chunkKey == key) nothing is copied.
__device__ void sortPairs(u64* key, int* index, int padded, u64* chunkKey, int* chunkIndex, int chunk) {
  bool inPlace = chunkKey == key;
  // every chunk sorted on its own, alternating directions so that neighbours form bitonic sequences
  for (int base = 0; base < padded; base += chunk) {
    if (!inPlace) {
      copyPairs(chunkKey, chunkIndex, key + base, index + base, chunk);
      __syncthreads();
    }
    for (int k = 2; k <= chunk; k <<= 1) {
      for (int j = k >> 1; j > 0; j >>= 1) {
        bitonicStep(chunkKey, chunkIndex, chunk, base, k, j);
        __syncthreads();
      }
    }
    if (!inPlace) {
      copyPairs(key + base, index + base, chunkKey, chunkIndex, chunk);
      __syncthreads();
    }
  }
  // merges larger than a chunk: wide strides in place, the rest chunk by chunk in shared memory
  for (int k = 2 * chunk; k <= padded; k <<= 1) {
    int j = k >> 1;
    for (; j >= chunk; j >>= 1) {
      bitonicStep(key, index, padded, 0, k, j);
      __syncthreads();
    }
    for (int base = 0; base < padded; base += chunk) {
      copyPairs(chunkKey, chunkIndex, key + base, index + base, chunk);
      __syncthreads();
      for (int s = j; s > 0; s >>= 1) {
        bitonicStep(chunkKey, chunkIndex, chunk, base, k, s);
        __syncthreads();
      }
      copyPairs(key + base, index + base, chunkKey, chunkIndex, chunk);
      __syncthreads();
    }
  }
}

// the allocation weights from the sorted pairs: an exclusive running product of ũ in sorted order;
// segment: shared scratch of blockDim doubles. Folds the allocation into the usage copy when asked.
__device__ void allocateSorted(
    const u64* key, const int* index, int slots, double* segment, float* out, double* used, double gate,
    bool updateUsage) {
  int per = (slots + blockDim.x - 1) / blockDim.x;
  int lo = min(static_cast<int>(threadIdx.x) * per, slots);
  int hi = min(lo + per, slots);
  double product = 1;
  for (int p = lo; p < hi; p++) {
    product *= fromOrderedBits(key[p]);
  }
  segment[threadIdx.x] = product;
  __syncthreads();
  // inclusive scan of the segment products, Hillis–Steele: a fixed pairing at every step
  for (int offset = 1; offset < static_cast<int>(blockDim.x); offset <<= 1) {
    double v = segment[threadIdx.x];
    if (static_cast<int>(threadIdx.x) >= offset) {
      v = segment[threadIdx.x - offset] * v;
    }
    __syncthreads();
    segment[threadIdx.x] = v;
    __syncthreads();
  }
  // free list: the least used slot first, each later slot scaled by the usage of all before it
  double running = threadIdx.x == 0 ? 1.0 : segment[threadIdx.x - 1];
  for (int p = lo; p < hi; p++) {
    double remapped = fromOrderedBits(key[p]);
    int slot = index[p];
    double allocation = (1 - remapped) * running;
    out[slot] = static_cast<float>(allocation);
    if (updateUsage) {
      // the next head sees the slots this one will write as used
      used[slot] += (1 - used[slot]) * gate * allocation;
    }
    running *= remapped;
  }
  __syncthreads();
}

// Where one block's sort keeps its keys, indices and usage copy: all in shared memory when the row fits
// (key[padded] | used[slots] | index[padded]), else in global scratch with chunks of pairs in shared memory.
__device__ __forceinline__ void sortBuffers(int slots, int padded, int& chunk, u64* scratchKey, int* scratchIndex,
    double* scratchUsed, unsigned char* shared, u64*& key, int*& index, double*& used, u64*& chunkKey,
    int*& chunkIndex) {
  if (scratchKey == nullptr) {
    key = reinterpret_cast<u64*>(shared);
    used = reinterpret_cast<double*>(shared + sizeof(u64) * padded);
    index = reinterpret_cast<int*>(shared + sizeof(u64) * padded + sizeof(double) * slots);
    chunkKey = key;
    chunkIndex = index;
    chunk = padded;
  } else {
    key = scratchKey;
    index = scratchIndex;
    used = scratchUsed;
    chunkKey = reinterpret_cast<u64*>(shared);
    chunkIndex = reinterpret_cast<int*>(shared + sizeof(u64) * chunk);
  }
}

// allocation for one batch row: usage [N], gates [Wh], out [Wh,N]. The global scratch pointers are null
// when everything fits in dynamic shared memory (12·padded + 8·slots bytes); otherwise dynamic shared
// memory holds 12·chunk bytes of chunk pairs. segment: shared, blockDim doubles.
// All threads of the block must call it.
__device__ void allocationBlock(
    const float* usage, const float* writeGates, const float* allocationGates, float* out, int slots,
    int writeHeads, int padded, int chunk, u64* scratchKey, int* scratchIndex, double* scratchUsed,
    unsigned char* shared, double* segment) {
  u64* key;
  int* index;
  double* used;
  u64* chunkKey;
  int* chunkIndex;
  sortBuffers(slots, padded, chunk, scratchKey, scratchIndex, scratchUsed, shared, key, index, used, chunkKey,
      chunkIndex);
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    used[i] = usage[i];
  }
  __syncthreads();
  for (int h = 0; h < writeHeads; h++) {
    for (int i = threadIdx.x; i < padded; i += blockDim.x) {
      if (i < slots) {
        double remapped = EPS + (1 - EPS) * used[i];
        key[i] = orderedBits(remapped);
      } else {
        key[i] = PAD_KEY;
      }
      index[i] = i;
    }
    __syncthreads();
    sortPairs(key, index, padded, chunkKey, chunkIndex, chunk);
    double gate = static_cast<double>(allocationGates[h]) * writeGates[h];
    allocateSorted(key, index, slots, segment, out + static_cast<size_t>(h) * slots, used, gate, h + 1 < writeHeads);
  }
}

}  // namespace dnc

// usage [B,N], writeGates [B,Wh], allocationGates [B,Wh], out [B,Wh,N]; grid B blocks of ALLOC_BLOCK threads.
// scratch*: null, or global scratch of B·padded keys, B·padded indices and B·slots doubles (see above).
extern "C" __global__ void __launch_bounds__(dnc::ALLOC_BLOCK) allocation_weights(
    const float* usage, const float* writeGates, const float* allocationGates, float* out, int slots,
    int writeHeads, int padded, int chunk, unsigned long long* scratchKey, int* scratchIndex,
    double* scratchUsed) {
  DNC_DYNAMIC_SHARED(shared);
  __shared__ double segment[dnc::ALLOC_BLOCK];
  int b = blockIdx.x;
  bool global = scratchKey != nullptr;
  dnc::allocationBlock(
      usage + static_cast<size_t>(b) * slots, writeGates + static_cast<size_t>(b) * writeHeads,
      allocationGates + static_cast<size_t>(b) * writeHeads, out + static_cast<size_t>(b) * writeHeads * slots,
      slots, writeHeads, padded, chunk, global ? scratchKey + static_cast<size_t>(b) * padded : nullptr,
      global ? scratchIndex + static_cast<size_t>(b) * padded : nullptr,
      global ? scratchUsed + static_cast<size_t>(b) * slots : nullptr, shared, segment);
}
