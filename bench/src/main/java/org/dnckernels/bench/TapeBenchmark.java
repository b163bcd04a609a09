package org.dnckernels.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.MemoryShape;
import org.dnckernels.MemoryState;
import org.dnckernels.MemoryTape;
import org.dnckernels.Tensor;
import org.dnckernels.Workspace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Backpropagation through time over {@link #STEPS} memory steps with {@link MemoryTape}: {@code sequence} is the
 * tape's forward and backward (every state kept, or every ⌈√T⌉-th with the segments recomputed), {@code forward}
 * the same steps without a tape, the inference cost to compare with. Every invocation starts from the same
 * initial state and runs the same interface values, so nothing drifts. The bytes each tape keeps are
 * {@link MemoryTape#bytesKept}, printed at set-up.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TapeBenchmark {
  /** The sequence length the issue asks for. */
  public static final int STEPS = 20;

  @State(Scope.Thread)
  public static class Sequence {
    @Param({"simd", "scalar", "cuda"})
    public String backend;

    @Param({BenchShapes.DEEPMIND, BenchShapes.MEDIUM, BenchShapes.LARGE_SINGLE})
    public String shape;

    @Param({"false", "true"})
    public boolean checkpoints;

    DncKernels kernels;
    MemoryTape tape;
    MemoryState initial, state;
    Workspace workspace;
    InterfaceValues[] in;
    Tensor reads, gradReads;
    InterfaceValues gradIn;

    @Setup(Level.Trial)
    public void setUp() {
      kernels = DncKernels.load(backend);
      MemoryShape s = BenchShapes.parse(shape);
      tape = checkpoints ? MemoryTape.withCheckpoints(kernels, s, STEPS, MemoryTape.defaultInterval(STEPS))
          : MemoryTape.create(kernels, s, STEPS);
      System.out.printf("%n%s %s checkpoints=%s: the tape keeps %,d bytes%n", backend, shape, checkpoints,
          tape.bytesKept());
      SplittableRandom random = new SplittableRandom(20);
      int raw = s.wordSize() * s.readHeads() + 3 * s.wordSize() + 5 * s.readHeads() + 3;
      in = new InterfaceValues[STEPS];
      try (Tensor xi = kernels.allocate(s.batch(), raw)) {
        float[] values = new float[s.batch() * raw];
        for (int t = 0; t < STEPS; t++) {
          for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
          }
          xi.copyFrom(values, 0);
          in[t] = kernels.newInterface(s);
          kernels.interfaceSplit(xi, in[t]);
        }
      }
      // the initial state: the zero state after STEPS steps, a warm memory
      initial = kernels.newState(s);
      state = kernels.newState(s);
      workspace = kernels.newWorkspace(s);
      reads = kernels.allocate(s.batch(), s.readHeads(), s.wordSize());
      for (int t = 0; t < STEPS; t++) {
        kernels.memoryStep(initial, in[t], reads, workspace);
      }
      float[] g = new float[reads.size()];
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) random.nextGaussian();
      }
      gradReads = kernels.upload(g, 0, s.batch(), s.readHeads(), s.wordSize());
      gradIn = kernels.newInterface(s);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      tape.close();
      kernels.close();
    }
  }

  /** The tape: T steps forward, then T steps backward. */
  @Benchmark
  public Object sequence(Sequence q) {
    MemoryTape tape = q.tape;
    tape.start(q.initial);
    for (int t = 0; t < STEPS; t++) {
      tape.step(q.in[t], q.reads);
    }
    for (int t = 0; t < STEPS; t++) {
      tape.backwardStep(q.gradReads, q.gradIn);
    }
    q.kernels.synchronize();
    return tape.gradState();
  }

  /** The same T steps forward without a tape (from the same initial state, copied). */
  @Benchmark
  public Object forward(Sequence q) {
    q.kernels.copy(q.initial, q.state);
    for (int t = 0; t < STEPS; t++) {
      q.kernels.memoryStep(q.state, q.in[t], q.reads, q.workspace);
    }
    q.kernels.synchronize();
    return q.state;
  }
}
