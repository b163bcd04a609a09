package org.dnckernels.cuda;

import static org.dnckernels.cuda.Kernel.ALLOCATION_WEIGHTS;
import static org.dnckernels.cuda.Kernel.CONTENT_WEIGHTS;
import static org.dnckernels.cuda.Kernel.ERASE_ADD;
import static org.dnckernels.cuda.Kernel.INTERFACE_SPLIT;
import static org.dnckernels.cuda.Kernel.LINK_TILES;
import static org.dnckernels.cuda.Kernel.LINK_WEIGHTINGS;
import static org.dnckernels.cuda.Kernel.NTM_INTERPOLATE;
import static org.dnckernels.cuda.Kernel.NTM_SHARPEN;
import static org.dnckernels.cuda.Kernel.NTM_SHIFT;
import static org.dnckernels.cuda.Kernel.PRECEDENCE_UPDATE;
import static org.dnckernels.cuda.Kernel.READ_MEMORY;
import static org.dnckernels.cuda.Kernel.READ_MODE_MIX;
import static org.dnckernels.cuda.Kernel.STEP_ALLOCATE;
import static org.dnckernels.cuda.Kernel.STEP_READ;
import static org.dnckernels.cuda.Kernel.STEP_WRITE;
import static org.dnckernels.cuda.Kernel.USAGE_UPDATE;
import static org.dnckernels.cuda.Kernel.WRITE_WEIGHTS;

