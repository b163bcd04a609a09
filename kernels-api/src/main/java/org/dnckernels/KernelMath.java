package org.dnckernels;

/**
 * What a backend implements: the math of each kernel family over a range of batch entries. The facade
 * ({@link DncKernels}) checks every argument against its {@link KernelSpec} first, so an implementation may assume
 * shapes, ownership and the alias rules hold; it computes batch entries [b0, b1) and leaves the others untouched.
 * A backend may split a range over its own threads. One class per family per backend holds that family's math
 * (e.g. the scalar {@code NtmAddressing}, the SIMD {@code SimdNtmAddressing}); the backend passes one of each in a
 * {@link Table} to the {@link DncKernels} constructor.
 *
 * <p>The equations, shapes and alias rules are those of the facade method of the same name. This is an interface
 * for backend implementers, not for callers: call the facade.
 */
public final class KernelMath {
  private KernelMath() {}

  /** {@link DncKernels#contentWeights}. */
  public interface ContentAddressing {
    void contentWeights(Tensor memory, Tensor keys, Tensor strengths, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#eraseAndAdd}. */
  public interface MemoryWrite {
    void eraseAndAdd(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add, int b0, int b1);
  }

  /** {@link DncKernels#read}. */
  public interface MemoryRead {
    void read(Tensor memory, Tensor readWeights, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#usage}. */
  public interface Usage {
    void usage(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out, int b0,
        int b1);
  }

  /** {@link DncKernels#allocation}. */
  public interface Allocation {
    void allocation(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#writeWeights}. */
  public interface WriteWeighting {
    void writeWeights(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out, int b0,
        int b1);
  }

  /** {@link DncKernels#precedence}, {@link DncKernels#linkUpdate}, {@link DncKernels#forwardBackward} and the fused pass. */
  public interface TemporalLinkage {
    void precedence(Tensor precedence, Tensor writeWeights, int b0, int b1);

    void linkUpdate(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int b0, int b1);

    void forwardBackward(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1);

    /** Default: the two kernels one after the other. Backends override with one pass over L. */
    default void linkUpdateAndWeightings(Tensor link, Tensor prevPrecedence, Tensor writeWeights,
        Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
      linkUpdate(link, prevPrecedence, writeWeights, b0, b1);
      forwardBackward(link, prevReadWeights, forward, backward, b0, b1);
    }
  }

  /** {@link DncKernels#readModeMix}. */
  public interface ReadModes {
    void readModeMix(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#ntmInterpolate}, {@link DncKernels#ntmShift}, {@link DncKernels#ntmSharpen}. */
  public interface NtmAddressing {
    void ntmInterpolate(Tensor content, Tensor previous, Tensor gate, Tensor out, int b0, int b1);

    void ntmShift(Tensor weights, Tensor shift, Tensor out, int b0, int b1);

    void ntmSharpen(Tensor weights, Tensor gamma, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#interfaceSplit}. */
  public interface InterfaceSplit {
    void interfaceSplit(Tensor raw, InterfaceValues out, int b0, int b1);
  }

  // ---------------------------------------------------------------------------------------------------------
  // backward (vector-Jacobian products): equations, saved values and the accumulate rule are those of the
  // facade's *Backward methods

  /** {@link DncKernels#contentWeightsBackward}. */
  public interface ContentAddressingBackward {
    void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights, Tensor gradWeights,
        Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1);
  }

  /** {@link DncKernels#eraseAndAddBackward}. */
  public interface MemoryWriteBackward {
    void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add, Tensor gradMemory,
        Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1);
  }

  /** {@link DncKernels#readBackward}. */
  public interface MemoryReadBackward {
    void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory, Tensor gradReadWeights,
        int b0, int b1);
  }

  /** {@link DncKernels#usageBackward}. */
  public interface UsageBackward {
    void usageBackward(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights,
        Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights, Tensor gradFreeGates,
        Tensor gradPrevReadWeights, int b0, int b1);
  }

  /** {@link DncKernels#allocationBackward}. */
  public interface AllocationBackward {
    void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut, Tensor gradUsage,
        Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1);
  }

  /** {@link DncKernels#writeWeightsBackward}. */
  public interface WriteWeightingBackward {
    void writeWeightsBackward(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates,
        Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates, Tensor gradAllocationGates,
        int b0, int b1);
  }

  /** The backwards of {@link TemporalLinkage}'s kernels. */
  public interface TemporalLinkageBackward {
    void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
        Tensor gradWriteWeights, int b0, int b1);

    void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights, Tensor gradLink,
        Tensor gradPrevPrecedence, Tensor gradWriteWeights, int b0, int b1);

    void forwardBackwardBackward(Tensor link, Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward,
        Tensor gradLink, Tensor gradPrevReadWeights, int b0, int b1);

    /**
     * The backward of the fused link pass. No default: composing the two backwards needs L_t, which the fused
     * pass rebuilds from L_{t−1} on the fly, so every backend writes it as one pass over L.
     */
    void linkUpdateAndWeightingsBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights,
        Tensor prevReadWeights, Tensor gradForward, Tensor gradBackward, Tensor gradLink, Tensor gradPrevPrecedence,
        Tensor gradWriteWeights, Tensor gradPrevReadWeights, int b0, int b1);
  }

  /** {@link DncKernels#readModeMixBackward}. */
  public interface ReadModesBackward {
    void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor gradOut,
        Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0, int b1);
  }

  /** The backwards of {@link NtmAddressing}'s kernels. */
  public interface NtmAddressingBackward {
    void ntmInterpolateBackward(Tensor content, Tensor previous, Tensor gate, Tensor gradOut, Tensor gradContent,
        Tensor gradPrevious, Tensor gradGate, int b0, int b1);

    void ntmShiftBackward(Tensor weights, Tensor shift, Tensor gradOut, Tensor gradWeights, Tensor gradShift, int b0,
        int b1);

    void ntmSharpenBackward(Tensor weights, Tensor gamma, Tensor gradOut, Tensor gradWeights, Tensor gradGamma,
        int b0, int b1);
  }

  /** {@link DncKernels#interfaceSplitBackward}. */
  public interface InterfaceSplitBackward {
    void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1);
  }

