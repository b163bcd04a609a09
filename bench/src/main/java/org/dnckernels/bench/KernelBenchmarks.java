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
 * Time per call of every kernel of the contract, one benchmark per kernel, on tensors already on the backend
 * (device backends synchronise before the clock stops). Run through {@link BenchMain}, which keeps only the
 * available backends; plain {@code java -jar benchmarks.jar} runs every backend listed in the parameters.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBenchmarks {
  @Benchmark
  public Object contentWeights(KernelStates.ContentWeights s) {
    return s.run();
  }

  @Benchmark
  public Object eraseAndAdd(KernelStates.EraseAndAdd s) {
    return s.run();
  }

  @Benchmark
  public Object read(KernelStates.Read s) {
    return s.run();
  }

  @Benchmark
  public Object usage(KernelStates.Usage s) {
    return s.run();
  }

  @Benchmark
  public Object allocation(KernelStates.Allocation s) {
    return s.run();
  }

  @Benchmark
  public Object writeWeights(KernelStates.WriteWeights s) {
    return s.run();
  }

  @Benchmark
  public Object precedence(KernelStates.Precedence s) {
    return s.run();
  }

  @Benchmark
  public Object linkUpdate(KernelStates.LinkUpdate s) {
    return s.run();
  }

  @Benchmark
  public Object forwardBackward(KernelStates.ForwardBackward s) {
    return s.run();
  }

  @Benchmark
  public Object linkUpdateAndWeightings(KernelStates.LinkUpdateAndWeightings s) {
    return s.run();
  }

  @Benchmark
  public Object readModeMix(KernelStates.ReadModeMix s) {
    return s.run();
  }

  @Benchmark
  public Object ntmInterpolate(KernelStates.NtmInterpolate s) {
    return s.run();
  }

  @Benchmark
  public Object ntmShift(KernelStates.NtmShift s) {
    return s.run();
  }

  @Benchmark
  public Object ntmSharpen(KernelStates.NtmSharpen s) {
    return s.run();
  }

  @Benchmark
  public Object interfaceSplit(KernelStates.InterfaceSplit s) {
    return s.run();
  }

  @Benchmark
  public Object memoryStep(KernelStates.MemoryStep s) {
    return s.run();
  }
}
