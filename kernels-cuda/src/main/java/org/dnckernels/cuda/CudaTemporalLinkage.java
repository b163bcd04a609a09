package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.CudaContext.elements;
import static org.dnckernels.cuda.Kernel.LINK_TILES;
import static org.dnckernels.cuda.Kernel.LINK_WEIGHTINGS;
import static org.dnckernels.cuda.Kernel.PRECEDENCE_UPDATE;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The temporal link on the device. {@code link_tiles} is one pass over every 256×256 tile of L, updating it or
 * not and, with read heads, leaving forward/backward partial sums per tile in the stream's scratch;
 * {@code link_weightings} adds those partials in tile order. So {@link #linkUpdate} is one launch, and
 * {@link #forwardBackward} and the fused {@link #linkUpdateAndWeightings} are two.
 */
final class CudaTemporalLinkage implements KernelMath.TemporalLinkage {
  private final CudaContext context;

  CudaTemporalLinkage(CudaContext context) {
    this.context = context;
  }

  @Override
  public void precedence(Tensor precedence, Tensor writeWeights, int b0, int b1) {
    int rows = (b1 - b0) * precedence.dim(1), n = precedence.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(PRECEDENCE_UPDATE, rows, 0, at(precedence, b0), at(writeWeights, b0), n);
    }
  }

  @Override
  public void linkUpdate(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int b0, int b1) {
    int b = b1 - b0, wh = link.dim(1), n = link.dim(2);
    try (CudaStream s = context.stream.enter()) {
      s.launch(LINK_TILES, CudaContext.linkGrid(b, wh, n), 0, at(link, b0), at(prevPrecedence, b0),
          at(writeWeights, b0), 0L, 0L, 0L, n, wh, 0, 1);
    }
  }

  @Override
  public void forwardBackward(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
    try (CudaStream s = context.stream.enter()) {
      linkAndWeightings(s, link, 0L, 0L, prevReadWeights, forward, backward, false, b0, b1);
    }
  }

  @Override
  public void linkUpdateAndWeightings(Tensor link, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
    try (CudaStream s = context.stream.enter()) {
      linkAndWeightings(s, link, at(prevPrecedence, b0), at(writeWeights, b0), prevReadWeights, forward, backward,
          true, b0, b1);
    }
  }

  // one pass over every link tile (updating it or not), then the tile partials summed: two launches
  private void linkAndWeightings(CudaStream s, Tensor link, long prevPrecedence, long writeWeights,
      Tensor prevReadWeights, Tensor forward, Tensor backward, boolean update, int b0, int b1) {
    int b = b1 - b0, wh = link.dim(1), n = link.dim(2), r = prevReadWeights.dim(1);
    long[] partials = CudaContext.linkPartials(s, b, wh, r, n);
    s.launch(LINK_TILES, CudaContext.linkGrid(b, wh, n), 0, at(link, b0), prevPrecedence, writeWeights,
        at(prevReadWeights, b0), partials[0], partials[1], n, wh, r, update ? 1 : 0);
    s.launch(LINK_WEIGHTINGS, context.spread(elements(forward, b0, b1)), 0, partials[0], partials[1],
        at(forward, b0), at(backward, b0), b, r, wh, n);
  }
}
