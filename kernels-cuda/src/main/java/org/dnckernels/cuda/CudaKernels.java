package org.dnckernels.cuda;

import java.lang.ref.Cleaner;
import org.dnckernels.BackwardWorkspace;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * The CUDA backend: tensors in device memory, every kernel a launch of {@code dnc_kernels.ptx} on this
 * instance's own stream, batched over the batch range and heads in one launch. Reductions are fixed-order trees in
 * shared memory (no atomics), so a given input gives bitwise the same output run after run.
 *
 * <p>The launches live in one class per kernel family ({@link CudaContentAddressing}, {@link CudaMemoryWrite},
 * {@link CudaMemoryRead}, {@link CudaUsage}, {@link CudaAllocation}, {@link CudaWriteWeighting},
 * {@link CudaTemporalLinkage}, {@link CudaReadModes}, {@link CudaNtmAddressing}, {@link CudaInterfaceSplit}), which
 * this class hands to {@link DncKernels} as its {@link KernelMath.Table}; they share a {@link CudaContext} (the
 * stream and the device). The memory step's phases are the fused kernels of {@link CudaMemoryStep}: four launches
 * per step; {@link #linkUpdateAndWeightings} is two (one fused pass over L, then the partial sums).
 *
 * <p>Any thread may call: each call takes this instance's lock and makes the device's primary context current.
 * Nothing waits for the device inside a kernel call; {@link Tensor#copyTo} and {@link #synchronize()} do.
 * {@link #close()} frees every tensor this instance allocated and its stream.
 */
public final class CudaKernels extends DncKernels {
  /** The backend's name. */
  public static final String NAME = "cuda";

  private static final Cleaner CLEANER = Cleaner.create();

  private final CudaStream stream;
  private final Gpu gpu;
  private final CudaMemoryStep step;
  private final Cleaner.Cleanable cleanable;

  /** A backend on the process's CUDA device (device 0, or {@code -Ddnc.kernels.cuda.device=N}). */
  public CudaKernels() {
    this(new JCudaGpu(CudaRuntime.get()));
  }

  CudaKernels(Gpu gpu) {
    this(new CudaContext(gpu));
  }

  private CudaKernels(CudaContext context) {
    super(table(context), backward(context));
    this.gpu = context.gpu;
    this.stream = context.stream;
    this.step = new CudaMemoryStep(context);
    CudaStream s = stream;
    this.cleanable = CLEANER.register(this, s::shutdown);
  }

  /** Every kernel family on {@code context}'s stream. */
  private static KernelMath.Table table(CudaContext context) {
    return new KernelMath.Table(
        new CudaContentAddressing(context), new CudaMemoryWrite(context), new CudaMemoryRead(context),
        new CudaUsage(context), new CudaAllocation(context), new CudaWriteWeighting(context),
        new CudaTemporalLinkage(context), new CudaReadModes(context), new CudaNtmAddressing(context),
        new CudaInterfaceSplit(context));
  }

  /** Every kernel family's backward on {@code context}'s stream. */
  private static KernelMath.BackwardTable backward(CudaContext context) {
    return new KernelMath.BackwardTable(new CudaContentAddressingBackward(context), new CudaMemoryWriteBackward(context), new CudaMemoryReadBackward(context), new CudaUsageBackward(context), new CudaAllocationBackward(context), new CudaWriteWeightingBackward(context), new CudaTemporalLinkageBackward(context), new CudaReadModesBackward(context), new CudaNtmAddressingBackward(context), new CudaInterfaceSplitBackward(context));
  }

  @Override
  protected void copyImpl(Tensor src, Tensor dst) {
    try (CudaStream s = stream.enter()) {
      s.gpu.copy(CudaContext.at(dst, 0), CudaContext.at(src, 0), src.size());
    }
  }

  @Override
  protected void zero(Tensor t, int b0, int b1) {
    try (CudaStream s = stream.enter()) {
      s.gpu.fill(CudaContext.at(t, b0), 0, CudaContext.elements(t, b0, b1));
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return gpu.description();
  }

  @Override
  public void synchronize() {
    try (CudaStream s = stream.enter()) {
      s.gpu.synchronize();
    }
  }

  /** Frees every tensor of this backend and its stream. Idempotent. */
  @Override
  protected void closeImpl() {
    cleanable.clean();
  }

  // ---------------------------------------------------------------------------------------------------------
  // tensors

  @Override
  public Tensor allocate(int... shape) {
    return new CudaTensor(this, stream, shape);
  }

  @Override
  protected boolean owns(Tensor t) {
    return t instanceof CudaTensor c && c.owner() == this;
  }

  // ---------------------------------------------------------------------------------------------------------
  // the memory step: the api's order, the fused phases of CudaMemoryStep

  /**
   * The api's step (its order, unchanged) with this instance's lock held throughout: {@link #stepAfterLink} reads
   * the link partials that {@link #stepLinkPass} left in the stream's scratch, and another thread's call on this
   * instance between the two (a step with another workspace, {@code forwardBackward}) would overwrite them. The
   * lock is reentrant, so each phase still enters the stream itself.
   */
  @Override
  protected void memoryStepImpl(MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws) {
    try (CudaStream s = stream.enter()) {
      super.memoryStepImpl(state, in, readVectors, ws);
    }
  }

  /** The step backward's launches under one hold of the stream, like the step's. */
  @Override
  protected void memoryStepBackwardImpl(MemoryState prev, InterfaceValues in, MemoryState next, Workspace saved,
      MemoryState grad, Tensor gradReadVectors, InterfaceValues gradIn, BackwardWorkspace scratch) {
    try (CudaStream s = stream.enter()) {
      super.memoryStepBackwardImpl(prev, in, next, saved, grad, gradReadVectors, gradIn, scratch);
    }
  }

  /** {@code step_allocate} and {@code step_write}: usage, allocation, write content, write weights, erase/add. */
  @Override
  protected void stepBeforeLink(MemoryState state, InterfaceValues in, Workspace ws, int b0, int b1) {
    step.beforeLink(state, in, ws, b0, b1);
  }

  /** {@code link_tiles} with the update: L_t, and the forward/backward partials from w^r_{t−1} in scratch. */
  @Override
  protected void stepLinkPass(MemoryState state, Workspace ws, int b0, int b1) {
    step.linkPass(state, b0, b1);
  }

  /** {@code step_read}: precedence, read content weights, forward/backward from the partials, mix, read vectors. */
  @Override
  protected void stepAfterLink(
      MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws, int b0, int b1) {
    step.afterLink(state, in, readVectors, ws, b0, b1);
  }
}
