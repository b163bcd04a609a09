package org.dnckernels.scalar;

import org.dnckernels.HostKernels;
import org.dnckernels.KernelMath;

/**
 * The scalar reference backend: plain loops, every reduction accumulated in double and rounded once to float,
 * deterministic. Other backends are checked against it.
 *
 * <p>Each kernel family's math lives in one class ({@code ContentAddressing}, {@code MemoryWrite},
 * {@code MemoryRead}, {@code Usage}, {@code Allocation}, {@code WriteWeighting}, {@code TemporalLinkage},
 * {@code ReadModes}, {@code NtmAddressing}, {@code InterfaceSplit}), each implementing its {@link KernelMath}
 * family; this class only names the backend and hands them to the facade. Thread-safe for
 * concurrent calls on different outputs (scratch is per thread); allocates nothing per call in steady state.
 */
public final class ScalarKernels extends HostKernels {
  /** The backend's name. */
  public static final String NAME = "scalar";

  /** A new scalar backend; {@link #load(String) load("scalar")} also gives one. */
  public ScalarKernels() {
    super(new KernelMath.Table(new ContentAddressing(), new MemoryWrite(), new MemoryRead(), new Usage(),
        new Allocation(), new WriteWeighting(), new TemporalLinkage(), new ReadModes(), new NtmAddressing(),
        new InterfaceSplit()), backwardTable());
  }

  /**
   * The scalar backwards, one per family. Public for backends that share host tensors and keep a family's
   * backward on the reference (the table says which).
   *
   * @return a new table of the scalar backward classes
   */
  public static KernelMath.BackwardTable backwardTable() {
    return new KernelMath.BackwardTable(new ContentAddressingBackward(), new MemoryWriteBackward(), new MemoryReadBackward(), new UsageBackward(), new AllocationBackward(), new WriteWeightingBackward(), new TemporalLinkageBackward(), new ReadModesBackward(), new NtmAddressingBackward(), new InterfaceSplitBackward());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "reference, double accumulation";
  }

  // the fused link pass and the memory step: the api's composition of the kernels (KernelMath, DncKernels)
}
