package org.dnckernels;

/**
 * Scratch tensors for one {@link DncKernels#memoryStep} of a given {@link MemoryShape}, made once by
 * {@link DncKernels#newWorkspace} and reused every step so that the hot path allocates nothing. A workspace is
 * not safe for concurrent steps; use one per thread.
 */
public class Workspace implements AutoCloseable {
  private final MemoryShape shape;
  /** allocation weightings a [B,Wh,N]. */
  protected final Tensor allocation;
  /** write content weightings c^w [B,Wh,N]. */
  protected final Tensor writeContent;
  /** read content weightings c^r [B,R,N]. */
  protected final Tensor readContent;
  /** forward weightings f [B,R,Wh,N]. */
  protected final Tensor forward;
  /** backward weightings b [B,R,Wh,N]. */
  protected final Tensor backward;

  /**
   * Allocates the scratch tensors on {@code kernels}; users get one from {@link DncKernels#newWorkspace}.
   *
   * @param kernels the backend that owns the tensors
   * @param s       the shape of the steps it serves
   */
  protected Workspace(DncKernels kernels, MemoryShape s) {
    this.shape = s;
    int b = s.batch(), n = s.slots(), r = s.readHeads(), wh = s.writeHeads();
    this.allocation = kernels.allocate(b, wh, n);
    this.writeContent = kernels.allocate(b, wh, n);
    this.readContent = kernels.allocate(b, r, n);
    this.forward = kernels.allocate(b, r, wh, n);
    this.backward = kernels.allocate(b, r, wh, n);
  }

  /**
   * The shape this workspace was made for.
   *
   * @return the memory shape
   */
  public MemoryShape shape() {
    return shape;
  }

  /**
   * The last step's allocation weightings, kept for {@link DncKernels#memoryStepBackward}.
   *
   * @return a [B,Wh,N]
   */
  public Tensor allocation() {
    return allocation;
  }

  /**
   * The last step's write content weightings, kept for {@link DncKernels#memoryStepBackward}.
   *
   * @return c^w [B,Wh,N]
   */
  public Tensor writeContent() {
    return writeContent;
  }

  /**
   * The last step's read content weightings, kept for {@link DncKernels#memoryStepBackward}.
   *
   * @return c^r [B,R,N]
   */
  public Tensor readContent() {
    return readContent;
  }

  /**
   * The last step's forward weightings, kept for {@link DncKernels#memoryStepBackward}.
   *
   * @return f [B,R,Wh,N]
   */
  public Tensor forward() {
    return forward;
  }

  /**
   * The last step's backward weightings, kept for {@link DncKernels#memoryStepBackward}.
   *
   * @return b [B,R,Wh,N]
   */
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
