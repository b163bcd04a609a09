// Backwards of temporal linkage (DncKernels gives the equations), per write head, G the incoming gradient:
//
//   precedence:       gradW[i] += G[i] − Σ_j G[j] p[j],   G ← (1 − Σ w) G                       (in place)
//   link update:      gradW[i] += Σ_{j≠i} G[i,j] (p[j] − L[i,j]) − Σ_{j≠i} G[j,i] L[j,i]
//                     gradP[j] += Σ_{i≠j} G[i,j] w[i],    G[i,j] ← (1 − w[i] − w[j]) G[i,j],  G[i,i] ← 0
//   forward/backward: G[i,j] += Σ_r (gf[r,i] x[r,j] + gb[r,j] x[r,i])
//                     gradX[r,j] += Σ_h Σ_i (L[i,j] gf[r,h,i] + L[j,i] gb[r,h,i])
//
// All three link backwards are link_backward_tiles, one pass over L per write head shaped like the forward's
// link_tiles: a block per LINK_TILE × LINK_TILE tile, one column per thread, walking the rows. The fused backward
// reads L_{t−1}, rebuilds L_t with the forward's arithmetic, adds the forward/backward part to G (a double sum over
// the read heads, rounded once, as the separate kernel would) and then applies the link update's part, so G is
// read and written once. The row and column sums leave one double partial per tile and channel (read heads, then
// gradW, then gradP): column sums in registers, row sums as warp sums added in warp order every LINK_ROW_BATCH
// rows. link_backward_sums adds the partials in a fixed order (write head, then tile) and accumulates the float
// results: deterministic, no atomics. More than LINK_HEADS read heads re-read the tile per group of heads, the
// groups' forward/backward parts added to G in turn; the link update's part comes with the last group.
//
// The forward's clamps are not differentiated (contract: "clamps"): the factors are 1 − Σw and 1 − w_i − w_j.
#pragma once
#include "common.cuh"
#include "temporal_linkage.cuh"

// precedence [B,Wh,N] (p_{t−1}), writeWeights [B,Wh,N], gradPrecedence [B,Wh,N] in place, gradWriteWeights
// [B,Wh,N] accumulated; grid B·Wh blocks of BLOCK threads
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) precedence_backward(
    const float* prevPrecedence, const float* writeWeights, float* gradPrecedence, float* gradWriteWeights,
    int slots) {
  using namespace dnc;
  __shared__ double red[WARP + 1];
  size_t row = static_cast<size_t>(blockIdx.x) * slots;
  const float* p = prevPrecedence + row;
  const float* w = writeWeights + row;
  float* g = gradPrecedence + row;
  float* gw = gradWriteWeights + row;
  double written = 0, projected = 0;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    written += w[i];
    projected += static_cast<double>(g[i]) * p[i];
  }
  written = blockSum(written, red);
  // every G[i] has been read once the second sum is out: the block may overwrite them
  projected = blockSum(projected, red);
  double keep = 1 - written;
  for (int i = threadIdx.x; i < slots; i += blockDim.x) {
    double gi = g[i];
    gw[i] += static_cast<float>(gi - projected);
    g[i] = static_cast<float>(keep * gi);
  }
}