import java.lang.ref.Cleaner;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * The CUDA backend: tensors in device memory, every kernel a launch of {@code dnc_kernels.ptx} on this
 * instance's own stream, batched over B and heads in one launch. Reductions are fixed-order trees in shared
 * memory (no atomics), so a given input gives bitwise the same output run after run. The memory step is four
 * launches; {@link #linkUpdateAndWeightings} is two (one fused pass over L, then the partial sums).
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
  private final Cleaner.Cleanable cleanable;

  /** A backend on the process's CUDA device (device 0, or {@code -Ddnc.kernels.cuda.device=N}). */
  public CudaKernels() {
    this(new JCudaGpu(CudaRuntime.get()));
  }

  CudaKernels(Gpu gpu) {
    this.gpu = gpu;
    this.stream = new CudaStream(gpu);
    CudaStream s = stream;
    this.cleanable = CLEANER.register(this, s::shutdown);
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
  // kernels

  @Override
  protected void contentWeightsImpl(Tensor memory, Tensor keys, Tensor strengths, Tensor out) {
    int b = memory.dim(0), n = memory.dim(1), w = memory.dim(2), h = keys.dim(1);
    try (CudaStream s = stream.enter()) {
      s.launch(CONTENT_WEIGHTS, b * h, 0, at(memory), at(keys), at(strengths), at(out), n, w, h);
    }
  }

  @Override
  protected void eraseAndAddImpl(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add) {
    int b = memory.dim(0), n = memory.dim(1), w = memory.dim(2), wh = writeWeights.dim(1);
    try (CudaStream s = stream.enter()) {
      s.launch(ERASE_ADD, spread(memory.size()), 0, at(memory), at(writeWeights), at(erase), at(add), b, n, w, wh);
    }
  }

  @Override
  protected void readImpl(Tensor memory, Tensor readWeights, Tensor out) {
    int b = memory.dim(0), n = memory.dim(1), w = memory.dim(2), r = readWeights.dim(1);
    try (CudaStream s = stream.enter()) {
      s.launch(READ_MEMORY, b * r, 0, at(memory), at(readWeights), at(out), n, w, r);
    }
  }

  @Override
  protected void usageImpl(
      Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out) {
    int b = prevUsage.dim(0), n = prevUsage.dim(1), wh = prevWriteWeights.dim(1), r = prevReadWeights.dim(1);
    try (CudaStream s = stream.enter()) {
      s.launch(USAGE_UPDATE, spread(prevUsage.size()), 0, at(prevUsage), at(prevWriteWeights), at(freeGates),
          at(prevReadWeights), at(out), b, n, wh, r);
    }
  }

  @Override
  protected void allocationImpl(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out) {
    int b = usage.dim(0), n = usage.dim(1), wh = writeGates.dim(1);
    try (CudaStream s = stream.enter()) {
      AllocationPlan plan = AllocationPlan.of(b, n, gpu.maxDynamicSharedMemory(ALLOCATION_WEIGHTS));
      long[] sort = sortScratch(s, plan);
      s.launch(ALLOCATION_WEIGHTS, b, plan.sharedBytes(), at(usage), at(writeGates), at(allocationGates), at(out), n,
          wh, plan.padded(), plan.chunk(), sort[0], sort[1], sort[2]);
    }
  }

  @Override
  protected void writeWeightsImpl(
      Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out) {
    int rows = allocation.dim(0) * allocation.dim(1), n = allocation.dim(2);
    try (CudaStream s = stream.enter()) {
      s.launch(WRITE_WEIGHTS, spread(allocation.size()), 0, at(allocation), at(content), at(writeGates),
          at(allocationGates), at(out), rows, n);
    }
  }

  @Override
  protected void precedenceImpl(Tensor precedence, Tensor writeWeights) {
    int rows = precedence.dim(0) * precedence.dim(1), n = precedence.dim(2);
    try (CudaStream s = stream.enter()) {
      s.launch(PRECEDENCE_UPDATE, rows, 0, at(precedence), at(writeWeights), n);
    }
  }

  @Override
  protected void linkUpdateImpl(Tensor link, Tensor prevPrecedence, Tensor writeWeights) {
    int b = link.dim(0), wh = link.dim(1), n = link.dim(2);
    try (CudaStream s = stream.enter()) {
      s.launch(LINK_TILES, linkGrid(b, wh, n), 0, at(link), at(prevPrecedence), at(writeWeights), 0L, 0L, 0L, n, wh,
          0, 1);
    }
  }

  @Override
  protected void forwardBackwardImpl(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward) {
    try (CudaStream s = stream.enter()) {
      linkAndWeightings(s, link, 0L, 0L, prevReadWeights, forward, backward, false);
    }
  }

  @Override
  protected void linkUpdateAndWeightingsImpl(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward) {
    try (CudaStream s = stream.enter()) {
      linkAndWeightings(s, link, at(prevPrecedence), at(writeWeights), prevReadWeights, forward, backward, true);
    }
  }

  // one pass over every link tile (updating it or not), then the tile partials summed: two launches
  private void linkAndWeightings(
      CudaStream s, Tensor link, long prevPrecedence, long writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward, boolean update) {
    int b = link.dim(0), wh = link.dim(1), n = link.dim(2), r = prevReadWeights.dim(1);
    long[] partials = linkPartials(s, b, wh, r, n);
    s.launch(LINK_TILES, linkGrid(b, wh, n), 0, at(link), prevPrecedence, writeWeights, at(prevReadWeights),
        partials[0], partials[1], n, wh, r, update ? 1 : 0);
    s.launch(LINK_WEIGHTINGS, spread(forward.size()), 0, partials[0], partials[1], at(forward), at(backward), b, r, wh,
        n);
  }

  @Override
  protected void readModeMixImpl(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out) {
    int b = backward.dim(0), r = backward.dim(1), wh = backward.dim(2), n = backward.dim(3);
    try (CudaStream s = stream.enter()) {
      s.launch(READ_MODE_MIX, spread(out.size()), 0, at(modes), at(backward), at(content), at(forward), at(out), b, r,
          wh, n);
    }
  }

  @Override
  protected void ntmInterpolateImpl(Tensor content, Tensor previous, Tensor gate, Tensor out) {
    int rows = content.dim(0) * content.dim(1), n = content.dim(2);
    try (CudaStream s = stream.enter()) {
      s.launch(NTM_INTERPOLATE, spread(out.size()), 0, at(content), at(previous), at(gate), at(out), rows, n);
    }
  }

  @Override
  protected void ntmShiftImpl(Tensor weights, Tensor shift, Tensor out) {
    int rows = weights.dim(0) * weights.dim(1), n = weights.dim(2), width = shift.dim(2);
    try (CudaStream s = stream.enter()) {
      s.launch(NTM_SHIFT, spread(out.size()), 0, at(weights), at(shift), at(out), rows, n, width);
    }
  }

  @Override
  protected void ntmSharpenImpl(Tensor weights, Tensor gamma, Tensor out) {
    int rows = weights.dim(0) * weights.dim(1), n = weights.dim(2);
    try (CudaStream s = stream.enter()) {
      s.launch(NTM_SHARPEN, rows, 0, at(weights), at(gamma), at(out), n);
    }
  }

  @Override
  protected void interfaceSplitImpl(Tensor raw, InterfaceValues out) {
    int b = raw.dim(0), r = out.readKeys().dim(1), w = out.readKeys().dim(2);
    try (CudaStream s = stream.enter()) {
      s.launch(INTERFACE_SPLIT, spread(raw.size()), 0, at(raw), at(out.readKeys()), at(out.readStrengths()),
          at(out.writeKeys()), at(out.writeStrengths()), at(out.eraseVectors()), at(out.writeVectors()),
          at(out.freeGates()), at(out.allocationGates()), at(out.writeGates()), at(out.readModes()), b, r, w);
    }
  }

  /**
   * The step in four launches (see {@code memory_step.cuh}): usage + allocation with the write content weights,
   * write weights + erase/add, the fused link pass, then read content + forward/backward + read-mode mix + read
   * vectors with the precedence.
   */
  @Override
  protected void memoryStepImpl(MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws) {
    int b = state.memory().dim(0), n = state.memory().dim(1), w = state.memory().dim(2);
    int r = state.readWeights().dim(1), wh = state.link().dim(1);
    // the facade checks the workspace's shape; its tensors must also be ours
    for (Tensor t : new Tensor[] {ws.allocation(), ws.writeContent(), ws.readContent(), ws.forward(), ws.backward()}) {
      if (!owns(t)) {
        throw new IllegalArgumentException("workspace: holds " + t.backend() + " tensors; make it with this backend's "
            + "newWorkspace");
      }
    }
    try (CudaStream s = stream.enter()) {
      AllocationPlan plan = AllocationPlan.of(b, n, gpu.maxDynamicSharedMemory(STEP_ALLOCATE));
      long[] sort = sortScratch(s, plan);
      long[] partials = linkPartials(s, b, wh, r, n);

      s.launch(STEP_ALLOCATE, b * (1 + wh), plan.sharedBytes(), at(state.usage()), at(state.writeWeights()),
          at(in.freeGates()), at(state.readWeights()), at(in.writeGates()), at(in.allocationGates()),
          at(ws.allocation()), at(state.memory()), at(in.writeKeys()), at(in.writeStrengths()),
          at(ws.writeContent()), n, w, r, wh, plan.padded(), plan.chunk(), sort[0], sort[1], sort[2]);
      s.launch(STEP_WRITE, spread(state.memory().size()), 0, at(ws.allocation()), at(ws.writeContent()),
          at(in.writeGates()), at(in.allocationGates()), at(state.writeWeights()), at(state.memory()),
          at(in.eraseVectors()), at(in.writeVectors()), b, n, w, wh);
      s.launch(LINK_TILES, linkGrid(b, wh, n), 0, at(state.link()), at(state.precedence()), at(state.writeWeights()),
          at(state.readWeights()), partials[0], partials[1], n, wh, r, 1);
      s.launch(STEP_READ, b * (r + wh), 0, at(state.memory()), at(in.readKeys()), at(in.readStrengths()),
          at(ws.readContent()), partials[0], partials[1], at(ws.forward()), at(ws.backward()), at(in.readModes()),
          at(state.readWeights()), at(readVectors), at(state.precedence()), at(state.writeWeights()), n, w, r, wh);
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private static long at(Tensor t) {
    return ((CudaTensor) t).address();
  }

  /** Blocks for a grid-stride loop over {@code elements}: enough to fill the device, no more. */
  private int spread(long elements) {
    long blocks = (elements + Kernel.BLOCK - 1) / Kernel.BLOCK;
    return (int) Math.max(1, Math.min(blocks, 8L * gpu.multiprocessors()));
  }

  /** Link tiles per matrix side. */
  static int linkTiles(int slots) {
    return (slots + Kernel.LINK_TILE - 1) / Kernel.LINK_TILE;
  }

  private static int linkGrid(int batch, int writeHeads, int slots) {
    long tiles = linkTiles(slots);
    return Math.toIntExact((long) batch * writeHeads * tiles * tiles);
  }

  /** Forward and backward partial sums, [B, Wh, tiles, R, N] doubles each. */
  private static long[] linkPartials(CudaStream s, int batch, int writeHeads, int readHeads, int slots) {
    long bytes = 8L * batch * writeHeads * linkTiles(slots) * readHeads * slots;
    return new long[] {
      s.scratch(CudaStream.Scratch.FORWARD_PARTIALS, bytes), s.scratch(CudaStream.Scratch.BACKWARD_PARTIALS, bytes)
    };
  }

  /** Keys, indices and usage copies of the allocation sort in global memory, or zeros when it fits in shared. */
  private static long[] sortScratch(CudaStream s, AllocationPlan plan) {
    if (!plan.global()) {
      return new long[3];
    }
    return new long[] {
      s.scratch(CudaStream.Scratch.SORT_KEYS, plan.keyBytes()),
      s.scratch(CudaStream.Scratch.SORT_INDICES, plan.indexBytes()),
      s.scratch(CudaStream.Scratch.SORT_USAGE, plan.usedBytes())
    };
  }
}
