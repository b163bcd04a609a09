package org.dnckernels;

/**
 * Scratch tensors for one {@link DncKernels#memoryStepBackward} of a given {@link MemoryShape}: the gradients of
 * the step's intermediate weightings, which have the shapes of the step's {@link Workspace} (allocation, write
 * content, read content, forward, backward). Made once by {@link DncKernels#newBackwardWorkspace} and reused
 * every step, so the backward allocates nothing. Its contents between calls mean nothing. Not safe for concurrent
 * steps; use one per thread.
 */
public final class BackwardWorkspace implements AutoCloseable {
  // the gradients, one per intermediate of the forward's workspace, in its shapes
  private final Workspace gradients;
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
    this.gradients = new Workspace(kernels, s);
    this.allocation = gradients.allocation();
    this.writeContent = gradients.writeContent();
    this.readContent = gradients.readContent();
    this.forward = gradients.forward();
    this.backward = gradients.backward();
  }

  /**
   * The shape this workspace was made for.
   *
   * @return the memory shape
   */
  public MemoryShape shape() {
    return gradients.shape();
  }

  // the gradients' tensors, in the forward workspace's order and shapes (for backends and argument checks)

  /**
   * Scratch for ∂ℓ/∂a.
   *
   * @return the allocation weightings' gradient [B,Wh,N]
   */
  public Tensor allocation() {
    return allocation;
  }

  /**
   * Scratch for ∂ℓ/∂c^w.
   *
   * @return the write content weightings' gradient [B,Wh,N]
   */
  public Tensor writeContent() {
    return writeContent;
  }

  /**
   * Scratch for ∂ℓ/∂c^r.
   *
   * @return the read content weightings' gradient [B,R,N]
   */
  public Tensor readContent() {
    return readContent;
  }

  /**
   * Scratch for ∂ℓ/∂f.
   *
   * @return the forward weightings' gradient [B,R,Wh,N]
   */
  public Tensor forward() {
    return forward;
  }

  /**
   * Scratch for ∂ℓ/∂b.
   *
   * @return the backward weightings' gradient [B,R,Wh,N]
   */
  public Tensor backward() {
    return backward;
  }

  @Override
  public void close() {
    gradients.close();
  }
}
