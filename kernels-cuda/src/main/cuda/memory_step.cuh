// The whole DNC memory step in four launches (DncKernels#memoryStep's order; the result equals calling the
// kernels one by one, because every fused stage does the same per-element arithmetic on the same rounded
// floats that the separate kernels would read back):
//
//   1. step_allocate   grid B·(1+Wh), ALLOC_BLOCK threads
//        block 0 of a batch row: usage u_t (state, in place), then allocation a_t (workspace) for every
//        write head in order; blocks 1..Wh: write content weights c^w_t on M_{t−1} (workspace)
//   2. step_write      elementwise over B·N·W
//        write weights w^w_t (state, stored by the j = 0 thread of each row) and erase/add on M
//   3. link_tiles      grid B·Wh·tiles², LINK_TILE threads (the standalone kernel, update on)
//        L_t and the forward/backward tile partials from the previous read weights
//   4. step_read       grid B·(R+Wh), BLOCK threads
//        blocks 0..R−1 of a batch row: read content c^r_t on M_t, forward/backward from the partials
//        (workspace), the read-mode mix w^r_t (state) and the read vector r_t;
//        blocks R..R+Wh−1: precedence p_t (state, after link_tiles has read p_{t−1})
//
// Each launch only reads state that earlier launches have finished writing (stream order), and inside a
// launch a block only reads what it wrote itself after a __syncthreads. Only buffers that nobody writes
// during a launch are __restrict__ there: what a block reads back must not go through the non-coherent
// read-only cache.
#pragma once
#include "allocation.cuh"
#include "content_addressing.cuh"
#include "memory_access.cuh"
#include "read_modes.cuh"
#include "temporal_linkage.cuh"
#include "usage.cuh"
#include "write_weighting.cuh"

extern "C" __global__ void __launch_bounds__(dnc::ALLOC_BLOCK) step_allocate(
    float* usage, const float* __restrict__ prevWriteWeights, const float* __restrict__ freeGates,
    const float* __restrict__ prevReadWeights, const float* __restrict__ writeGates,
    const float* __restrict__ allocationGates, float* allocation, const float* __restrict__ memory,
    const float* __restrict__ writeKeys, const float* __restrict__ writeStrengths, float* writeContent,
    int slots, int word, int readHeads, int writeHeads, int padded, int chunk, unsigned long long* scratchKey,
    int* scratchIndex, double* scratchUsed) {
  using namespace dnc;
  DNC_DYNAMIC_SHARED(shared);
  __shared__ double segment[ALLOC_BLOCK];
  __shared__ double red[2 * (WARP + 1)];
  int role = blockIdx.x % (1 + writeHeads);
  int b = blockIdx.x / (1 + writeHeads);
  if (role == 0) {
    float* u = usage + static_cast<size_t>(b) * slots;
    const float* ww = prevWriteWeights + static_cast<size_t>(b) * writeHeads * slots;
    const float* wr = prevReadWeights + static_cast<size_t>(b) * readHeads * slots;
    const float* f = freeGates + static_cast<size_t>(b) * readHeads;
    for (int i = threadIdx.x; i < slots; i += blockDim.x) {
      u[i] = updatedUsage(u[i], ww, f, wr, i, slots, writeHeads, readHeads);
    }
    __syncthreads();
    bool global = scratchKey != nullptr;
    allocationBlock(
        u, writeGates + static_cast<size_t>(b) * writeHeads, allocationGates + static_cast<size_t>(b) * writeHeads,
        allocation + static_cast<size_t>(b) * writeHeads * slots, slots, writeHeads, padded, chunk,
        global ? scratchKey + static_cast<size_t>(b) * padded : nullptr,
        global ? scratchIndex + static_cast<size_t>(b) * padded : nullptr,
        global ? scratchUsed + static_cast<size_t>(b) * slots : nullptr, shared, segment);
  } else {
    size_t bh = static_cast<size_t>(b) * writeHeads + (role - 1);
    contentWeightsBlock(
        memory + static_cast<size_t>(b) * slots * word, writeKeys + bh * word, writeStrengths[bh],
        writeContent + bh * slots, slots, word, red);
  }
}