// One tile of one link matrix per block (grid B·Wh·tiles², LINK_TILE threads). link: L_{t−1} when update != 0
// (prevPrecedence, writeWeights read, L_t rebuilt), else L. readHeads > 0: readWeights [B,R,N], gradForward and
// gradBackward [B,R,Wh,N] read, the forward/backward part added to gradLink. gradLink [B,Wh,N,N] in place.
// Partials [B,Wh,tiles,C,N] doubles, C = readHeads (+ 2 with update): columnPartials by row tile at column j,
// rowPartials by column tile at row i; channel r < R: gradX, R: gradW, R + 1: gradP (columns only).
extern "C" __global__ void __launch_bounds__(dnc::LINK_TILE) link_backward_tiles(
    const float* link, const float* prevPrecedence, const float* writeWeights, const float* readWeights,
    const float* gradForward, const float* gradBackward, float* gradLink, double* columnPartials,
    double* rowPartials, int slots, int writeHeads, int readHeads, int update) {
  using namespace dnc;
  constexpr int ROW_SUMS = LINK_HEADS + 1;  // the read heads' row sums, then gradW's
  __shared__ float rowWrite[LINK_TILE];                             // w[i] of the tile's rows
  __shared__ float rowForward[LINK_HEADS][LINK_TILE];               // gf[r,h,i] of the tile's rows
  __shared__ float rowRead[LINK_HEADS][LINK_TILE];                  // x[r,i] of the tile's rows
  __shared__ double rowSums[LINK_ROW_BATCH][ROW_SUMS][LINK_TILE / WARP];  // warp sums of the rows

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
  int channels = readHeads + (update ? 2 : 0);

  const float* l = link + static_cast<size_t>(bh) * slots * slots;
  float* gl = gradLink + static_cast<size_t>(bh) * slots * slots;
  double wj = 0, pj = 0;
  if (update) {
    const float* w = writeWeights + static_cast<size_t>(bh) * slots;
    if (column) {
      wj = w[j];
      pj = prevPrecedence[static_cast<size_t>(bh) * slots + j];
    }
    for (int ii = threadIdx.x; ii < rows; ii += blockDim.x) {
      rowWrite[ii] = w[i0 + ii];
    }
  }

  int groups = readHeads == 0 ? 1 : (readHeads + LINK_HEADS - 1) / LINK_HEADS;
  for (int group = 0; group < groups; group++) {
    int g0 = group * LINK_HEADS;
    int heads = min(LINK_HEADS, readHeads - g0);
    // the link update's part comes after the last group's forward/backward part
    bool finish = update && group == groups - 1;
    double columnRead[LINK_HEADS];      // x[r,j]
    double columnBackward[LINK_HEADS];  // gb[r,h,j]
    double columnSum[LINK_HEADS];       // Σ_i L_t[i,j] gf[r,h,i]
#pragma unroll
    for (int r = 0; r < LINK_HEADS; r++) {
      bool on = r < heads && column;
      size_t x = (static_cast<size_t>(b) * readHeads + g0 + r) * slots;
      size_t f = ((static_cast<size_t>(b) * readHeads + g0 + r) * writeHeads + h) * slots;
      columnRead[r] = on ? readWeights[x + j] : 0.0;
      columnBackward[r] = on ? gradBackward[f + j] : 0.0;
      columnSum[r] = 0;
    }
    for (int q = threadIdx.x; q < LINK_HEADS * LINK_TILE; q += blockDim.x) {
      int r = q / LINK_TILE, ii = q % LINK_TILE;
      bool on = r < heads && ii < rows;
      size_t x = (static_cast<size_t>(b) * readHeads + g0 + r) * slots;
      size_t f = ((static_cast<size_t>(b) * readHeads + g0 + r) * writeHeads + h) * slots;
      rowRead[r][ii] = on ? readWeights[x + i0 + ii] : 0.0f;
      rowForward[r][ii] = on ? gradForward[f + i0 + ii] : 0.0f;
    }
    __syncthreads();

    double columnWrite = 0, columnPrecedence = 0;  // −Σ_i G[i,j] L[i,j] and Σ_i G[i,j] w[i]
    for (int batch0 = 0; batch0 < rows; batch0 += LINK_ROW_BATCH) {
      int batchRows = min(LINK_ROW_BATCH, rows - batch0);
      for (int ii = batch0; ii < batch0 + batchRows; ii++) {
        int i = i0 + ii;
        double wi = update ? rowWrite[ii] : 0.0;
        float l0 = 0.0f, lt = 0.0f, g = 0.0f;
        if (column) {
          l0 = l[static_cast<size_t>(i) * slots + j];
          lt = l0;
          if (update) {
            // L_t as the forward computes it
            lt = i == j ? 0.0f : static_cast<float>(fmax(0.0, 1 - wi - wj) * static_cast<double>(l0) + wi * pj);
          }
          g = gl[static_cast<size_t>(i) * slots + j];
        }
        double v = lt;
        double outer = 0;
#pragma unroll
        for (int r = 0; r < LINK_HEADS; r++) {
          if (r < heads) {
            double gf = rowForward[r][ii];
            outer += gf * columnRead[r] + columnBackward[r] * static_cast<double>(rowRead[r][ii]);
            columnSum[r] += v * gf;
            double rowPart = warpSum(v * columnBackward[r]);
            if (lane() == 0) {
              rowSums[ii - batch0][r][warpId()] = rowPart;
            }
          }
        }
        if (heads > 0) {
          // what forwardBackwardBackward leaves in gradLink
          g += static_cast<float>(outer);
        }
        double rowTerm = 0;  // G[i,j] (p[j] − L[i,j])
        if (column) {
          float out = g;
          if (finish) {
            if (i == j) {
              // L_t[i,i] is the constant 0: no gradient flows through it, whatever G held
              out = 0.0f;
            } else {
              double gd = g;
              rowTerm = gd * (pj - static_cast<double>(l0));
              columnWrite -= gd * l0;
              columnPrecedence += gd * wi;
              out = static_cast<float>((1 - wi - wj) * gd);
            }
          }
          gl[static_cast<size_t>(i) * slots + j] = out;
        }
        if (finish) {
          double rowPart = warpSum(rowTerm);
          if (lane() == 0) {
            rowSums[ii - batch0][LINK_HEADS][warpId()] = rowPart;
          }
        }
      }
      __syncthreads();
      // the batch's row partials: warp sums added in warp order
      for (int q = threadIdx.x; q < LINK_ROW_BATCH * ROW_SUMS; q += blockDim.x) {
        int rr = q / ROW_SUMS, r = q % ROW_SUMS;
        bool on = r < LINK_HEADS ? r < heads : finish;
        if (rr < batchRows && on) {
          double total = 0;
          for (int wp = 0; wp < LINK_TILE / WARP; wp++) {
            total += rowSums[rr][r][wp];
          }
          int channel = r < LINK_HEADS ? g0 + r : readHeads;
          int i = i0 + batch0 + rr;
          rowPartials[partialIndex(b, h, columnTile, channel, i, writeHeads, tiles, channels, slots)] = total;
        }
      }
      __syncthreads();
    }
    if (column) {
#pragma unroll
      for (int r = 0; r < LINK_HEADS; r++) {
        if (r < heads) {
          columnPartials[partialIndex(b, h, rowTile, g0 + r, j, writeHeads, tiles, channels, slots)] = columnSum[r];
        }
      }
      if (finish) {
        columnPartials[partialIndex(b, h, rowTile, readHeads, j, writeHeads, tiles, channels, slots)] = columnWrite;
        columnPartials[partialIndex(b, h, rowTile, readHeads + 1, j, writeHeads, tiles, channels, slots)] =
            columnPrecedence;
      }
    }
  }
}

