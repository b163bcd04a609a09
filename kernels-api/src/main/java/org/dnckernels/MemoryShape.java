package org.dnckernels;

/**
 * The sizes of a DNC memory. Every size is at least 1.
 *
 * @param batch      B, independent memories processed by one call
 * @param slots      N, memory locations (rows of M)
 * @param wordSize   W, floats per location
 * @param readHeads  R, read heads
 * @param writeHeads Wh, write heads
 */
public record MemoryShape(int batch, int slots, int wordSize, int readHeads, int writeHeads) {
  /**
   * Checks the sizes.
   *
   * @throws IllegalArgumentException naming the first size below 1
   */
  public MemoryShape {
    positive("batch", batch);
    positive("slots", slots);
    positive("wordSize", wordSize);
    positive("readHeads", readHeads);
    positive("writeHeads", writeHeads);
  }

  /**
   * Number of read modes per read head: backward per write head, content, forward per write head.
   *
   * @return {@code 2·Wh + 1}
   */
  public int readModes() {
    return 2 * writeHeads + 1;
  }

  /**
   * Length of one raw interface vector ξ̂ for one write head.
   *
   * @return {@code W·R + 3W + 5R + 3}
   * @throws IllegalStateException if {@code writeHeads != 1} (the seed's layout has one write head)
   */
  public int interfaceSize() {
    if (writeHeads != 1) {
      throw new IllegalStateException("the raw interface layout is defined for one write head, not " + writeHeads);
    }
    return wordSize * readHeads + 3 * wordSize + 5 * readHeads + 3;
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + ": must be >= 1 but was " + v);
    }
  }
}
