package org.dnckernels;

/**
 * Backpropagation through time over a sequence of {@link DncKernels#memoryStep memory steps}: the tape runs the
 * steps forward, keeps what each step's {@link DncKernels#memoryStepBackward backward} needs (the forward
 * overwrites its state in place), then back-propagates them last step first.
 *
 * <pre>{@code
 * tape.start();                                  // zero state (or start(initial)); gradState() zeroed
 * for (t = 0; t < T; t++) tape.step(in[t], r[t]);
 * // gradState() may be given ∂ℓ/∂(final state) here
 * for (t = T - 1; t >= 0; t--) tape.backwardStep(gradR[t], gradIn[t]);   // gradIn[t] += ∂ℓ/∂in_t
 * // gradState() now holds ∂ℓ/∂(initial state)
 * }</pre>
 *
 * A controller sits between the steps, so the backward goes one step at a time: ∂ℓ/∂r_t is complete only after
 * the controller's backward at t + 1.
 *
 * <p><b>Two ways to keep the steps.</b> {@link #create} keeps every state: step t copies state t into state
 * t + 1 and steps that copy, so the forward moves one extra state's bytes per step and the backward recomputes
 * nothing. {@link #withCheckpoints} keeps only the state before every k-th step and the running state; the
 * backward recomputes each segment of k steps from its checkpoint (about one extra forward per step) into a
 * buffer of k states. Both give the same gradients to the bit on the same backend: the forward is deterministic
 * and the recomputed segment is the forward's own arithmetic on the same values.
 *
 * <p><b>Memory.</b> With S the floats of one state, WS those of one step's workspace and I those of one step's
 * interface values ({@link #stateFloats}, {@link #workspaceFloats}, {@link #interfaceFloats}), for T steps:
 *
 * <pre>
 *   every state kept:       (T + 1)·S + T·WS + T·I           + S + WS                  (the gradient, its scratch)
 *   every k-th state kept:  ⌈T/k⌉·S + k·S + k·WS + T·I + S    + S + WS + WS + B·R·W   (+ forward scratch, read vectors)
 * </pre>
 *
 * times 4 bytes; {@link #bytesKept(MemoryShape, int, int)} computes it before a run. At B16 N1024 W64 R4 one
 * state is 68.4 MiB (the link is 64 MiB of it), so T = 100 keeps 6.9 GiB without checkpoints and 1.5 GiB with
 * k = 10.
 *
 * <p>Every buffer is allocated by the constructor; steps allocate nothing, and a tape is reused across sequences
 * by {@link #start()}. Not safe for concurrent use.
 */
public final class MemoryTape implements AutoCloseable {
  private final DncKernels kernels;
  private final MemoryShape shape;
  private final int maxSteps;
  /** Steps per checkpoint; 0 when every state is kept. */
  private final int interval;
  /**
   * Every state kept: state t at [t], t = 0..T. Checkpoints: the segment's states, [j] the state after step
   * segment·k + j.
   */
  private final MemoryState[] states;
  /** The workspaces of the steps, indexed like {@link #states} without the initial state. */
  private final Workspace[] saved;
  /** Checkpoints only: [c] the state before step c·k. */
  private final MemoryState[] checkpoints;
  /** Checkpoints only: the running state, its workspace, and read vectors for a recomputed step. */
  private final MemoryState live;
  private final Workspace liveWorkspace;
  private final Tensor recomputedReads;
  /** The steps' interface values, copied. */
  private final InterfaceValues[] inputs;
  private final MemoryState grad;
  private final BackwardWorkspace backwardScratch;
  private int steps;
  private int left;
  /** The segment whose states are in {@link #states} (checkpoints only), or −1. */
  private int loadedSegment = -1;

