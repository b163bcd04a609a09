package org.dnckernels;

/**
 * The activated interface values that drive one memory step (the processed ξ of the DNC paper). A null part is
 * an {@link IllegalArgumentException} naming it.
 *
 * @param readKeys         k^r [B,R,W]
 * @param readStrengths    β^r [B,R], already ≥ 1 (oneplus applied)
 * @param writeKeys        k^w [B,Wh,W]
 * @param writeStrengths   β^w [B,Wh], already ≥ 1
 * @param eraseVectors     e [B,Wh,W], in [0,1]
 * @param writeVectors     v [B,Wh,W]
 * @param freeGates        f [B,R], in [0,1]
 * @param allocationGates  g^a [B,Wh], in [0,1]
 * @param writeGates       g^w [B,Wh], in [0,1]
 * @param readModes        π [B,R,2Wh+1], each row sums to 1, ordered [backward_1..Wh, content, forward_1..Wh]
 */
public record InterfaceValues(
    Tensor readKeys,
    Tensor readStrengths,
    Tensor writeKeys,
    Tensor writeStrengths,
    Tensor eraseVectors,
    Tensor writeVectors,
    Tensor freeGates,
    Tensor allocationGates,
    Tensor writeGates,
    Tensor readModes)
    implements AutoCloseable {

  /** Every part must be a tensor; shapes are checked where a kernel uses the values. */
  public InterfaceValues {
    Checks.notNull("readKeys", readKeys);
    Checks.notNull("readStrengths", readStrengths);
    Checks.notNull("writeKeys", writeKeys);
    Checks.notNull("writeStrengths", writeStrengths);
    Checks.notNull("eraseVectors", eraseVectors);
    Checks.notNull("writeVectors", writeVectors);
    Checks.notNull("freeGates", freeGates);
    Checks.notNull("allocationGates", allocationGates);
    Checks.notNull("writeGates", writeGates);
    Checks.notNull("readModes", readModes);
  }

  @Override
  public void close() {
    readKeys.close();
    readStrengths.close();
    writeKeys.close();
    writeStrengths.close();
    eraseVectors.close();
    writeVectors.close();
    freeGates.close();
    allocationGates.close();
    writeGates.close();
    readModes.close();
  }
}
