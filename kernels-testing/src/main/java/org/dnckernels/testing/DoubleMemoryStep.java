package org.dnckernels.testing;

import org.dnckernels.MemoryShape;

/**
 * The memory step in double precision, for finite differences over several steps: the families' double forwards
 * ({@link DoubleAllocation}, {@link DoubleContentAddressing}, {@link DoubleMemoryAccess},
 * {@link DoubleTemporalLinkage}) in DeepMind's order, the same order as {@code DncKernels.memoryStep}.
 */
public final class DoubleMemoryStep {
  private DoubleMemoryStep() {}

  /**
   * One step from {@code state} (memory, usage, link, precedence, read weights, write weights: MemoryState's
   * order) with {@code in} (InterfaceValues' order). Returns the new state's six arrays followed by the read
   * vectors; the inputs are not modified.
   */
  public static double[][] step(double[][] state, double[][] in, MemoryShape s) {
    int b = s.batch(), n = s.slots(), w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    double[] usage = DoubleAllocation.usage(state[1], state[5], in[6], state[4], b, n, wh, r);
    double[] allocation = DoubleAllocation.allocation(usage, in[8], in[7], b, n, wh);
    double[] writeContent = DoubleContentAddressing.contentWeights(state[0], in[2], in[3], b, n, w, wh);
    double[] writeWeights = DoubleMemoryAccess.writeWeights(allocation, writeContent, in[8], in[7], b, wh, n);
    double[] memory = DoubleMemoryAccess.eraseAndAdd(state[0], writeWeights, in[4], in[5], b, n, w, wh);
    double[] link = DoubleTemporalLinkage.linkUpdate(state[2], state[3], writeWeights, b, wh, n);
    double[][] directional = DoubleTemporalLinkage.forwardBackward(link, state[4], b, wh, n, r);
    double[] precedence = DoubleTemporalLinkage.precedence(state[3], writeWeights, b, wh, n);
    double[] readContent = DoubleContentAddressing.contentWeights(memory, in[0], in[1], b, n, w, r);
    double[] readWeights =
        DoubleMemoryAccess.readModeMix(in[9], directional[1], readContent, directional[0], b, r, wh, n);
    double[] readVectors = DoubleMemoryAccess.read(memory, readWeights, b, n, w, r);
    return new double[][] {memory, usage, link, precedence, readWeights, writeWeights, readVectors};
  }
}