  /** One backward implementation of each family: the second half of what a backend hands to {@link DncKernels}. */
  public record BackwardTable(
      ContentAddressingBackward contentAddressing, MemoryWriteBackward memoryWrite, MemoryReadBackward memoryRead,
      UsageBackward usage, AllocationBackward allocation, WriteWeightingBackward writeWeighting,
      TemporalLinkageBackward temporalLinkage, ReadModesBackward readModes, NtmAddressingBackward ntmAddressing,
      InterfaceSplitBackward interfaceSplit) {
    public BackwardTable {
      Checks.notNull("contentAddressing", contentAddressing);
      Checks.notNull("memoryWrite", memoryWrite);
      Checks.notNull("memoryRead", memoryRead);
      Checks.notNull("usage", usage);
      Checks.notNull("allocation", allocation);
      Checks.notNull("writeWeighting", writeWeighting);
      Checks.notNull("temporalLinkage", temporalLinkage);
      Checks.notNull("readModes", readModes);
      Checks.notNull("ntmAddressing", ntmAddressing);
      Checks.notNull("interfaceSplit", interfaceSplit);
    }
  }

  /** One implementation of each family: what a backend hands to {@link DncKernels}. */
  public record Table(
      ContentAddressing contentAddressing, MemoryWrite memoryWrite, MemoryRead memoryRead, Usage usage,
      Allocation allocation, WriteWeighting writeWeighting, TemporalLinkage temporalLinkage, ReadModes readModes,
      NtmAddressing ntmAddressing, InterfaceSplit interfaceSplit) {
    public Table {
      Checks.notNull("contentAddressing", contentAddressing);
      Checks.notNull("memoryWrite", memoryWrite);
      Checks.notNull("memoryRead", memoryRead);
      Checks.notNull("usage", usage);
      Checks.notNull("allocation", allocation);
      Checks.notNull("writeWeighting", writeWeighting);
      Checks.notNull("temporalLinkage", temporalLinkage);
      Checks.notNull("readModes", readModes);
      Checks.notNull("ntmAddressing", ntmAddressing);
      Checks.notNull("interfaceSplit", interfaceSplit);
    }
  }
}
