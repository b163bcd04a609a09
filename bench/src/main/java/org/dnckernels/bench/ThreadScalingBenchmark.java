package org.dnckernels.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
  @Benchmark
  public Object memoryStep(KernelStates.MemoryStepThreads s) {
    return s.run();
  }
}
