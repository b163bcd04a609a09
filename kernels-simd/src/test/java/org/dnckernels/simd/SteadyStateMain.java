package org.dnckernels.simd;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.dnckernels.BackwardWorkspace;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.MemoryTape;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.dnckernels.testing.RandomTensors;

/**
 * The child JVM of {@link SimdSteadyStateTest}: runs memory steps until the JIT has compiled them, then prints
 * the bytes allocated per step on the calling thread, by the backend's step ({@code memoryStepImpl}) and by
 * the public facade around it, one line per thread count: {@code threads=T impl=X facade=Y}; then the same for
 * the step backward: {@code backward threads=T impl=X facade=Y}; then whole sequences on a checkpointed
 * {@link MemoryTape}, per facade call it makes: {@code tape threads=T impl=0.0 facade=Y}; then the step and its
 * backward at N = 16 and N = 128 on one thread, their lines prefixed {@code N=16 } and {@code N=128 }.
 */
public final class SteadyStateMain {
  private static final int WINDOW = 500;
  private static final int TAPE_STEPS = 10;
  private static final long DEADLINE_NANOS = 60_000_000_000L;
  private static final com.sun.management.ThreadMXBean MX =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private SteadyStateMain() {}

  public static void main(String[] args) {
    MX.setThreadAllocatedMemoryEnabled(true);
    long thread = Thread.currentThread().threadId();
    // B = 4, N = 32: big enough to split over two threads (every call splits with inline work 0)
    MemoryShape shape = new MemoryShape(4, 32, 16, 2, 1);
    for (int threads = 1; threads <= 2; threads++) {
      try (SimdKernels kernels = new SimdKernels(threads, threads == 1 ? SimdKernels.INLINE_WORK : 0)) {
        RandomTensors random = new RandomTensors(11);
        MemoryState state = kernels.newState(shape);
        InterfaceValues in = random.interfaceValues(4, 16, 2, 1).upload(kernels, shape);
        Workspace ws = kernels.newWorkspace(shape);
        Tensor readVectors = kernels.allocate(4, 2, 16);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        forward("", kernels, state, in, readVectors, ws, deadline);

        // the step backward on the step just taken (prev a copy of the state before one more step)
        Tensor gradReads = kernels.upload(random.gaussian(4 * 2 * 16, 1), 0, 4, 2, 16);
        InterfaceValues gradIn = kernels.newInterface(shape);
        backward("", kernels, shape, state, in, readVectors, ws, gradReads, gradIn, random, deadline);

        // whole sequences on a checkpointed tape (its segments recomputed), per memory step or step backward
        try (MemoryTape tape = MemoryTape.withCheckpoints(kernels, shape, TAPE_STEPS, 3)) {
          long bytes;
          int quiet = 0;
          do {
            long before = MX.getThreadAllocatedBytes(thread);
            for (int i = 0; i < WINDOW / TAPE_STEPS; i++) {
              tape.start();
              for (int t = 0; t < TAPE_STEPS; t++) {
                tape.step(in, readVectors);
              }
              for (int t = 0; t < TAPE_STEPS; t++) {
                tape.backwardStep(gradReads, gradIn);
              }
            }
            bytes = MX.getThreadAllocatedBytes(thread) - before;
            quiet = bytes == 0 ? quiet + 1 : 0;
          } while (quiet < 3 && System.nanoTime() < deadline);
          // facade calls per sequence: T steps, T recomputed, T backwards
          System.out.printf(Locale.ROOT, "tape threads=%d impl=0.0 facade=%.1f%n", threads,
              bytes / (double) (WINDOW / TAPE_STEPS * 3 * TAPE_STEPS));
        }
      }
    }
    // small memories take kernels of their own: N = 16 (a link matrix of one vector per row on 16 lanes, content
    // rows of one vector), N = 128 (the allocation's bitonic sort). R = 2: with R = 4 the content backward's
    // four-key path allocated 160 B per step backward at B2 N16 W16 (boxed vectors), before these kernels too
    for (MemoryShape small : new MemoryShape[] {new MemoryShape(2, 16, 16, 2, 1), new MemoryShape(2, 128, 16, 2, 1)}) {
      try (SimdKernels kernels = new SimdKernels(1)) {
        RandomTensors random = new RandomTensors(13);
        int b = small.batch(), r = small.readHeads(), w = small.wordSize();
        MemoryState state = kernels.newState(small);
        InterfaceValues in = random.interfaceValues(b, w, r, 1).upload(kernels, small);
        Workspace ws = kernels.newWorkspace(small);
        Tensor readVectors = kernels.allocate(b, r, w);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        String label = "N=" + small.slots() + " ";
        forward(label, kernels, state, in, readVectors, ws, deadline);
        Tensor gradReads = kernels.upload(random.gaussian(b * r * w, 1), 0, b, r, w);
        backward(label, kernels, small, state, in, readVectors, ws, gradReads, kernels.newInterface(small), random,
            deadline);
      }
    }
  }

