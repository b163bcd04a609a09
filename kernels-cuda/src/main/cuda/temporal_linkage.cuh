// Temporal linkage, per write head: precedence, the link matrix and the forward/backward weightings.
//
//   p ← (1 − Σ_i w[i]) p + w
//   L[i,j] ← (1 − w[i] − w[j]) L[i,j] + w[i] p[j]   for i ≠ j;   L[i,i] = 0 exactly
//   forward[b,r,h][i]  = Σ_j L[i,j] w^r[j]
//   backward[b,r,h][j] = Σ_i L[i,j] w^r[i]
//
// The link update and both weightings are fused into one pass over L (read 4N², write 4N² bytes per head):
// link_tiles gives each block a LINK_TILE × LINK_TILE tile, one column per thread, walking the tile's rows.
// A thread sums its column for backward (in registers); forward sums a row across the block, done as warp
// sums written to shared memory and added in warp order every LINK_ROW_BATCH rows. Both leave one double
// partial per tile, and link_weightings adds the partials in tile order: a deterministic two-level sum. The
// products use the updated L rounded to float, exactly what a separate forward/backward would read.
#pragma once
#include "common.cuh"

namespace dnc {

// precedence of one (batch row, write head): p [N] in place, w [N]; red: shared, WARP + 1 doubles
__device__ void precedenceBlock(float* precedence, const float* writeWeights, int slots, double* red) {
  double written = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    written += writeWeights[i];
  }
  written = blockSum(written, red);
  // clamped as the equations keep it: Σw may round above 1 (the scalar reference's clamps)
  double keep = fmax(0.0, 1 - written);
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    precedence[i] = static_cast<float>(fmin(1.0, keep * precedence[i] + writeWeights[i]));
  }
}

// forward or backward weighting of one (batch row, read head, write head, slot) from its tile partials
__device__ __forceinline__ float sumPartials(const double* partials, size_t stride, int tiles) {
  double total = 0;
  for (int t = 0; t < tiles; t++) {
    total += partials[t * stride];
  }
  return static_cast<float>(total);
}

// where tile t's partial for (b, h, r, slot) lives: partials are [B, Wh, tiles, R, N] doubles
__device__ __forceinline__ size_t partialIndex(
    int b, int h, int tile, int r, int slot, int writeHeads, int tiles, int readHeads, int slots) {
  return ((static_cast<size_t>(b * writeHeads + h) * tiles + tile) * readHeads + r) * slots + slot;
}

}  // namespace dnc

// precedence [B,Wh,N] in place, writeWeights [B,Wh,N]; grid B·Wh blocks of BLOCK threads
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) precedence_update(
    float* precedence, const float* writeWeights, int slots) {
  __shared__ double red[dnc::WARP + 1];
  size_t row = static_cast<size_t>(blockIdx.x) * slots;
  dnc::precedenceBlock(precedence + row, writeWeights + row, slots, red);
}