  private MemoryTape(DncKernels kernels, MemoryShape shape, int maxSteps, int interval) {
    Checks.notNull("kernels", kernels);
    Checks.notNull("shape", shape);
    kernels.checkOpen();
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps: expected at least 1 but was " + maxSteps);
    }
    this.kernels = kernels;
    this.shape = shape;
    this.maxSteps = maxSteps;
    this.interval = interval;
    int kept = interval == 0 ? maxSteps + 1 : segmentLength();
    states = new MemoryState[kept];
    for (int i = 0; i < kept; i++) {
      states[i] = kernels.newState(shape);
    }
    saved = new Workspace[interval == 0 ? maxSteps : segmentLength()];
    for (int i = 0; i < saved.length; i++) {
      saved[i] = kernels.newWorkspace(shape);
    }
    checkpoints = new MemoryState[interval == 0 ? 0 : ceilDiv(maxSteps, interval)];
    for (int i = 0; i < checkpoints.length; i++) {
      checkpoints[i] = kernels.newState(shape);
    }
    live = interval == 0 ? null : kernels.newState(shape);
    liveWorkspace = interval == 0 ? null : kernels.newWorkspace(shape);
    recomputedReads = interval == 0 ? null
        : kernels.allocate(shape.batch(), shape.readHeads(), shape.wordSize());
    inputs = new InterfaceValues[maxSteps];
    for (int i = 0; i < maxSteps; i++) {
      inputs[i] = kernels.newInterface(shape);
    }
    grad = kernels.newState(shape);
    backwardScratch = kernels.newBackwardWorkspace(shape);
  }

  /**
   * A tape for up to {@code maxSteps} steps that keeps every state (no recomputation).
   *
   * @param kernels  the backend that runs the steps and owns the tape's tensors
   * @param shape    the memory's sizes
   * @param maxSteps the longest sequence the tape holds, at least 1
   * @return a tape with every buffer allocated; call {@link #start()} before the first step
   * @throws IllegalArgumentException if an argument is null or {@code maxSteps < 1}
   * @throws IllegalStateException if {@code kernels} is closed
   */
  public static MemoryTape create(DncKernels kernels, MemoryShape shape, int maxSteps) {
    return new MemoryTape(kernels, shape, maxSteps, 0);
  }

  /**
   * A tape for up to {@code maxSteps} steps that keeps the state before every {@code interval}-th step and
   * recomputes the others during the backward; {@link #defaultInterval} minimises the states kept.
   *
   * @param kernels  the backend that runs the steps and owns the tape's tensors
   * @param shape    the memory's sizes
   * @param maxSteps the longest sequence the tape holds, at least 1
   * @param interval k, steps per checkpoint, at least 1
   * @return a tape with every buffer allocated; call {@link #start()} before the first step
   * @throws IllegalArgumentException if an argument is null, {@code maxSteps < 1} or {@code interval < 1}
   * @throws IllegalStateException if {@code kernels} is closed
   */
  public static MemoryTape withCheckpoints(DncKernels kernels, MemoryShape shape, int maxSteps, int interval) {
    if (interval < 1) {
      throw new IllegalArgumentException("interval: expected at least 1 but was " + interval);
    }
    return new MemoryTape(kernels, shape, maxSteps, interval);
  }

  /**
   * The checkpoint interval that keeps about 2√T states instead of T.
   *
   * @param maxSteps T, at least 1
   * @return ⌈√T⌉
   * @throws IllegalArgumentException if {@code maxSteps < 1}
   */
  public static int defaultInterval(int maxSteps) {
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps: expected at least 1 but was " + maxSteps);
    }
    int k = (int) Math.sqrt(maxSteps);
    return k * k < maxSteps ? k + 1 : k;
  }

  /**
   * The bytes a tape for {@code maxSteps} steps allocates at {@code shape} (the formula in the class javadoc):
   * {@code interval} 0 keeps every state, else every interval-th.
   *
   * @param shape    the memory's sizes
   * @param maxSteps T, at least 1
   * @param interval k, or 0 for a tape that keeps every state
   * @return bytes of float32 tensors the tape allocates
   * @throws IllegalArgumentException if {@code shape} is null, {@code maxSteps < 1} or {@code interval < 0}
   */
  public static long bytesKept(MemoryShape shape, int maxSteps, int interval) {
    Checks.notNull("shape", shape);
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps: expected at least 1 but was " + maxSteps);
    }
    if (interval < 0) {
      throw new IllegalArgumentException("interval: expected 0 (every state) or at least 1 but was " + interval);
    }
    long s = stateFloats(shape), ws = workspaceFloats(shape), in = interfaceFloats(shape);
    long floats = s + ws + maxSteps * in;
    if (interval == 0) {
      floats += (maxSteps + 1L) * s + (long) maxSteps * ws;
    } else {
      int k = Math.min(interval, maxSteps);
      floats += (ceilDiv(maxSteps, interval) + k + 1L) * s + (k + 1L) * ws
          + (long) shape.batch() * shape.readHeads() * shape.wordSize();
    }
    return 4 * floats;
  }

  /**
   * Floats of one {@link MemoryState}.
   *
   * @param s the memory's sizes
   * @return B·(N·W + N + Wh·N² + Wh·N + R·N + Wh·N)
   */
  public static long stateFloats(MemoryShape s) {
    long n = s.slots();
    return s.batch() * (n * s.wordSize() + n + s.writeHeads() * n * n + 2L * s.writeHeads() * n + s.readHeads() * n);
  }

  /**
   * Floats of one {@link Workspace}.
   *
   * @param s the memory's sizes
   * @return B·(2·Wh·N + R·N + 2·R·Wh·N)
   */
  public static long workspaceFloats(MemoryShape s) {
    long n = s.slots(), r = s.readHeads(), wh = s.writeHeads();
    return s.batch() * (2 * wh * n + r * n + 2 * r * wh * n);
  }

  /**
   * Floats of one {@link InterfaceValues}.
   *
   * @param s the memory's sizes
   * @return B·(R·W + R + 3·Wh·W + 3·Wh + R·(2Wh + 1) + R)
   */
  public static long interfaceFloats(MemoryShape s) {
    long w = s.wordSize(), r = s.readHeads(), wh = s.writeHeads();
    return s.batch() * (r * w + 2 * r + 3 * wh * w + 3 * wh + r * s.readModes());
  }

  /**
   * The bytes this tape allocated.
   *
   * @return {@link #bytesKept(MemoryShape, int, int)} of this tape's shape, length and interval
   */
  public long bytesKept() {
    return bytesKept(shape, maxSteps, interval);
  }

  /**
   * The memory's sizes.
   *
   * @return the shape the tape was made for
   */
  public MemoryShape shape() {
    return shape;
  }

  /**
   * The longest sequence the tape holds.
   *
   * @return the steps it has room for
   */
  public int maxSteps() {
    return maxSteps;
  }

  /**
   * Steps per checkpoint.
   *
   * @return k, or 0 when every state is kept
   */
  public int checkpointInterval() {
    return interval;
  }

  /**
   * Steps recorded since {@link #start()}.
   *
   * @return the number of {@link #step} calls in this sequence
   */
  public int steps() {
    return steps;
  }

  /**
   * Steps not yet back-propagated.
   *
   * @return {@link #steps()} less the {@link #backwardStep} calls made
   */
  public int stepsLeft() {
    return left;
  }

  /** A new sequence from the zero state; {@link #gradState()} is zeroed. */
  public void start() {
    kernels.checkOpen();
    MemoryState s = first();
    clear(s);
    restart();
  }

  /**
   * A new sequence from a copy of {@code initial}; {@link #gradState()} is zeroed.
   *
   * @param initial the state before the first step, of the tape's shape; copied, not kept
   * @throws IllegalArgumentException if {@code initial} is null or of another shape
   */
  public void start(MemoryState initial) {
    kernels.checkOpen();
    Checks.notNull("initial", initial);
    checkShape("initial", initial);
    kernels.copy(initial, first());
    restart();
  }

  /**
   * One {@link DncKernels#memoryStep} on the tape's state, recorded; {@code in} is copied (the caller may reuse
   * it), {@code readVectors} [B,R,W] receives r_t. Bad arguments change nothing.
   *
   * @param in          the step's interface values, of the tape's shape
   * @param readVectors receives the step's read vectors r_t [B,R,W]
   * @throws IllegalArgumentException if a shape is wrong or an argument null
   * @throws IllegalStateException past {@link #maxSteps()}, or once the backward has begun (start a new
   *     sequence)
   */
  public void step(InterfaceValues in, Tensor readVectors) {
    kernels.checkOpen();
    Checks.notNull("in", in);
    if (left != steps) {
      throw new IllegalStateException("tape: the backward has begun; start() a new sequence before stepping");
    }
    if (steps == maxSteps) {
      throw new IllegalStateException("tape: holds " + maxSteps + " steps, all recorded");
    }
    MemoryState state = state();
    KernelSpec.MEMORY_STEP.check(kernels, state, in, readVectors);
    int t = steps;
    kernels.copy(in, inputs[t]);
    if (interval == 0) {
      kernels.copy(state, states[t + 1]);
      kernels.memoryStep(states[t + 1], inputs[t], readVectors, saved[t]);
    } else {
      if (t % interval == 0) {
        kernels.copy(live, checkpoints[t / interval]);
      }
      kernels.memoryStep(live, inputs[t], readVectors, liveWorkspace);
    }
    steps++;
    left++;
  }

  /**
   * The state after the latest step (the initial state before the first).
   *
   * @return the tape's own state: read it, do not write it
   */
  public MemoryState state() {
    return interval == 0 ? states[steps] : live;
  }

  /**
   * ∂ℓ/∂(the state after the latest step not yet back-propagated): zero after {@link #start()}, so a caller may
   * add a loss on the final state before the first {@link #backwardStep}; after the last one it is ∂ℓ/∂(the
   * initial state).
   *
   * @return the tape's gradient state, which the caller may add to
   */
  public MemoryState gradState() {
    return grad;
  }

  /**
   * Back-propagates the latest step not yet done (the last step first): {@link DncKernels#memoryStepBackward}
   * with the step's saved values (recomputed from its checkpoint when checkpointing).
   *
   * @param gradReadVectors ∂ℓ/∂r_t [B,R,W], complete
   * @param gradIn          ∂ℓ/∂in_t is added to it
   * @throws IllegalStateException when every recorded step is done
   */
  public void backwardStep(Tensor gradReadVectors, InterfaceValues gradIn) {
    kernels.checkOpen();
    if (left == 0) {
      throw new IllegalStateException("tape: no step left to back-propagate (" + steps + " recorded)");
    }
    int t = left - 1;
    MemoryState prev, next;
    Workspace ws;
    if (interval == 0) {
      prev = states[t];
      next = states[t + 1];
      ws = saved[t];
    } else {
      int segment = t / interval, j = t % interval;
      if (loadedSegment != segment) {
        recompute(segment);
      }
      prev = j == 0 ? checkpoints[segment] : states[j - 1];
      next = states[j];
      ws = saved[j];
    }
    kernels.memoryStepBackward(prev, inputs[t], next, ws, grad, gradReadVectors, gradIn, backwardScratch);
    left--;
  }

  /** The steps of {@code segment} again from its checkpoint, each state and workspace kept. */
  private void recompute(int segment) {
    int base = segment * interval, end = Math.min(steps, base + interval);
    for (int t = base; t < end; t++) {
      int j = t - base;
      kernels.copy(j == 0 ? checkpoints[segment] : states[j - 1], states[j]);
      kernels.memoryStep(states[j], inputs[t], recomputedReads, saved[j]);
    }
    loadedSegment = segment;
  }

  private MemoryState first() {
    return interval == 0 ? states[0] : live;
  }

  private void restart() {
    clear(grad);
    steps = 0;
    left = 0;
    loadedSegment = -1;
  }

  private void clear(MemoryState s) {
    int b = shape.batch();
    kernels.zero(s.memory(), 0, b);
    kernels.zero(s.usage(), 0, b);
    kernels.zero(s.link(), 0, b);
    kernels.zero(s.precedence(), 0, b);
    kernels.zero(s.readWeights(), 0, b);
    kernels.zero(s.writeWeights(), 0, b);
  }

  private void checkShape(String name, MemoryState s) {
    MemoryShape actual = s.shape();
    if (!actual.equals(shape)) {
      throw new IllegalArgumentException(name + ": expected shape " + shape + " but was " + actual);
    }
  }

  private int segmentLength() {
    return Math.min(interval, maxSteps);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  @Override
  public void close() {
    for (MemoryState s : states) {
      s.close();
    }
    for (Workspace w : saved) {
      w.close();
    }
    for (MemoryState s : checkpoints) {
      s.close();
    }
    if (live != null) {
      live.close();
      liveWorkspace.close();
      recomputedReads.close();
    }
    for (InterfaceValues in : inputs) {
      in.close();
    }
    grad.close();
    backwardScratch.close();
  }
}
