package org.dnckernels;

/**
 * Scratch tensors for one {@link DncKernels#memoryStepBackward} of a given {@link MemoryShape}: the gradients of
 * the step's intermediate weightings. Made once by {@link DncKernels#newBackwardWorkspace} and reused every step,
 * so the backward allocates nothing. Its contents between calls mean nothing. Not safe for concurrent steps; use
 * one per thread.
 */
public final class BackwardWorkspace implements AutoCloseable {
  private final MemoryShape shape;
  /** ∂ℓ/∂a, the allocation weightings [B,Wh,N]. */
  final Tensor allocation;
  /** ∂ℓ/∂c^w, the write content weightings [B,Wh,N]. */
  final Tensor writeContent;
  /** ∂ℓ/∂c^r, the read content weightings [B,R,N]. */
  final Tensor readContent;
  /** ∂ℓ/∂f, the forward weightings [B,R,Wh,N]. */
  final Tensor forward;
  /** ∂ℓ/∂b, the backward weightings [B,R,Wh,N]. */
  final Tensor backward;

  BackwardWorkspace(DncKernels kernels, MemoryShape s) {
    this.shape = s;
    int b = s.batch(), n = s.slots(), r = s.readHeads(), wh = s.writeHeads();
    this.allocation = kernels.allocate(b, wh, n);
    this.writeContent = kernels.allocate(b, wh, n);
    this.readContent = kernels.allocate(b, r, n);
    this.forward = kernels.allocate(b, r, wh, n);
    this.backward = kernels.allocate(b, r, wh, n);
  }

  public MemoryShape shape() {
    return shape;
  }

  /** The tensors, for backends and the argument checks: allocation, writeContent, readContent, forward, backward. */
  public Tensor allocation() {
    return allocation;
  }

  public Tensor writeContent() {
    return writeContent;
  }

  public Tensor readContent() {
    return readContent;
  }

  public Tensor forward() {
    return forward;
  }

  public Tensor backward() {
    return backward;
  }

  @Override
  public void close() {
    allocation.close();
    writeContent.close();
    readContent.close();
    forward.close();
    backward.close();
  }
}