// One LINK_TILE × LINK_TILE tile of L[b,h] per block (grid B·Wh·tiles·tiles, tiles = ceil(N / LINK_TILE),
// blocks of LINK_TILE threads). update != 0: L ← the updated link (prevPrecedence and writeWeights are
// read); readHeads > 0: partial forward/backward sums of the (updated) L with readWeights [B,R,N] into
// forwardPartials / backwardPartials [B,Wh,tiles,R,N] doubles (forward by column tile, backward by row tile).
extern "C" __global__ void __launch_bounds__(dnc::LINK_TILE) link_tiles(
    float* link, const float* prevPrecedence, const float* writeWeights, const float* readWeights,
    double* forwardPartials, double* backwardPartials, int slots, int writeHeads, int readHeads, int update) {
  using namespace dnc;
  __shared__ float rowWrite[LINK_TILE];                          // w[i] of the tile's rows
  __shared__ float rowRead[LINK_HEADS][LINK_TILE];               // w^r[i] of the tile's rows
  __shared__ double rowSums[LINK_ROW_BATCH][LINK_HEADS][LINK_TILE / WARP];  // forward warp sums

  int tiles = (slots + LINK_TILE - 1) / LINK_TILE;
  int tile = blockIdx.x;
  int columnTile = tile % tiles;
  int rowTile = (tile / tiles) % tiles;
  int bh = tile / (tiles * tiles);
  int b = bh / writeHeads;
  int h = bh % writeHeads;
  int i0 = rowTile * LINK_TILE;
  int rows = min(LINK_TILE, slots - i0);
  int j = columnTile * LINK_TILE + threadIdx.x;
  bool column = j < slots;

  float* l = link + static_cast<size_t>(bh) * slots * slots;
  const float* w = writeWeights + static_cast<size_t>(bh) * slots;
  double wj = 0, pj = 0;
  if (update) {
    if (column) {
      wj = w[j];
      pj = prevPrecedence[static_cast<size_t>(bh) * slots + j];
    }
    for (int ii = threadIdx.x; ii < rows; ii += blockDim.x) {
      rowWrite[ii] = w[i0 + ii];
    }
  }

  // read heads in groups of LINK_HEADS; only the first group updates L, later groups re-read it
  int groups = readHeads == 0 ? 1 : (readHeads + LINK_HEADS - 1) / LINK_HEADS;
  for (int group = 0; group < groups; group++) {
    int g0 = group * LINK_HEADS;
    int heads = min(LINK_HEADS, readHeads - g0);
    bool write = update && group == 0;
    double columnRead[LINK_HEADS];
    double columnSum[LINK_HEADS];
#pragma unroll
    for (int r = 0; r < LINK_HEADS; r++) {
      const float* read = readWeights + (static_cast<size_t>(b) * readHeads + g0 + r) * slots;
      columnRead[r] = (r < heads && column) ? read[j] : 0.0;
      columnSum[r] = 0;
    }
    for (int q = threadIdx.x; q < LINK_HEADS * LINK_TILE; q += blockDim.x) {
      int r = q / LINK_TILE, ii = q % LINK_TILE;
      const float* read = readWeights + (static_cast<size_t>(b) * readHeads + g0 + r) * slots;
      rowRead[r][ii] = (r < heads && ii < rows) ? read[i0 + ii] : 0.0f;
    }
    __syncthreads();

    for (int batch0 = 0; batch0 < rows; batch0 += LINK_ROW_BATCH) {
      int batchRows = min(LINK_ROW_BATCH, rows - batch0);
      for (int ii = batch0; ii < batch0 + batchRows; ii++) {
        int i = i0 + ii;
        float value = 0.0f;
        if (column) {
          float* cell = l + static_cast<size_t>(i) * slots + j;
          if (write) {
            if (i == j) {
              // no self-links: exactly zero whatever was stored
              value = 0.0f;
            } else {
              double wi = rowWrite[ii];
              value = static_cast<float>(fmax(0.0, 1 - wi - wj) * static_cast<double>(*cell) + wi * pj);
            }
            *cell = value;
          } else {
            value = *cell;
          }
        }
        double v = value;
#pragma unroll
        for (int r = 0; r < LINK_HEADS; r++) {
          if (r < heads) {
            columnSum[r] += v * static_cast<double>(rowRead[r][ii]);
            double rowPart = warpSum(v * columnRead[r]);
            if (lane() == 0) {
              rowSums[ii - batch0][r][warpId()] = rowPart;
            }
          }
        }
      }
      __syncthreads();
      if (heads > 0) {
        // the batch's forward partials: warp sums added in warp order
        for (int q = threadIdx.x; q < LINK_ROW_BATCH * LINK_HEADS; q += blockDim.x) {
          int rr = q / LINK_HEADS, r = q % LINK_HEADS;
          if (rr < batchRows && r < heads) {
            double total = 0;
            for (int wp = 0; wp < LINK_TILE / WARP; wp++) {
              total += rowSums[rr][r][wp];
            }
            int i = i0 + batch0 + rr;
            forwardPartials[partialIndex(b, h, columnTile, g0 + r, i, writeHeads, tiles, readHeads, slots)] = total;
          }
        }
      }
      __syncthreads();
    }
    if (column) {
#pragma unroll
      for (int r = 0; r < LINK_HEADS; r++) {
        if (r < heads) {
          size_t at = partialIndex(b, h, rowTile, g0 + r, j, writeHeads, tiles, readHeads, slots);
          backwardPartials[at] = columnSum[r];
        }
      }
    }
  }
}

// forward/backward [B,R,Wh,N] from the tile partials; elementwise grid-stride over B·R·Wh·N
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) link_weightings(
    const double* forwardPartials, const double* backwardPartials, float* forward, float* backward, int batch,
    int readHeads, int writeHeads, int slots) {
  int tiles = (slots + dnc::LINK_TILE - 1) / dnc::LINK_TILE;
  long long total = static_cast<long long>(batch) * readHeads * writeHeads * slots;
  size_t stride = static_cast<size_t>(readHeads) * slots;
  for (long long e = dnc::globalThread(); e < total; e += dnc::globalStride()) {
    int i = static_cast<int>(e % slots);
    long long rest = e / slots;
    int h = static_cast<int>(rest % writeHeads);
    rest /= writeHeads;
    int r = static_cast<int>(rest % readHeads);
    int b = static_cast<int>(rest / readHeads);
    forward[e] = dnc::sumPartials(
        forwardPartials + dnc::partialIndex(b, h, 0, r, i, writeHeads, tiles, readHeads, slots), stride, tiles);
    backward[e] = dnc::sumPartials(
        backwardPartials + dnc::partialIndex(b, h, 0, r, i, writeHeads, tiles, readHeads, slots), stride, tiles);
  }
}
