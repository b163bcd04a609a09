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
