package org.dnckernels;

/**
 * The recurrent state of a DNC memory, updated in place by {@link DncKernels#memoryStep}. A null part is an
 * {@link IllegalArgumentException} naming it.
 *
 * @param memory       M [B,N,W]
 * @param usage        u [B,N]
 * @param link         L [B,Wh,N,N]
 * @param precedence   p [B,Wh,N]
 * @param readWeights  w^r [B,R,N] (the last step's read weightings)
 * @param writeWeights w^w [B,Wh,N] (the last step's write weightings)
 */
public record MemoryState(
    Tensor memory, Tensor usage, Tensor link, Tensor precedence, Tensor readWeights, Tensor writeWeights)
    implements AutoCloseable {

  /** Every part must be a tensor; shapes are checked where a kernel uses the state. */
  public MemoryState {
    Checks.notNull("memory", memory);
    Checks.notNull("usage", usage);
    Checks.notNull("link", link);
    Checks.notNull("precedence", precedence);
    Checks.notNull("readWeights", readWeights);
    Checks.notNull("writeWeights", writeWeights);
  }

  /**
   * The sizes implied by the tensors' shapes (checked fully when a kernel uses the state).
   *
   * @return B, N, W from the memory, R from the read weights, Wh from the link
   * @throws IllegalArgumentException if the memory, link or read weights have the wrong rank
   */
  public MemoryShape shape() {
    Checks.rank("state.memory", memory, 3);
    Checks.rank("state.link", link, 4);
    Checks.rank("state.readWeights", readWeights, 3);
    return new MemoryShape(memory.dim(0), memory.dim(1), memory.dim(2), readWeights.dim(1), link.dim(1));
  }

  /** Sets every tensor to zero: the state of a fresh DNC. */
  public void clear() {
    memory.fill(0f);
    usage.fill(0f);
    link.fill(0f);
    precedence.fill(0f);
    readWeights.fill(0f);
    writeWeights.fill(0f);
  }

  @Override
  public void close() {
    memory.close();
    usage.close();
    link.close();
    precedence.close();
    readWeights.close();
    writeWeights.close();
  }
}
