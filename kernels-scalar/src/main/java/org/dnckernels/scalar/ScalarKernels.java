package org.dnckernels.scalar;

import org.dnckernels.HostKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.Tensor;

/**
 * The scalar reference backend: plain loops, every reduction accumulated in double and rounded once to float,
 * deterministic. Other backends are checked against it.
 *
 * <p>Each kernel family's math lives in one class ({@code ContentAddressing}, {@code MemoryWrite},
 * {@code MemoryRead}, {@code Usage}, {@code Allocation}, {@code WriteWeighting}, {@code TemporalLinkage},
 * {@code ReadModes}, {@code NtmAddressing}, {@code InterfaceSplit}); this class only delegates. Thread-safe for
 * concurrent calls on different outputs (scratch is per thread); allocates nothing per call in steady state.
 */
public final class ScalarKernels extends HostKernels {
  /** The backend's name. */
  public static final String NAME = "scalar";

  /** A new scalar backend; {@link #load(String) load("scalar")} also gives one. */
  public ScalarKernels() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "reference, double accumulation";
  }

  @Override
  protected void contentWeightsImpl(Tensor memory, Tensor keys, Tensor strengths, Tensor out) {
    ContentAddressing.weights(memory, keys, strengths, out);
  }

  @Override
  protected void eraseAndAddImpl(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add) {
    MemoryWrite.eraseAndAdd(memory, writeWeights, erase, add);
  }

  @Override
  protected void readImpl(Tensor memory, Tensor readWeights, Tensor out) {
    MemoryRead.read(memory, readWeights, out);
  }

  @Override
  protected void usageImpl(
      Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out) {
    Usage.update(prevUsage, prevWriteWeights, freeGates, prevReadWeights, out);
  }

  @Override
  protected void allocationImpl(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out) {
    Allocation.weights(usage, writeGates, allocationGates, out);
  }

  @Override
  protected void writeWeightsImpl(
      Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out) {
    WriteWeighting.weights(allocation, content, writeGates, allocationGates, out);
  }

  @Override
  protected void precedenceImpl(Tensor precedence, Tensor writeWeights) {
    TemporalLinkage.precedence(precedence, writeWeights);
  }

  @Override
  protected void linkUpdateImpl(Tensor link, Tensor prevPrecedence, Tensor writeWeights) {
    TemporalLinkage.linkUpdate(link, prevPrecedence, writeWeights);
  }

  @Override
  protected void forwardBackwardImpl(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward) {
    TemporalLinkage.forwardBackward(link, prevReadWeights, forward, backward);
  }

  // linkUpdateAndWeightingsImpl and memoryStepImpl: the default composition of the kernels above

  @Override
  protected void readModeMixImpl(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out) {
    ReadModes.mix(modes, backward, content, forward, out);
  }

  @Override
  protected void ntmInterpolateImpl(Tensor content, Tensor previous, Tensor gate, Tensor out) {
    NtmAddressing.interpolate(content, previous, gate, out);
  }

  @Override
  protected void ntmShiftImpl(Tensor weights, Tensor shift, Tensor out) {
    NtmAddressing.shift(weights, shift, out);
  }

  @Override
  protected void ntmSharpenImpl(Tensor weights, Tensor gamma, Tensor out) {
    NtmAddressing.sharpen(weights, gamma, out);
  }

  @Override
  protected void interfaceSplitImpl(Tensor raw, InterfaceValues out) {
    InterfaceSplit.split(raw, out);
  }
}
