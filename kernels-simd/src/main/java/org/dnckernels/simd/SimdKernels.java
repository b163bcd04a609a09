package org.dnckernels.simd;

import java.lang.ref.Cleaner;
import org.dnckernels.HostKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryState;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;

/**
 * The SIMD backend: the kernels written with the Vector API ({@code jdk.incubator.vector}), batch entries split
 * across a small pool of threads.
 *
 * <p>Every kernel is one family method over a batch slice [b0, b1). A call whose work (estimated in element
 * operations) is below {@value #INLINE_WORK} runs on the caller; a larger one is split into up to
 * {@code threads} slices, one per thread, the caller taking the first. The memory step is split once: each
 * thread runs the whole step on its slice (batch entries are independent), so a step costs one fork/join, not
 * one per kernel.
 *
 * <p>The link kernels split units instead of batch entries: segments of rows of each link matrix
 * ({@link SimdTemporalLinkage#segments}), so that threads share a matrix when the batch does not split evenly
 * over them (B = 1). A memory step of one batch entry runs inline but for its link pass, which it splits so.
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

  private final int threads;
  private final long inlineWork;
  /** Rows per segment of a link matrix: {@link SimdTemporalLinkage#SEGMENT_ROWS} but in tests. */
  private final int segmentRows;
  /** Partial backward sums of a split link pass; only the holder of the pool uses it. Grown on demand. */
  private float[] linkPartials = new float[0];
  /** null with one thread. */
  private final SimdBatchPool pool;
  /** the call being split; only the holder of the pool writes it. */
  private final Call call;

  /** With the threads of {@value #THREADS_PROPERTY}, else one per available processor. */
  public SimdKernels() {
    this(defaultThreads());
  }

  /** With {@code threads} threads including the caller (1 = no pool). */
  public SimdKernels(int threads) {
    this(threads, INLINE_WORK);
  }

  /** Tests: {@code inlineWork = 0} splits every call with a batch of two or more. */
  SimdKernels(int threads, long inlineWork) {
    this(threads, inlineWork, SimdTemporalLinkage.SEGMENT_ROWS);
  }

  /** Tests: small {@code segmentRows} cut small link matrices into segments too. */
  SimdKernels(int threads, long inlineWork, int segmentRows) {
    if (threads < 1 || threads > SimdBatchPool.MAX_THREADS) {
      throw new IllegalArgumentException(
          "threads: must be in [1, " + SimdBatchPool.MAX_THREADS + "] but was " + threads);
    }
    if (segmentRows < 1) {
      throw new IllegalArgumentException("segmentRows: must be >= 1 but was " + segmentRows);
    }
    this.threads = threads;
    this.inlineWork = inlineWork;
    this.segmentRows = segmentRows;
    this.call = new Call(segmentRows);
    this.pool = threads > 1 ? new SimdBatchPool(threads) : null;
    if (pool != null) {
      Cleaning.CLEANER.register(this, pool::close);
    }
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
        + " lanes)" + (SimdConfig.USE_FMA ? " with FMA" : "") + ", " + threads
        + (threads == 1 ? " thread" : " threads");
  }

  /** Threads including the caller. */
  public int threads() {
    return threads;
  }

  @Override
  protected void closeImpl() {
    if (pool != null) {
      pool.close();
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // kernels: estimate the work, then run inline or split the batch

  @Override
  protected void contentWeightsImpl(Tensor memory, Tensor keys, Tensor strengths, Tensor out) {
    int b = memory.dim(0);
    long work = (long) b * (keys.dim(1) + 1) * memory.dim(1) * memory.dim(2);
    if (!fork(Op.CONTENT, b, work, memory, keys, strengths, out, null, null)) {
      SimdContentAddressing.contentWeights(memory, keys, strengths, out, 0, b);
    }
  }

  @Override
  protected void eraseAndAddImpl(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add) {
    int b = memory.dim(0);
    long work = (long) b * writeWeights.dim(1) * memory.dim(1) * memory.dim(2);
    if (!fork(Op.ERASE_ADD, b, work, memory, writeWeights, erase, add, null, null)) {
      SimdMemoryWrite.eraseAndAdd(memory, writeWeights, erase, add, 0, b);
    }
  }

  @Override
  protected void readImpl(Tensor memory, Tensor readWeights, Tensor out) {
    int b = memory.dim(0);
    long work = (long) b * readWeights.dim(1) * memory.dim(1) * memory.dim(2);
    if (!fork(Op.READ, b, work, memory, readWeights, out, null, null, null)) {
      SimdMemoryRead.read(memory, readWeights, out, 0, b);
    }
  }

  @Override
  protected void usageImpl(
      Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out) {
    int b = prevUsage.dim(0);
    long work = (long) b * (prevWriteWeights.dim(1) + prevReadWeights.dim(1) + 1) * prevUsage.dim(1);
    if (!fork(Op.USAGE, b, work, prevUsage, prevWriteWeights, freeGates, prevReadWeights, out, null)) {
      SimdUsage.usage(prevUsage, prevWriteWeights, freeGates, prevReadWeights, out, 0, b);
    }
  }

  @Override
  protected void allocationImpl(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out) {
    int b = usage.dim(0), n = usage.dim(1);
    // the sort dominates: n log n per write head
    long work = (long) b * out.dim(1) * n * (2 + log2(n));
    if (!fork(Op.ALLOCATION, b, work, usage, writeGates, allocationGates, out, null, null)) {
      SimdAllocation.allocation(usage, writeGates, allocationGates, out, 0, b);
    }
  }

  @Override
  protected void writeWeightsImpl(
      Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out) {
    int b = allocation.dim(0);
    long work = (long) b * allocation.dim(1) * allocation.dim(2);
    if (!fork(Op.WRITE_WEIGHTS, b, work, allocation, content, writeGates, allocationGates, out, null)) {
      SimdWriteWeighting.writeWeights(allocation, content, writeGates, allocationGates, out, 0, b);
    }
  }

  @Override
  protected void precedenceImpl(Tensor precedence, Tensor writeWeights) {
    int b = precedence.dim(0);
    long work = (long) b * precedence.dim(1) * precedence.dim(2);
    if (!fork(Op.PRECEDENCE, b, work, precedence, writeWeights, null, null, null, null)) {
      SimdTemporalLinkage.precedence(precedence, writeWeights, 0, b);
    }
  }

  @Override
  protected void linkUpdateImpl(Tensor link, Tensor prevPrecedence, Tensor writeWeights) {
    int b = link.dim(0), n = link.dim(2);
    long work = (long) b * link.dim(1) * n * n;
    if (!forkLinkUnits(Op.LINK_UPDATE, work, link, prevPrecedence, writeWeights, null, null, null)) {
      SimdTemporalLinkage.linkUpdate(link, prevPrecedence, writeWeights, segmentRows, 0, b);
    }
  }

  @Override
  protected void forwardBackwardImpl(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward) {
    int b = link.dim(0), n = link.dim(2);
    long work = (long) b * link.dim(1) * prevReadWeights.dim(1) * 2 * n * n;
    if (!forkLinkUnits(Op.FORWARD_BACKWARD, work, link, null, null, prevReadWeights, forward, backward)) {
      SimdTemporalLinkage.forwardBackward(link, prevReadWeights, forward, backward, segmentRows, 0, b);
    }
  }

  @Override
  protected void linkUpdateAndWeightingsImpl(
      Tensor link, Tensor prevPrecedence, Tensor writeWeights, Tensor prevReadWeights, Tensor forward,
      Tensor backward) {
    int b = link.dim(0), n = link.dim(2);
    long work = (long) b * link.dim(1) * (1 + 2L * prevReadWeights.dim(1)) * n * n;
    if (!forkLinkUnits(Op.LINK_FUSED, work, link, prevPrecedence, writeWeights, prevReadWeights, forward, backward)) {
      SimdTemporalLinkage.linkUpdateAndWeightings(
          link, prevPrecedence, writeWeights, prevReadWeights, forward, backward, segmentRows, 0, b);
    }
  }

  @Override
  protected void readModeMixImpl(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out) {
    int b = backward.dim(0);
    long work = (long) b * backward.dim(1) * modes.dim(2) * backward.dim(3);
    if (!fork(Op.READ_MODES, b, work, modes, backward, content, forward, out, null)) {
      SimdReadModes.readModeMix(modes, backward, content, forward, out, 0, b);
    }
  }

  @Override
  protected void ntmInterpolateImpl(Tensor content, Tensor previous, Tensor gate, Tensor out) {
    int b = content.dim(0);
    long work = (long) b * content.dim(1) * content.dim(2);
    if (!fork(Op.NTM_INTERPOLATE, b, work, content, previous, gate, out, null, null)) {
      SimdNtmAddressing.interpolate(content, previous, gate, out, 0, b);
    }
  }

  @Override
  protected void ntmShiftImpl(Tensor weights, Tensor shift, Tensor out) {
    int b = weights.dim(0);
    long work = (long) b * weights.dim(1) * weights.dim(2) * shift.dim(2);
    if (!fork(Op.NTM_SHIFT, b, work, weights, shift, out, null, null, null)) {
      SimdNtmAddressing.shift(weights, shift, out, 0, b);
    }
  }

  @Override
  protected void ntmSharpenImpl(Tensor weights, Tensor gamma, Tensor out) {
    int b = weights.dim(0);
    // pow per element: a few dozen operations
    long work = 16L * b * weights.dim(1) * weights.dim(2);
    if (!fork(Op.NTM_SHARPEN, b, work, weights, gamma, out, null, null, null)) {
      SimdNtmAddressing.sharpen(weights, gamma, out, 0, b);
    }
  }

  @Override
  protected void interfaceSplitImpl(Tensor raw, InterfaceValues out) {
    int b = raw.dim(0);
    long work = 4L * b * raw.dim(1);
    if (pool == null || parts(b, work) == 1 || !pool.tryAcquire()) {
      SimdInterfaceSplit.split(raw, out, 0, b);
      return;
    }
    call.set(Op.INTERFACE_SPLIT, raw, null, null, null, null, null);
    call.interfaceValues = out;
    pool.runAndRelease(call, parts(b, work), b);
  }

  @Override
  protected void memoryStepImpl(MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws) {
    int b = state.memory().dim(0);
    if (b == 1 && pool != null && SimdTemporalLinkage.segments(state.link().dim(2), segmentRows) > 1) {
      // one entry: the link pass, the bulk of a large step, is shared by segments (if large enough), the rest inline
      stepBeforeLink(state, in, ws, 0, b);
      linkUpdateAndWeightingsImpl(state.link(), state.precedence(), state.writeWeights(), state.readWeights(),
          ws.forward(), ws.backward());
      stepAfterLink(state, in, readVectors, ws, 0, b);
      return;
    }
    if (pool == null || parts(b, stepWork(state)) == 1 || !pool.tryAcquire()) {
      memoryStep(state, in, readVectors, ws, segmentRows, 0, b);
      return;
    }
    call.set(Op.MEMORY_STEP, readVectors, null, null, null, null, null);
    call.state = state;
    call.interfaceValues = in;
    call.workspace = ws;
    pool.runAndRelease(call, parts(b, stepWork(state)), b);
  }

  /**
   * The whole step on batch entries [b0, b1), in the order of {@code DncKernels.memoryStepImpl}: the kernels of
   * one entry depend only on that entry's tensors.
   */
  static void memoryStep(
      MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws, int segmentRows, int b0, int b1) {
    stepBeforeLink(state, in, ws, b0, b1);
    SimdTemporalLinkage.linkUpdateAndWeightings(state.link(), state.precedence(), state.writeWeights(),
        state.readWeights(), ws.forward(), ws.backward(), segmentRows, b0, b1);
    stepAfterLink(state, in, readVectors, ws, b0, b1);
  }

  /** The step's kernels before the link pass: usage, allocation, write content, write weights, erase/add. */
  private static void stepBeforeLink(MemoryState state, InterfaceValues in, Workspace ws, int b0, int b1) {
    SimdUsage.usage(state.usage(), state.writeWeights(), in.freeGates(), state.readWeights(), state.usage(), b0, b1);
    SimdAllocation.allocation(state.usage(), in.writeGates(), in.allocationGates(), ws.allocation(), b0, b1);
    SimdContentAddressing.contentWeights(state.memory(), in.writeKeys(), in.writeStrengths(), ws.writeContent(), b0,
        b1);
    SimdWriteWeighting.writeWeights(ws.allocation(), ws.writeContent(), in.writeGates(), in.allocationGates(),
        state.writeWeights(), b0, b1);
    SimdMemoryWrite.eraseAndAdd(state.memory(), state.writeWeights(), in.eraseVectors(), in.writeVectors(), b0, b1);
  }

  /** The step's kernels after the link pass: precedence, read content, read-mode mix, read. */
  private static void stepAfterLink(
      MemoryState state, InterfaceValues in, Tensor readVectors, Workspace ws, int b0, int b1) {
    SimdTemporalLinkage.precedence(state.precedence(), state.writeWeights(), b0, b1);
    SimdContentAddressing.contentWeights(state.memory(), in.readKeys(), in.readStrengths(), ws.readContent(), b0, b1);
    SimdReadModes.readModeMix(in.readModes(), ws.backward(), ws.readContent(), ws.forward(), state.readWeights(), b0,
        b1);
    SimdMemoryRead.read(state.memory(), state.readWeights(), readVectors, b0, b1);
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

  private static int log2(int n) {
    return 32 - Integer.numberOfLeadingZeros(n);
  }

  // ---------------------------------------------------------------------------------------------------------
  // splitting

  /** Slices for a call of {@code work} element operations over {@code batch} entries (or units of a link kernel). */
  private int parts(int batch, long work) {
    long byWork = inlineWork == 0 ? batch : Math.max(1, work / inlineWork);
    return (int) Math.min(Math.min(threads, batch), byWork);
  }

  /** Splits the call over the pool; {@code false} when it should run inline (small, one thread, pool busy). */
  private boolean fork(Op op, int batch, long work, Tensor t0, Tensor t1, Tensor t2, Tensor t3, Tensor t4,
      Tensor t5) {
    if (pool == null) {
      return false;
    }
    int parts = parts(batch, work);
    if (parts == 1 || !pool.tryAcquire()) {
      return false;
    }
    call.set(op, t0, t1, t2, t3, t4, t5);
    pool.runAndRelease(call, parts, batch);
    return true;
  }

  /**
   * Splits a link kernel over the pool by units (segments of rows of each matrix, see SimdTemporalLinkage), the
   * partial backward sums in {@link #linkPartials}; {@code false} when it should run inline. Tensors: link, prev
   * precedence, write weights (update), prev read weights, forward, backward (weightings); null when unused.
   */
  private boolean forkLinkUnits(Op op, long work, Tensor link, Tensor prevPrecedence, Tensor writeWeights,
      Tensor prevReadWeights, Tensor forward, Tensor backward) {
    if (pool == null) {
      return false;
    }
    int n = link.dim(2), matrices = link.dim(0) * link.dim(1), segs = SimdTemporalLinkage.segments(n, segmentRows);
    int units = matrices * segs;
    // whole matrices to each thread when the batch is split well that way (no partial sums to add)
    if (segs == 1 || link.dim(0) >= threads && link.dim(0) % threads == 0) {
      return fork(op, link.dim(0), work, link, prevPrecedence, writeWeights, prevReadWeights, forward, backward);
    }
    int parts = parts(units, work);
    if (parts == 1 || !pool.tryAcquire()) {
      return false;
    }
    call.set(op, link, prevPrecedence, writeWeights, prevReadWeights, forward, backward);
    call.segments = segs;
    if (prevReadWeights != null) {
      int partials = SimdTemporalLinkage.partialFloats(matrices, n, prevReadWeights.dim(1), segs);
      if (linkPartials.length < partials) {
        linkPartials = new float[partials];
      }
      call.partials = linkPartials;
    }
    pool.runAndRelease(call, parts, units);
    return true;
  }

  private enum Op {
    CONTENT, ERASE_ADD, READ, USAGE, ALLOCATION, WRITE_WEIGHTS, PRECEDENCE, LINK_UPDATE, FORWARD_BACKWARD,
    LINK_FUSED, READ_MODES, NTM_INTERPOLATE, NTM_SHIFT, NTM_SHARPEN, INTERFACE_SPLIT, MEMORY_STEP
  }

  /** The arguments of the call being split; reused for every call, so splitting allocates nothing. */
  private static final class Call implements SimdBatchPool.Slices {
    Op op;
    Tensor t0, t1, t2, t3, t4, t5;
    InterfaceValues interfaceValues;
    MemoryState state;
    Workspace workspace;
    /** Segments per link matrix when a link kernel is split by units, else 0; its partial sums. */
    int segments;
    float[] partials;
    final int segmentRows;

    Call(int segmentRows) {
      this.segmentRows = segmentRows;
    }

    void set(Op op, Tensor t0, Tensor t1, Tensor t2, Tensor t3, Tensor t4, Tensor t5) {
      this.op = op;
      this.t0 = t0;
      this.t1 = t1;
      this.t2 = t2;
      this.t3 = t3;
      this.t4 = t4;
      this.t5 = t5;
      this.interfaceValues = null;
      this.state = null;
      this.workspace = null;
      this.segments = 0;
      this.partials = null;
    }

    @Override
    public void clear() {
      set(null, null, null, null, null, null, null);
    }

    @Override
    public void run(int b0, int b1) {
      switch (op) {
        case CONTENT -> SimdContentAddressing.contentWeights(t0, t1, t2, t3, b0, b1);
        case ERASE_ADD -> SimdMemoryWrite.eraseAndAdd(t0, t1, t2, t3, b0, b1);
        case READ -> SimdMemoryRead.read(t0, t1, t2, b0, b1);
        case USAGE -> SimdUsage.usage(t0, t1, t2, t3, t4, b0, b1);
        case ALLOCATION -> SimdAllocation.allocation(t0, t1, t2, t3, b0, b1);
        case WRITE_WEIGHTS -> SimdWriteWeighting.writeWeights(t0, t1, t2, t3, t4, b0, b1);
        case PRECEDENCE -> SimdTemporalLinkage.precedence(t0, t1, b0, b1);
        case LINK_UPDATE -> {
          if (segments > 0) {
            SimdTemporalLinkage.linkUpdateUnits(t0, t1, t2, segments, b0, b1);
          } else {
            SimdTemporalLinkage.linkUpdate(t0, t1, t2, segmentRows, b0, b1);
          }
        }
        case FORWARD_BACKWARD, LINK_FUSED -> {
          if (segments > 0) {
            SimdTemporalLinkage.linkUnits(t0, t1, t2, t3, t4, t5, partials, 0, segments, b0, b1);
          } else if (op == Op.FORWARD_BACKWARD) {
            SimdTemporalLinkage.forwardBackward(t0, t3, t4, t5, segmentRows, b0, b1);
          } else {
            SimdTemporalLinkage.linkUpdateAndWeightings(t0, t1, t2, t3, t4, t5, segmentRows, b0, b1);
          }
        }
        case READ_MODES -> SimdReadModes.readModeMix(t0, t1, t2, t3, t4, b0, b1);
        case NTM_INTERPOLATE -> SimdNtmAddressing.interpolate(t0, t1, t2, t3, b0, b1);
        case NTM_SHIFT -> SimdNtmAddressing.shift(t0, t1, t2, b0, b1);
        case NTM_SHARPEN -> SimdNtmAddressing.sharpen(t0, t1, t2, b0, b1);
        case INTERFACE_SPLIT -> SimdInterfaceSplit.split(t0, interfaceValues, b0, b1);
        case MEMORY_STEP -> memoryStep(state, interfaceValues, t0, workspace, segmentRows, b0, b1);
      }
    }

    /** A link pass split by units: the partial backward sums go into the output, in segment order. */
    @Override
    public void afterSlices() {
      if (segments > 0 && partials != null) {
        SimdTemporalLinkage.addPartials(t5, t0.dim(1), t3.dim(1), partials, 0, segments, 0, t0.dim(0) * t0.dim(1));
      }
    }
  }
}
