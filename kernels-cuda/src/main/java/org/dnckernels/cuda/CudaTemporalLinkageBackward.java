package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.LINK_BACKWARD_SUMS;
import static org.dnckernels.cuda.Kernel.LINK_BACKWARD_TILES;
import static org.dnckernels.cuda.Kernel.PRECEDENCE_BACKWARD;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The temporal linkage backwards on the device. {@code precedence_backward} is one launch, a block per (batch
 * entry, write head). The three link backwards are {@code link_backward_tiles}, one pass over every 256×256 tile
 * of L (the fused one reads L_{t−1}, rebuilds L_t on the fly and reads and writes gradLink once), leaving row and
 * column partial sums per tile in the stream's scratch, and {@code link_backward_sums}, which adds them in tile
 * order into the accumulated gradients: two launches each.
 */
final class CudaTemporalLinkageBackward implements KernelMath.TemporalLinkageBackward {
  private final CudaContext context;

  CudaTemporalLinkageBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
      Tensor gradWriteWeights, int b0, int b1) {
    int rows = (b1 - b0) * prevPrecedence.dim(1), n = prevPrecedence.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(PRECEDENCE_BACKWARD, rows, 0, at(prevPrecedence, b0), at(writeWeights, b0), at(gradPrecedence, b0),
          at(gradWriteWeights, b0), n);
    }
  }

  @Override
  public void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights, Tensor gradLink,
      Tensor gradPrevPrecedence, Tensor gradWriteWeights, int b0, int b1) {
    try (CudaStream s = context.stream.enter()) {
      linkPass(s, prevLink, at(prevPrecedence, b0), at(writeWeights, b0), null, 0L, 0L, gradLink,
          at(gradPrevPrecedence, b0), at(gradWriteWeights, b0), 0L, b0, b1);
    }
  }

  @Override
  public void forwardBackwardBackward(Tensor link, Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward,
      Tensor gradLink, Tensor gradPrevReadWeights, int b0, int b1) {
    try (CudaStream s = context.stream.enter()) {
      linkPass(s, link, 0L, 0L, prevReadWeights, at(gradForward, b0), at(gradBackward, b0), gradLink, 0L, 0L,
          at(gradPrevReadWeights, b0), b0, b1);
    }
  }

  @Override
  public void linkUpdateAndWeightingsBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
      Tensor gradWriteWeights, Tensor gradPrevReadWeights, int b0, int b1) {
    try (CudaStream s = context.stream.enter()) {
      linkPass(s, prevLink, at(prevPrecedence, b0), at(writeWeights, b0), prevReadWeights, at(gradForward, b0),
          at(gradBackward, b0), gradLink, at(gradPrevPrecedence, b0), at(gradWriteWeights, b0),
          at(gradPrevReadWeights, b0), b0, b1);
    }
  }

  /**
   * One pass over every link tile, then the partials summed: the link update's backward when {@code prevPrecedence}
   * is given (not 0; {@code link} is then L_{t−1}), the forward/backward weightings' when {@code prevReadWeights}
   * is (not null), both when both.
   */
  private void linkPass(CudaStream s, Tensor link, long prevPrecedence, long writeWeights, Tensor prevReadWeights,
      long gradForward, long gradBackward, Tensor gradLink, long gradPrevPrecedence, long gradWriteWeights,
      long gradPrevReadWeights, int b0, int b1) {
    int b = b1 - b0, wh = link.dim(1), n = link.dim(2);
    int r = prevReadWeights == null ? 0 : prevReadWeights.dim(1);
    boolean update = prevPrecedence != 0L;
    // partial channels per tile: the read heads, then gradW and gradP with the update
    int channels = r + (update ? 2 : 0);
    long bytes = 8L * b * wh * CudaContext.linkTiles(n) * channels * n;
    long columns = s.scratch(CudaStream.Scratch.FORWARD_PARTIALS, bytes);
    long rows = s.scratch(CudaStream.Scratch.BACKWARD_PARTIALS, bytes);
    long reads = prevReadWeights == null ? 0L : at(prevReadWeights, b0);
    s.launch(LINK_BACKWARD_TILES, CudaContext.linkGrid(b, wh, n), 0, at(link, b0), prevPrecedence, writeWeights,
        reads, gradForward, gradBackward, at(gradLink, b0), columns, rows, n, wh, r, update ? 1 : 0);
    long sums = (long) b * r * n + (update ? 2L * b * wh * n : 0L);
    s.launch(LINK_BACKWARD_SUMS, context.spread(sums), 0, columns, rows, gradPrevReadWeights, gradWriteWeights,
        gradPrevPrecedence, b, r, wh, n, update ? 1 : 0);
  }
}
