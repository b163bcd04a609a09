package org.dnckernels.simd;

import java.lang.ref.Cleaner;
import org.dnckernels.BackwardWorkspace;
import org.dnckernels.HostKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * The SIMD backend: the kernels written with the Vector API ({@code jdk.incubator.vector}), batch entries split
 * across a small pool of threads.
 *
 * <p>Each kernel family's math lives in one class ({@code SimdContentAddressing}, {@code SimdMemoryWrite}, ...,
 * {@code SimdInterfaceSplit}), which implements its {@link KernelMath} family: it estimates a call's work, runs it
 * inline when that is below {@value #INLINE_WORK} element operations, and otherwise splits the batch into up to
 * {@code threads} slices through the shared {@link SimdSplitter}, the caller taking the first. This class only
 * builds them and splits the memory step once: each thread runs the api's whole step on its slice (batch entries
 * are independent), so a step costs one fork/join, not one per kernel.
 *
 * <p>The link kernels split units instead of batch entries: segments of rows of each link matrix
 * ({@link SimdTemporalLinkage#segments}), so that threads share a matrix when the batch does not split evenly
 * over them (B = 1). A step that does not split (one batch entry) runs inline but for its link pass, which
 * splits so.
 *
 * <p>Threads: {@code -Ddnc.kernels.simd.threads=N} (default: the available processors) or the constructor.
 * {@link #close()} stops the pool.
 */
public final class SimdKernels extends HostKernels {
  /** System property with the number of threads (including the caller). */
  public static final String THREADS_PROPERTY = "dnc.kernels.simd.threads";
  /** Element operations below which a call runs on the calling thread alone. */
  static final long INLINE_WORK = 64 * 1024;
  /** Stops the pool of a backend that was dropped without {@link #close()}: its workers would park forever. */
  private static final class Cleaning {
    static final Cleaner CLEANER = Cleaner.create();
  }

  private final SimdSplitter split;
  /** the step being split; only the holder of the pool writes it. */
  private final StepCall stepCall = new StepCall();
  private final BackwardStepCall backwardStepCall = new BackwardStepCall();

  /** With the threads of {@value #THREADS_PROPERTY}, else one per available processor. */
  public SimdKernels() {
    this(defaultThreads());
  }

  /**
   * With {@code threads} threads including the caller.
   *
   * @param threads threads that share a call's batch, the caller included; 1 runs every call on the caller
   */
  public SimdKernels(int threads) {
    this(threads, INLINE_WORK);
  }

  /** Tests: {@code inlineWork = 0} splits every call with a batch of two or more. */
  SimdKernels(int threads, long inlineWork) {
    this(threads, inlineWork, SimdTemporalLinkage.SEGMENT_ROWS);
  }

  /** Tests: small {@code segmentRows} cut small link matrices into segments too. */
  SimdKernels(int threads, long inlineWork, int segmentRows) {
    this(new SimdSplitter(threads, inlineWork, segmentRows));
  }

  private SimdKernels(SimdSplitter split) {
    super(math(split), backward(split));
    this.split = split;
    if (split.pool() != null) {
      Cleaning.CLEANER.register(this, split::close);
    }
  }

  private static KernelMath.Table math(SimdSplitter split) {
    return new KernelMath.Table(new SimdContentAddressing(split), new SimdMemoryWrite(split),
        new SimdMemoryRead(split), new SimdUsage(split), new SimdAllocation(split), new SimdWriteWeighting(split),
        new SimdTemporalLinkage(split), new SimdReadModes(split), new SimdNtmAddressing(split),
        new SimdInterfaceSplit(split));
  }

  private static KernelMath.BackwardTable backward(SimdSplitter split) {
    return new KernelMath.BackwardTable(new SimdContentAddressingBackward(split), new SimdMemoryWriteBackward(split), new SimdMemoryReadBackward(split), new SimdUsageBackward(split), new SimdAllocationBackward(split), new SimdWriteWeightingBackward(split), new SimdTemporalLinkageBackward(split), new SimdReadModesBackward(split), new SimdNtmAddressingBackward(split), new SimdInterfaceSplitBackward(split));
  }

  private static int defaultThreads() {
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null || value.isBlank()) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(THREADS_PROPERTY + ": expected a thread count >= 1 but was " + value);
  }

  @Override
  public String name() {
    return SimdBackendProvider.NAME;
  }

  @Override
  public String description() {
    return "Vector API " + SimdSpecies.FLOAT.vectorBitSize() + "-bit float vectors (" + SimdSpecies.LANES
        + " lanes)" + (SimdConfig.USE_FMA ? " with FMA" : "") + ", " + split.threads
        + (split.threads == 1 ? " thread" : " threads");
  }

  /**
   * The threads that share a call's batch.
   *
   * @return the thread count, the caller included
   */
  public int threads() {
    return split.threads;
  }

  @Override
  protected void closeImpl() {
    split.close();
  }

  /** The step split once over the batch: each slice runs the api's whole step (its three phases) on its entries. */
  @Override
  protected void memoryStepImpl(MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws) {
    int b = state.memory().dim(0);
    int parts = split.acquire(0, b, b, stepWork(state));
    if (parts == 1) {
      memoryStep(state, in, readVectors, ws, 0, b);
      return;
    }
    stepCall.state = state;
    stepCall.in = in;
    stepCall.readVectors = readVectors;
    stepCall.workspace = ws;
    split.runAndRelease(stepCall, parts, b);
  }

  /** The step backward split the same way: each slice runs the api's three backward phases on its entries. */
  @Override
  protected void memoryStepBackwardImpl(MemoryState prev, InterfaceValues in, MemoryState next, Workspace saved,
      MemoryState grad, Tensor gradReadVectors, InterfaceValues gradIn, BackwardWorkspace scratch) {
    int b = prev.memory().dim(0);
    // about twice the forward's work: each kernel's backward reads what its forward read and writes its gradients
    int parts = split.acquire(0, b, b, 2 * stepWork(prev));
    if (parts == 1) {
      memoryStepBackward(prev, in, next, saved, grad, gradReadVectors, gradIn, scratch, 0, b);
      return;
    }
    BackwardStepCall call = backwardStepCall;
    call.prev = prev;
    call.in = in;
    call.next = next;
    call.saved = saved;
    call.grad = grad;
    call.gradReadVectors = gradReadVectors;
    call.gradIn = gradIn;
    call.scratch = scratch;
    split.runAndRelease(call, parts, b);
  }

  private static long stepWork(MemoryState state) {
    Tensor memory = state.memory();
    long b = memory.dim(0), n = memory.dim(1), w = memory.dim(2);
    long r = state.readWeights().dim(1), wh = state.link().dim(1);
    long perEntry = n * w * (2 * wh + r + 1 + r) // content (write, read), erase/add, read
        + wh * n * n * (1 + 2 * r) // link update, forward and backward
        + wh * n * (4 + log2((int) n)) + n * (wh + r) + r * n * (2 * wh + 1);
    return b * perEntry;
  }

  static int log2(int n) {
    return 32 - Integer.numberOfLeadingZeros(n);
  }

  /** The arguments of the step backward being split. */
  private final class BackwardStepCall implements SimdBatchPool.Slices {
    MemoryState prev;
    InterfaceValues in;
    MemoryState next;
    Workspace saved;
    MemoryState grad;
    Tensor gradReadVectors;
    InterfaceValues gradIn;
    BackwardWorkspace scratch;

    @Override
    public void run(int b0, int b1) {
      memoryStepBackward(prev, in, next, saved, grad, gradReadVectors, gradIn, scratch, b0, b1);
    }

    @Override
    public void clear() {
      prev = null;
      in = null;
      next = null;
      saved = null;
      grad = null;
      gradReadVectors = null;
      gradIn = null;
      scratch = null;
    }
  }

  /** The arguments of the step being split. */
  private final class StepCall implements SimdBatchPool.Slices {
    MemoryState state;
    InterfaceValues in;
    Tensor readVectors;
    Workspace workspace;

    @Override
    public void run(int b0, int b1) {
      memoryStep(state, in, readVectors, workspace, b0, b1);
    }

    @Override
    public void clear() {
      state = null;
      in = null;
      readVectors = null;
      workspace = null;
    }
  }
}