  /** The step, until quiet ({@link #bytesPerCall}); prints bytes per step. */
  private static void forward(String label, SimdKernels kernels, MemoryState state, InterfaceValues in,
      Tensor readVectors, Workspace ws, long deadline) {
    double[] bytes = bytesPerCall(() -> kernels.memoryStepImpl(state, in, readVectors, ws),
        () -> kernels.memoryStep(state, in, readVectors, ws), deadline);
    System.out.printf(Locale.ROOT, "%sthreads=%d impl=%.1f facade=%.1f%n", label, kernels.threads(), bytes[0],
        bytes[1]);
  }

  /**
   * The step backward on one more step from {@code state} ({@code prev} a copy of the state before it), until
   * quiet as in {@link #forward}; prints bytes per step backward.
   */
  private static void backward(String label, SimdKernels kernels, MemoryShape shape, MemoryState state,
      InterfaceValues in, Tensor readVectors, Workspace ws, Tensor gradReads, InterfaceValues gradIn,
      RandomTensors random, long deadline) {
    MemoryState prev = kernels.newState(shape);
    kernels.copy(state, prev);
    kernels.memoryStep(state, in, readVectors, ws);
    MemoryState grad = kernels.newState(shape);
    for (Tensor t : new Tensor[] {grad.memory(), grad.usage(), grad.link(), grad.precedence(), grad.readWeights(),
        grad.writeWeights()}) {
      t.copyFrom(random.gaussian(t.size(), 1), 0);
    }
    BackwardWorkspace scratch = kernels.newBackwardWorkspace(shape);
    double[] bytes = bytesPerCall(
        () -> kernels.memoryStepBackwardImpl(prev, in, state, ws, grad, gradReads, gradIn, scratch),
        () -> kernels.memoryStepBackward(prev, in, state, ws, grad, gradReads, gradIn, scratch), deadline);
    System.out.printf(Locale.ROOT, "%sbackward threads=%d impl=%.1f facade=%.1f%n", label, kernels.threads(),
        bytes[0], bytes[1]);
  }

  /**
   * Bytes allocated on this thread per call of {@code impl} and of {@code facade}, windows of {@link #WINDOW} calls
   * each, once {@code impl} has allocated nothing three windows running (or at the deadline).
   */
  private static double[] bytesPerCall(Runnable impl, Runnable facade, long deadline) {
    long thread = Thread.currentThread().threadId();
    long implBytes, facadeBytes;
    int quiet = 0;
    do {
      long before = MX.getThreadAllocatedBytes(thread);
      for (int i = 0; i < WINDOW; i++) {
        impl.run();
      }
      long middle = MX.getThreadAllocatedBytes(thread);
      for (int i = 0; i < WINDOW; i++) {
        facade.run();
      }
      long after = MX.getThreadAllocatedBytes(thread);
      implBytes = middle - before;
      facadeBytes = after - middle;
      quiet = implBytes == 0 ? quiet + 1 : 0;
    } while (quiet < 3 && System.nanoTime() < deadline);
    return new double[] {implBytes / (double) WINDOW, facadeBytes / (double) WINDOW};
  }
}
