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
 *
 * <p>Each method takes the facade method's arguments, documented there, plus the batch range [b0, b1); so the
 * methods carry no {@code @param} tags of their own (doclint's "missing" group is suppressed for this class).
 */
@SuppressWarnings("doclint:missing")
public final class KernelMath {
  private KernelMath() {}

  /** {@link DncKernels#contentWeights}. */
  public interface ContentAddressing {
    /** {@link DncKernels#contentWeights} on batch entries [b0, b1). */
    void contentWeights(Tensor memory, Tensor keys, Tensor strengths, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#eraseAndAdd}. */
  public interface MemoryWrite {
    /** {@link DncKernels#eraseAndAdd} on batch entries [b0, b1). */
    void eraseAndAdd(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add, int b0, int b1);
  }

  /** {@link DncKernels#read}. */
  public interface MemoryRead {
    /** {@link DncKernels#read} on batch entries [b0, b1). */
    void read(Tensor memory, Tensor readWeights, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#usage}. */
  public interface Usage {
    /** {@link DncKernels#usage} on batch entries [b0, b1). */
    void usage(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out, int b0,
        int b1);
  }

  /** {@link DncKernels#allocation}. */
  public interface Allocation {
    /** {@link DncKernels#allocation} on batch entries [b0, b1). */
    void allocation(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#writeWeights}. */
  public interface WriteWeighting {
    /** {@link DncKernels#writeWeights} on batch entries [b0, b1). */
    void writeWeights(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out, int b0,
        int b1);
  }

  /** {@link DncKernels#precedence}, {@link DncKernels#linkUpdate}, {@link DncKernels#forwardBackward} and the fused pass. */
  public interface TemporalLinkage {
    /** {@link DncKernels#precedence} on batch entries [b0, b1). */
    void precedence(Tensor precedence, Tensor writeWeights, int b0, int b1);

    /** {@link DncKernels#linkUpdate} on batch entries [b0, b1). */
    void linkUpdate(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int b0, int b1);

    /** {@link DncKernels#forwardBackward} on batch entries [b0, b1). */
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
    /** {@link DncKernels#readModeMix} on batch entries [b0, b1). */
    void readModeMix(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#ntmInterpolate}, {@link DncKernels#ntmShift}, {@link DncKernels#ntmSharpen}. */
  public interface NtmAddressing {
    /** {@link DncKernels#ntmInterpolate} on batch entries [b0, b1). */
    void ntmInterpolate(Tensor content, Tensor previous, Tensor gate, Tensor out, int b0, int b1);

    /** {@link DncKernels#ntmShift} on batch entries [b0, b1). */
    void ntmShift(Tensor weights, Tensor shift, Tensor out, int b0, int b1);

    /** {@link DncKernels#ntmSharpen} on batch entries [b0, b1). */
    void ntmSharpen(Tensor weights, Tensor gamma, Tensor out, int b0, int b1);
  }

  /** {@link DncKernels#interfaceSplit}. */
  public interface InterfaceSplit {
    /** {@link DncKernels#interfaceSplit} on batch entries [b0, b1). */
    void interfaceSplit(Tensor raw, InterfaceValues out, int b0, int b1);
  }

  // ---------------------------------------------------------------------------------------------------------
  // backward (vector-Jacobian products): equations, saved values and the accumulate rule are those of the
  // facade's *Backward methods

  /** {@link DncKernels#contentWeightsBackward}. */
  public interface ContentAddressingBackward {
    /** {@link DncKernels#contentWeightsBackward} on batch entries [b0, b1). */
    void contentWeightsBackward(Tensor memory, Tensor keys, Tensor strengths, Tensor weights, Tensor gradWeights,
        Tensor gradMemory, Tensor gradKeys, Tensor gradStrengths, int b0, int b1);
  }

  /** {@link DncKernels#eraseAndAddBackward}. */
  public interface MemoryWriteBackward {
    /** {@link DncKernels#eraseAndAddBackward} on batch entries [b0, b1). */
    void eraseAndAddBackward(Tensor prevMemory, Tensor writeWeights, Tensor erase, Tensor add, Tensor gradMemory,
        Tensor gradWriteWeights, Tensor gradErase, Tensor gradAdd, int b0, int b1);
  }

  /** {@link DncKernels#readBackward}. */
  public interface MemoryReadBackward {
    /** {@link DncKernels#readBackward} on batch entries [b0, b1). */
    void readBackward(Tensor memory, Tensor readWeights, Tensor gradOut, Tensor gradMemory, Tensor gradReadWeights,
        int b0, int b1);
  }

  /** {@link DncKernels#usageBackward}. */
  public interface UsageBackward {
    /** {@link DncKernels#usageBackward} on batch entries [b0, b1). */
    void usageBackward(Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights,
        Tensor gradOut, Tensor gradPrevUsage, Tensor gradPrevWriteWeights, Tensor gradFreeGates,
        Tensor gradPrevReadWeights, int b0, int b1);
  }

  /** {@link DncKernels#allocationBackward}. */
  public interface AllocationBackward {
    /** {@link DncKernels#allocationBackward} on batch entries [b0, b1). */
    void allocationBackward(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor gradOut, Tensor gradUsage,
        Tensor gradWriteGates, Tensor gradAllocationGates, int b0, int b1);
  }

  /** {@link DncKernels#writeWeightsBackward}. */
  public interface WriteWeightingBackward {
    /** {@link DncKernels#writeWeightsBackward} on batch entries [b0, b1). */
    void writeWeightsBackward(Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates,
        Tensor gradOut, Tensor gradAllocation, Tensor gradContent, Tensor gradWriteGates, Tensor gradAllocationGates,
        int b0, int b1);
  }

  /** The backwards of {@link TemporalLinkage}'s kernels. */
  public interface TemporalLinkageBackward {
    /** {@link DncKernels#precedenceBackward} on batch entries [b0, b1). */
    void precedenceBackward(Tensor prevPrecedence, Tensor writeWeights, Tensor gradPrecedence,
        Tensor gradWriteWeights, int b0, int b1);

    /** {@link DncKernels#linkUpdateBackward} on batch entries [b0, b1). */
    void linkUpdateBackward(Tensor prevLink, Tensor prevPrecedence, Tensor writeWeights, Tensor gradLink,
        Tensor gradPrevPrecedence, Tensor gradWriteWeights, int b0, int b1);

    /** {@link DncKernels#forwardBackwardBackward} on batch entries [b0, b1). */
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
    /** {@link DncKernels#readModeMixBackward} on batch entries [b0, b1). */
    void readModeMixBackward(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor gradOut,
        Tensor gradModes, Tensor gradBackward, Tensor gradContent, Tensor gradForward, int b0, int b1);
  }

  /** The backwards of {@link NtmAddressing}'s kernels. */
  public interface NtmAddressingBackward {
    /** {@link DncKernels#ntmInterpolateBackward} on batch entries [b0, b1). */
    void ntmInterpolateBackward(Tensor content, Tensor previous, Tensor gate, Tensor gradOut, Tensor gradContent,
        Tensor gradPrevious, Tensor gradGate, int b0, int b1);

    /** {@link DncKernels#ntmShiftBackward} on batch entries [b0, b1). */
    void ntmShiftBackward(Tensor weights, Tensor shift, Tensor gradOut, Tensor gradWeights, Tensor gradShift, int b0,
        int b1);

    /** {@link DncKernels#ntmSharpenBackward} on batch entries [b0, b1). */
    void ntmSharpenBackward(Tensor weights, Tensor gamma, Tensor gradOut, Tensor gradWeights, Tensor gradGamma,
        int b0, int b1);
  }

  /** {@link DncKernels#interfaceSplitBackward}. */
  public interface InterfaceSplitBackward {
    /** {@link DncKernels#interfaceSplitBackward} on batch entries [b0, b1). */
    void interfaceSplitBackward(Tensor raw, InterfaceValues gradOut, Tensor gradRaw, int b0, int b1);
  }

  /**
   * One backward implementation of each family: the second half of what a backend hands to {@link DncKernels}.
   * Each component is the backward of the {@link Table} component of the same name; none may be null.
   */
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

  /**
   * One implementation of each family: what a backend hands to {@link DncKernels}. Every component must be
   * non-null.
   *
   * @param contentAddressing cosine similarity and softmax
   * @param memoryWrite       erase/add
   * @param memoryRead        the read vectors
   * @param usage             the usage update
   * @param allocation        the sorted allocation
   * @param writeWeighting    the write weighting
   * @param temporalLinkage   precedence, link update, forward/backward weightings
   * @param readModes         the read-mode mix
   * @param ntmAddressing     NTM interpolation, shift, sharpening
   * @param interfaceSplit    the interface-vector split
   */
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
