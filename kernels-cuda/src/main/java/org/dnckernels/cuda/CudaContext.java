package org.dnckernels.cuda;

import org.dnckernels.Tensor;

/**
 * What the CUDA kernel families share: the backend instance's stream (its lock and scratch) and the device, plus
 * the launch helpers (addresses of batch ranges, grid sizes, scratch layouts). One per {@link CudaKernels}; every
 * family of that instance launches through it, so they all serialise on the same stream.
 */
final class CudaContext {
  final CudaStream stream;
  final Gpu gpu;

  CudaContext(Gpu gpu) {
    this.gpu = gpu;
    this.stream = new CudaStream(gpu);
  }

  /** The device address of batch entry {@code b0} of {@code t} (batch first, contiguous); call inside enter(). */
  static long at(Tensor t, int b0) {
    return ((CudaTensor) t).address() + 4L * b0 * perEntry(t);
  }

  /** Elements of {@code t} in batch entries [b0, b1): {@code t.size()} for the whole batch. */
  static long elements(Tensor t, int b0, int b1) {
    return (long) (b1 - b0) * perEntry(t);
  }

  private static long perEntry(Tensor t) {
    return t.size() / t.dim(0);
  }

  /** Blocks for a grid-stride loop over {@code elements}: enough to fill the device, no more. */
  int spread(long elements) {
    long blocks = (elements + Kernel.BLOCK - 1) / Kernel.BLOCK;
    return (int) Math.max(1, Math.min(blocks, 8L * gpu.multiprocessors()));
  }

  /** Link tiles per matrix side. */
  static int linkTiles(int slots) {
    return (slots + Kernel.LINK_TILE - 1) / Kernel.LINK_TILE;
  }

  /** Blocks of a {@code link_tiles} launch: one per tile of every link matrix. */
  static int linkGrid(int batch, int writeHeads, int slots) {
    long tiles = linkTiles(slots);
    return Math.toIntExact((long) batch * writeHeads * tiles * tiles);
  }

  /**
   * Forward and backward partial sums, [batch, Wh, tiles, R, N] doubles each, indexed from the range's first entry.
   * The stream's scratch: the same sizes give the same two buffers until a larger request grows them, so a later
   * launch on the same stream (under the same lock) reads what {@code link_tiles} wrote.
   */
  static long[] linkPartials(CudaStream s, int batch, int writeHeads, int readHeads, int slots) {
    long bytes = 8L * batch * writeHeads * linkTiles(slots) * readHeads * slots;
    return new long[] {
      s.scratch(CudaStream.Scratch.FORWARD_PARTIALS, bytes), s.scratch(CudaStream.Scratch.BACKWARD_PARTIALS, bytes)
    };
  }

  /** Keys, indices and usage copies of the allocation sort in global memory, or zeros when it fits in shared. */
  static long[] sortScratch(CudaStream s, AllocationPlan plan) {
    if (!plan.global()) {
      return new long[3];
    }
    return new long[] {
      s.scratch(CudaStream.Scratch.SORT_KEYS, plan.keyBytes()),
      s.scratch(CudaStream.Scratch.SORT_INDICES, plan.indexBytes()),
      s.scratch(CudaStream.Scratch.SORT_USAGE, plan.usedBytes())
    };
  }
}
