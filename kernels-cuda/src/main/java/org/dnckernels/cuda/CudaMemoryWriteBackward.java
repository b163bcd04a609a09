package org.dnckernels.cuda;

import static org.dnckernels.cuda.CudaContext.at;
import static org.dnckernels.cuda.Kernel.ERASE_ADD_BACKWARD_COLUMNS;
import static org.dnckernels.cuda.Kernel.ERASE_ADD_BACKWARD_ROWS;

import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * The backward of erase/add on the device: {@code erase_add_backward_columns} (the erase and add gradients, a block
 * per (batch entry, write head, 32 words)), then {@code erase_add_backward_rows} (the write-weight gradients and the
 * in-place memory gradient, a warp per memory row). The second overwrites the memory gradient that the first reads,
 * so the stream's order is the one that matters.
 */
final class CudaMemoryWriteBackward implements KernelMath.MemoryWriteBackward {
  private final CudaContext context;

  CudaMemoryWriteBackward(CudaContext context) {
    this.context = context;
  }

  @Override
  public void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add,
      Tensor gradMemory, Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1) {
    int b = b1 - b0, n = prevMemory.dim(1), w = prevMemory.dim(2), wh = writeWeights.dim(1);
    int wordTiles = (w + 31) / 32;
    if (b1 <= b0) {
      return;  // an empty range launches nothing (a grid of 0 blocks is an error)
    }
    try (CudaStream s = context.stream.enter()) {
      s.launch(ERASE_ADD_BACKWARD_COLUMNS, Math.toIntExact((long) b * wh * wordTiles), 0, at(prevMemory, b0),
          at(writeWeights, b0), at(erase, b0), at(gradMemory, b0), at(gradErase, b0), at(gradAdd, b0), n, w, wh);
      // a warp per row
      s.launch(ERASE_ADD_BACKWARD_ROWS, context.spread(32L * b * n), 0, at(prevMemory, b0), at(writeWeights, b0),
          at(erase, b0), at(add, b0), at(gradMemory, b0), at(gradWriteWeights, b0), b, n, w, wh);
    }
  }
}