// The gradients from link_backward_tiles' partials, each a double sum in a fixed order (write head, tile; column
// partial, then row partial) rounded once and added: gradReadWeights [B,R,N] (when readHeads > 0), then with
// update gradWriteWeights and gradPrevPrecedence [B,Wh,N]; elementwise grid-stride over all of them.
extern "C" __global__ void __launch_bounds__(dnc::BLOCK) link_backward_sums(
    const double* columnPartials, const double* rowPartials, float* gradReadWeights, float* gradWriteWeights,
    float* gradPrevPrecedence, int batch, int readHeads, int writeHeads, int slots, int update) {
  using namespace dnc;
  int tiles = (slots + LINK_TILE - 1) / LINK_TILE;
  int channels = readHeads + (update ? 2 : 0);
  size_t stride = static_cast<size_t>(channels) * slots;  // from one tile's partial to the next one's
  long long reads = static_cast<long long>(batch) * readHeads * slots;
  long long heads = update ? static_cast<long long>(batch) * writeHeads * slots : 0;
  long long total = reads + 2 * heads;
  for (long long e = globalThread(); e < total; e += globalStride()) {
    int s = static_cast<int>(e % slots);
    if (e < reads) {
      long long rest = e / slots;
      int r = static_cast<int>(rest % readHeads);
      int b = static_cast<int>(rest / readHeads);
      double sum = 0;
      for (int h = 0; h < writeHeads; h++) {
        size_t at = partialIndex(b, h, 0, r, s, writeHeads, tiles, channels, slots);
        for (int t = 0; t < tiles; t++) {
          sum += columnPartials[at + t * stride];
          sum += rowPartials[at + t * stride];
        }
      }
      gradReadWeights[e] += static_cast<float>(sum);
    } else {
      long long k = e - reads;
      bool precedence = k >= heads;
      if (precedence) {
        k -= heads;
      }
      long long bh = k / slots;
      int h = static_cast<int>(bh % writeHeads);
      int b = static_cast<int>(bh / writeHeads);
      size_t at = partialIndex(b, h, 0, readHeads + (precedence ? 1 : 0), s, writeHeads, tiles, channels, slots);
      double sum = 0;
      for (int t = 0; t < tiles; t++) {
        sum += columnPartials[at + t * stride];
        if (!precedence) {
          sum += rowPartials[at + t * stride];
        }
      }
      (precedence ? gradPrevPrecedence : gradWriteWeights)[k] += static_cast<float>(sum);
    }
  }
}