extern "C" __global__ void __launch_bounds__(dnc::BLOCK) step_write(
    const float* __restrict__ allocation, const float* __restrict__ writeContent,
    const float* __restrict__ writeGates, const float* __restrict__ allocationGates, float* writeWeights,
    float* memory, const float* __restrict__ erase, const float* __restrict__ add, int batch, int slots,
    int word, int writeHeads) {
  long long total = static_cast<long long>(batch) * slots * word;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    int j = static_cast<int>(e % word);
    long long row = e / word;
    int i = static_cast<int>(row % slots);
    int b = static_cast<int>(row / slots);
    size_t heads = static_cast<size_t>(b) * writeHeads;
    // w^w[b,h,i] exactly as write_weights stores it; the row's j = 0 thread stores it
    auto weightOf = [&](int h) {
      size_t bh = heads + h;
      size_t at = bh * slots + i;
      float w = dnc::writeWeight(allocation[at], writeContent[at], writeGates[bh], allocationGates[bh]);
      if (j == 0) {
        writeWeights[at] = w;
      }
      return static_cast<double>(w);
    };
    memory[e] = dnc::erasedAndAdded(
        memory[e], weightOf, erase + heads * word, add + heads * word, j, word, writeHeads);
  }
}

// (4 blocks per SM: without that hint ptxas 13.0 settles on 48 registers and spills 24 bytes)
extern "C" __global__ void __launch_bounds__(dnc::BLOCK, 4) step_read(
    const float* __restrict__ memory, const float* __restrict__ readKeys,
    const float* __restrict__ readStrengths, float* readContent, const double* __restrict__ forwardPartials,
    const double* __restrict__ backwardPartials, float* forward, float* backward,
    const float* __restrict__ readModes, float* readWeights, float* readVectors, float* precedence,
    const float* __restrict__ writeWeights,
    int slots, int word, int readHeads, int writeHeads) {
  using namespace dnc;
  __shared__ double red[2 * (WARP + 1)];
  __shared__ double part[BLOCK];
  int role = blockIdx.x % (readHeads + writeHeads);
  int b = blockIdx.x / (readHeads + writeHeads);
  if (role < readHeads) {
    int r = role;
    size_t br = static_cast<size_t>(b) * readHeads + r;
    float* content = readContent + br * slots;
    contentWeightsBlock(
        memory + static_cast<size_t>(b) * slots * word, readKeys + br * word, readStrengths[br], content, slots,
        word, red);
    __syncthreads();
    int tiles = (slots + LINK_TILE - 1) / LINK_TILE;
    size_t stride = static_cast<size_t>(readHeads) * slots;
    float* fw = forward + br * writeHeads * slots;
    float* bw = backward + br * writeHeads * slots;
    float* weights = readWeights + br * slots;
    for (int i = threadIdx.x; i < slots; i += blockDim.x) {
      for (int h = 0; h < writeHeads; h++) {
        size_t at = partialIndex(b, h, 0, r, i, writeHeads, tiles, readHeads, slots);
        fw[static_cast<size_t>(h) * slots + i] = sumPartials(forwardPartials + at, stride, tiles);
        bw[static_cast<size_t>(h) * slots + i] = sumPartials(backwardPartials + at, stride, tiles);
      }
      weights[i] = mixedReadWeight(readModes + br * (2 * writeHeads + 1), bw, content, fw, i, slots, writeHeads);
    }
    __syncthreads();
    readBlock(memory + static_cast<size_t>(b) * slots * word, weights, readVectors + br * word, slots, word, part);
  } else {
    size_t bh = static_cast<size_t>(b) * writeHeads + (role - readHeads);
    precedenceBlock(precedence + bh * slots, writeWeights + bh * slots, slots, red);
  }
}
