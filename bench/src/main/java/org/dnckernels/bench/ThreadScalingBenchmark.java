package org.dnckernels.bench;

import java.util.concurrent.TimeUnit;
import org.dnckernels.KernelSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SIMD memory step with 1 and 2 worker threads at B=16 N=128 W=32 R=4 (the backend splits the batch over
 * its threads). {@link BenchMain} runs it with {@code backend=simd} and {@code shape=16x128x32x4}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ThreadScalingBenchmark {
  /** The SIMD backend's system property for its worker count. */
  public static final String THREADS_PROPERTY = "dnc.kernels.simd.threads";

  /** The memory step's state, with the worker count set before the backend is created. */
  @State(Scope.Thread)
  public static class StepThreads extends KernelState {
    @Param({"1", "2"})
    public String threads;

    @Override
    protected KernelSpec spec() {
      return KernelSpec.MEMORY_STEP;
    }

    @Override
    protected void beforeLoad() {
      System.setProperty(THREADS_PROPERTY, threads);
    }
  }

  @Benchmark
  public Object memoryStep(StepThreads s) {
    return s.run();
  }
}
